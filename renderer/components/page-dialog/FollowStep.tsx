import type { FallbackContact, Page } from '#common/index.js';
import { PageStatusView } from '../PageStatusView.js';

/** Step 3: the page, followed live until someone acknowledges it. */
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
      <p className="muted small-text">
        You can close this: your page is tracked on the home screen until someone acknowledges it.
      </p>
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={onClose} autoFocus>
          Done
        </button>
      </div>
    </div>
  );
}
