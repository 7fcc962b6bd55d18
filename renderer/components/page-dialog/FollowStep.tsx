import type { FallbackContact, Page } from '#common/index.js';
import { followNote } from '../../model/page-status.js';
import { PageStatusView } from '../PageStatusView.js';

/** Step 3: the page, followed live until someone acknowledges it (and what closing means at each point). */
export function FollowStep({
  page,
  now,
  fallback,
  onClose,
}: {
  page: Page;
  now: number;
  fallback: readonly FallbackContact[];
  onClose(): void;
}) {
  return (
    <div className="dialog-body">
      <PageStatusView page={page} now={now} fallbackContacts={fallback} />
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
