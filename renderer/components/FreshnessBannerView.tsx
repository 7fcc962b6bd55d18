import type { ClientState } from '#common/index.js';
import { freshnessBanner } from '../model/freshness.js';
import { ClockIcon, OfflineIcon } from './icons.js';

/**
 * "Offline — last update at 14:05" / "Out of date": shown whenever the list may be out of date.
 * The live region is always in the DOM (so a banner that appears is announced) and holds only the
 * headline and the reason; the age that ticks every second sits outside it.
 */
export function FreshnessBannerView({ state, now }: { state: ClientState; now: number }) {
  const banner = freshnessBanner(state, now);
  return (
    <div
      className={banner ? `banner banner-${banner.kind}` : 'banner-slot'}
      data-testid={banner ? 'freshness-banner' : undefined}
    >
      {banner && (banner.kind === 'offline' ? <OfflineIcon /> : <ClockIcon />)}
      <div className="banner-text">
        <div role="status" aria-live="polite" aria-atomic="true" data-testid="freshness-live">
          {banner && (
            <>
              <strong>{banner.text}</strong>
              {banner.detail && <p>{banner.detail}</p>}
            </>
          )}
        </div>
        {banner?.age && (
          <p className="banner-age" data-testid="freshness-age">
            {banner.age}
          </p>
        )}
      </div>
    </div>
  );
}
