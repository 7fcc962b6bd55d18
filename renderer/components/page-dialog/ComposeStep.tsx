import { useMemo, useRef, type RefObject } from 'react';
import { DETAILS_MAX, SUMMARY_MAX, type ClientConfig, type Incident, type Me } from '#common/index.js';
import { relativeTime } from '../../model/relative-time.js';
import { findSimilarIncidents, similarIncidentStatus } from '../../model/similar-incidents.js';
import { EmergencyGuidance } from '../EmergencyGuidance.js';
import { CountedTextField } from './CountedTextField.js';
import { TextLockedNote } from './SendOutcomeUnknown.js';
import type { PageSend } from './use-page-send.js';

interface ComposeStepProps {
  me: Me;
  config: ClientConfig | null;
  incidents: readonly Incident[];
  now: number;
  pageSend: PageSend;
  summaryRef: RefObject<HTMLInputElement | null>;
  onClose(): void;
}

/** Step 1: what is broken, with the open incidents that look the same ("SRE already knows"). */
export function ComposeStep({ me, config, incidents, now, pageSend, summaryRef, onClose }: ComposeStepProps) {
  const detailsRef = useRef<HTMLTextAreaElement>(null);
  const { state, target, locked, edit, chooseTarget, toConfirm } = pageSend;
  const { summary, details, targetId } = state.draft;
  const similar = useMemo(() => findSimilarIncidents(summary, incidents), [summary, incidents]);
  const targets = config?.targets ?? [];

  return (
    <form
      className="dialog-body"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const invalid = toConfirm();
        if (invalid === 'summary') summaryRef.current?.focus();
        if (invalid === 'details') detailsRef.current?.focus();
      }}
    >
      <p className="signed-in-as">
        Signed in as <strong>{me.user.name}</strong>
        {me.user.email ? ` (${me.user.email})` : ''}. Your name is included in the page so SRE can reach you.
      </p>
      {locked && <TextLockedNote />}
      <CountedTextField
        id="page-summary"
        label="Summary"
        value={summary}
        max={SUMMARY_MAX}
        placeholder="What is broken, for whom?"
        error={state.errors.summary}
        locked={locked}
        inputRef={summaryRef}
        onChange={(v) => edit('summary', v)}
      />

      <div className="similar-slot" aria-live="polite">
        {similar.length > 0 && (
          <div className="similar" data-testid="similar-incidents">
            <p>
              <strong>Is it one of these? SRE already knows.</strong>
            </p>
            <ul>
              {similar.map(({ incident: i }) => (
                <li key={i.number}>
                  #{i.number} {i.title}{' '}
                  <span className="muted">
                    — {similarIncidentStatus(i)}, {relativeTime(i.startedAt, now)}
                  </span>
                </li>
              ))}
            </ul>
            <p className="muted small-text">If yours is one of these, there is no need to page: close this dialog.</p>
          </div>
        )}
      </div>

      <CountedTextField
        id="page-details"
        label="Details (optional)"
        value={details}
        max={DETAILS_MAX}
        placeholder="What you see, since when, links, how to reach you"
        error={state.errors.details}
        locked={locked}
        multiline
        inputRef={detailsRef}
        onChange={(v) => edit('details', v)}
      />

      <EmergencyGuidance ticketUrl={config?.ticketUrl ?? null} />

      {targets.length > 1 && (
        <div className="field">
          <label htmlFor="page-target">Send to</label>
          <select id="page-target" value={targetId} disabled={locked} onChange={(e) => chooseTarget(e.target.value)}>
            {targets.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
          {target?.description && <p className="muted small-text">{target.description}</p>}
        </div>
      )}

      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary">
          {similar.length > 0 ? 'This is different — continue' : 'Continue'}
        </button>
      </div>
    </form>
  );
}
