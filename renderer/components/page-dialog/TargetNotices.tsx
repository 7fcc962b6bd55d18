import type { FallbackContact } from '#common/index.js';
import type { TargetView } from '../../model/target-reach.js';
import { AlertIcon } from '../icons.js';
import { FallbackContacts } from '../PageStatusView.js';

/**
 * Before sending: paging is muted for this target (maintenance mode), or the server's check found
 * something wrong with it. Each says what happens to a page, with the ways to reach SRE without it.
 */
export function TargetNotices({ view, fallback }: { view: TargetView; fallback: readonly FallbackContact[] }) {
  const urgent = view.muted ?? view.problem;
  return (
    <>
      {urgent && (
        <div className="send-error target-notice" role="alert" data-testid="target-notice">
          {view.muted && (
            <p data-testid="target-muted">
              <AlertIcon /> <strong>{view.muted}</strong>
            </p>
          )}
          {view.problem && (
            <p data-testid="target-problem">
              <AlertIcon /> <strong>{view.problem}</strong>
            </p>
          )}
          <FallbackContacts
            contacts={fallback}
            intro={view.muted ? 'Reach SRE another way instead:' : 'If this cannot wait, reach SRE another way:'}
          />
        </div>
      )}
      {view.mutingUnknown && <p className="muted small-text">{view.mutingUnknown}</p>}
    </>
  );
}
