import { useEffect, useRef } from 'react';
import type { FallbackContact, Failure, Me, OnCallNow } from '#common/index.js';
import { sendBlocked } from '../../model/page-send.js';
import { pageAgainText } from '../../model/send-outcome.js';
import { whoWillBeWoken } from '../../model/who-is-woken.js';
import { AlertIcon } from '../icons.js';
import { PersonWithTime } from '../OnCallList.js';
import { FallbackContacts } from '../PageStatusView.js';
import { SendOutcomeUnknown } from './SendOutcomeUnknown.js';
import type { PageSend } from './use-page-send.js';

interface ConfirmStepProps {
  me: Me;
  oncall: OnCallNow | null;
  now: number;
  fallback: readonly FallbackContact[];
  pageSend: PageSend;
}

/**
 * Step 2: who this wakes (with their local time) and what they will read; then Send. The step opens
 * with the focus on its heading, not on Send: an Enter that began in the compose step (a double
 * Enter, a held key) must land on something that does nothing, so nobody pages without reading this.
 */
export function ConfirmStep({ me, oncall, now, fallback, pageSend }: ConfirmStepProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const { state, target, sending, doubt, held, refusal, back, send } = pageSend;
  const { summary, details } = state.draft;
  const woken = whoWillBeWoken(oncall, target);
  const blocked = sendBlocked(state, now);
  const pageAgain = pageAgainText(state.blockedUntil, now);

  useEffect(() => headingRef.current?.focus(), []);

  return (
    <div className="dialog-body">
      <h3 className="confirm-heading" ref={headingRef} tabIndex={-1}>
        This will wake{target ? ` ${target.label}` : ' SRE on call'}:
      </h3>
      {woken.length > 0 ? (
        <ul className="woken" data-testid="who-is-woken">
          {woken.map((p) => (
            <li key={p.user.username}>
              <PersonWithTime person={p} now={now} />
            </li>
          ))}
        </ul>
      ) : (
        <p className="warning" data-testid="who-is-woken">
          <AlertIcon /> Klaxon cannot see who is on call right now. On-Call will page whoever its escalation policy
          names.
        </p>
      )}
      <dl className="recap">
        <dt>From</dt>
        <dd>
          {me.user.name}
          {me.user.email ? ` (${me.user.email})` : ''}
        </dd>
        <dt>Summary</dt>
        <dd>{summary.trim()}</dd>
        {details.trim() && (
          <>
            <dt>Details</dt>
            <dd className="recap-details">{details.trim()}</dd>
          </>
        )}
      </dl>
      {doubt && <SendOutcomeUnknown doubt={doubt} held={held} now={now} fallback={fallback} />}
      {refusal && <NotSent refusal={refusal} fallback={fallback} />}
      {pageAgain && (
        <p className="warning" id="page-again-note" data-testid="page-again">
          <AlertIcon /> {pageAgain}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="secondary" disabled={sending} onClick={back}>
          Back
        </button>
        <button
          type="button"
          className="primary danger"
          disabled={sending || blocked}
          aria-describedby={blocked ? 'page-again-note' : undefined}
          onClick={() => void send()}
        >
          {sending ? 'Sending…' : doubt ? (held ? 'Try again now' : 'Try again') : 'Send page now'}
        </button>
      </div>
    </div>
  );
}

/** The server certainly did not store the page: say so, and how else to reach SRE. */
function NotSent({ refusal, fallback }: { refusal: Failure; fallback: readonly FallbackContact[] }) {
  return (
    <div className="send-error" role="alert">
      <p>
        <AlertIcon /> <strong>Not sent: {refusal.message}</strong>
      </p>
      <FallbackContacts contacts={fallback} intro="If this cannot wait, reach SRE another way now:" />
    </div>
  );
}
