import { useState } from 'react';
import type { EscalationOffer, Incident, IncidentEscalation, Page } from '#common/index.js';
import { escalateNowView } from '../../model/escalation.js';
import { useApi } from '../api-context.js';
import { AlertIcon } from '../icons.js';

/**
 * "Escalate now" on the person's own page, in the follow step: shown while nobody has
 * acknowledged, enabled after the server's wait, with a confirmation before anything is sent. What
 * to show is model/escalation.ts's decision; the server checks the same rules again.
 */
export function EscalateNowPanel({
  page,
  offer,
  incident,
  now,
}: {
  page: Page;
  offer: EscalationOffer | null | undefined;
  incident: Incident | null;
  now: number;
}) {
  const api = useApi();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [escalated, setEscalated] = useState<IncidentEscalation | null>(null);
  const [result, setResult] = useState<{ message: string; failed: boolean } | null>(null);
  const view = escalateNowView({ page, offer, incident, escalated, now });

  const escalate = async () => {
    setBusy(true);
    const r = await api.escalatePage(page.id);
    setBusy(false);
    setConfirming(false);
    if (r.ok) {
      setEscalated(r.value.escalation);
      setResult({ message: r.value.message, failed: false });
    } else setResult({ message: r.error.message, failed: true });
  };

  const status = (
    <div role="status" aria-live="polite" className={result?.failed ? 'ack-result error-text' : 'ack-result'}>
      {result?.message}
    </div>
  );
  if (view.kind === 'hidden') return result ? status : null;
  if (view.kind === 'done')
    return (
      <section className="escalate-now" aria-label="Escalation">
        <p className="escalation-note" role="note" data-testid="page-escalation-note">
          <AlertIcon /> {view.note}
        </p>
        {status}
      </section>
    );
  return (
    <section className="escalate-now" aria-label="Escalate now">
      {!confirming ? (
        <>
          <p className="muted small-text">{view.hint}</p>
          <button
            type="button"
            className="secondary"
            disabled={view.kind === 'wait'}
            onClick={() => {
              setResult(null);
              setConfirming(true);
            }}
          >
            {view.label}
          </button>
        </>
      ) : (
        view.kind === 'ready' && (
          <div role="group" aria-label="Confirm the escalation">
            <p>
              <strong>{view.confirm}</strong>
            </p>
            <div className="dialog-actions">
              <button
                type="button"
                className="primary danger"
                disabled={busy}
                onClick={() => void escalate()}
                autoFocus
              >
                {busy ? 'Escalating…' : 'Yes, escalate now'}
              </button>
              <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          </div>
        )
      )}
      {status}
    </section>
  );
}
