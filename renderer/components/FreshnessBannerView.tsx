import type { ClientState } from '../../common/index.js';
import { freshnessBanner } from '../model/freshness.js';
import { ClockIcon, OfflineIcon } from './icons.js';

/** "Data is 42 s old" / "Offline — last update at 14:05": shown whenever the list may be out of date. */
export function FreshnessBannerView({ state, now }: { state: ClientState; now: number }) {
  const banner = freshnessBanner(state, now);
  return (
    <div className="banner-slot" role="status" aria-live="polite" aria-atomic="true">
      {banner && (
        <div className={`banner banner-${banner.kind}`} data-testid="freshness-banner">
          {banner.kind === 'offline' ? <OfflineIcon /> : <ClockIcon />}
          <div>
            <strong>{banner.text}</strong>
            {banner.detail && <p>{banner.detail}</p>}
          </div>
        </div>
      )}
    </div>
  );
}
