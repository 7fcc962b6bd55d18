import type { EscalationOffer, FallbackContact, Incident, Page } from '#common/index.js';
import { followNote } from '../../model/page-status.js';
import { PageStatusView } from '../PageStatusView.js';
import { EscalateNowPanel } from './EscalateNowPanel.js';

/**
 * Step 3: the page, followed live until someone acknowledges it (and what closing means at each point),
 * escalated if nobody does.
 */
export function FollowStep({
  page,
  now,
  fallback,
  offer,
  incidents,
  onClose,
}: {
  page: Page;
  now: number;
  fallback: readonly FallbackContact[];
  offer: EscalationOffer | null | undefined;
  incidents: readonly Incident[];
  onClose(): void;
}) {
  const incident = page.incidentNumber ? (incidents.find((i) => i.number === page.incidentNumber) ?? null) : null;
  return (
    <div className="dialog-body">
      <PageStatusView page={page} now={now} fallbackContacts={fallback} />
      <EscalateNowPanel page={page} offer={offer} incident={incident} now={now} />
      <p className="muted small-text" data-testid="follow-note">
        {followNote(page)}
      </p>
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={onClose} autoFocus>
          Done
        </button>
      </div>
    </div>
  );
}
