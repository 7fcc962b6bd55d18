import type { RefObject } from 'react';
import type { EscalationMoment, WokenView } from '../../model/target-reach.js';
import { minutesText } from '../../model/target-reach.js';
import { AlertIcon } from '../icons.js';
import { PersonWithTime } from '../OnCallList.js';

/**
 * "This will wake": who the target's escalation policies page at once, then who they page later if
 * nobody acknowledges; or, when Klaxon could not look that up, everyone on call in the target's teams,
 * labelled as uncertain. Never an empty list that reads as "nobody will be woken". Its first line is
 * the confirm step's heading, which takes the focus when the step opens (see ConfirmStep).
 */
export function WhoIsWoken({
  view,
  label,
  muted,
  now,
  headingRef,
}: {
  headingRef?: RefObject<HTMLHeadingElement | null>;
  view: WokenView;
  label: string;
  /** Paging is muted: nobody is woken now; On-Call pages from the first step when maintenance ends. */
  muted: boolean;
  now: number;
}) {
  if (view.kind === 'unknown')
    return (
      <div data-testid="who-is-woken">
        <h3 className="confirm-heading" ref={headingRef} tabIndex={-1}>
          This will wake {label}:
        </h3>
        <p className="warning">
          <AlertIcon /> Klaxon cannot see who is on call right now. On-Call will page whoever its escalation policy
          names.
        </p>
      </div>
    );
  if (view.kind === 'uncertain')
    return (
      <div data-testid="who-is-woken" data-certainty="uncertain">
        <h3 className="confirm-heading" ref={headingRef} tabIndex={-1}>
          This will wake {label}: probably some of these people.
        </h3>
        <p className="warning" data-testid="woken-uncertain">
          <AlertIcon /> <span>Not certain: {view.reason}</span>
        </p>
        <People moment={{ afterMinutes: 0, people: view.people, notes: [] }} now={now} />
      </div>
    );
  return (
    <div data-testid="who-is-woken" data-certainty="exact">
      <h3 className="confirm-heading" ref={headingRef} tabIndex={-1}>
        {muted ? 'When maintenance mode ends, this will wake' : 'This will wake now'}{' '}
        <span className="muted">
          ({label}: {view.policies.join(', ')})
        </span>
        :
      </h3>
      {view.now.people.length > 0 ? (
        <People moment={view.now} now={now} />
      ) : (
        <p className="warning" data-testid="woken-nobody-now">
          <AlertIcon /> <span>Nobody at once.</span>
        </p>
      )}
      <Notes notes={view.now.notes} />
      {view.later.length > 0 && (
        <ul className="woken-later" data-testid="woken-later">
          {view.later.map((m) => (
            <li key={m.afterMinutes}>
              <strong>If nobody acknowledges in {minutesText(m.afterMinutes)}:</strong> {laterPeople(m)}
              <Notes notes={m.notes} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Later steps in one line each ("Dmitri Ivanov (SRE Primary)"): whom a page wakes now matters most. */
function laterPeople(m: EscalationMoment): string {
  if (m.people.length === 0) return m.notes.length > 0 ? '' : 'nobody named.';
  const byPolicy = new Map<string, string[]>();
  for (const p of m.people) byPolicy.set(p.policy, [...(byPolicy.get(p.policy) ?? []), p.user.name ?? p.user.username]);
  return [...byPolicy].map(([policy, names]) => `${names.join(', ')} (${policy})`).join('; ');
}

function People({ moment, now }: { moment: EscalationMoment; now: number }) {
  if (moment.people.length === 0) return null;
  return (
    <ul className="woken">
      {moment.people.map((p) => (
        <li key={p.user.username}>
          <PersonWithTime person={p} now={now} />
        </li>
      ))}
    </ul>
  );
}

function Notes({ notes }: { notes: readonly string[] }) {
  if (notes.length === 0) return null;
  return (
    <ul className="woken-notes muted small-text">
      {notes.map((n) => (
        <li key={n}>{n[0]!.toUpperCase() + n.slice(1)}.</li>
      ))}
    </ul>
  );
}
