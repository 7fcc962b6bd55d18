import { systemClock } from '../runtime/clock.js';
import type { KlaxonStore } from '../store/store.js';
import type { Metrics } from './metrics.js';

const PAGE_STATUSES = ['queued', 'delivering', 'delivered', 'failing', 'acknowledged', 'resolved', 'gave_up'];
/** Statuses of a page On-Call has not taken yet (a given-up page stays `failing`: `gaveUpAt` tells). */
const UNDELIVERED = new Set(['queued', 'delivering', 'failing']);

export interface ScrapeSources {
  store: Pick<KlaxonStore, 'countByStatus' | 'unfinishedPageIds' | 'getPage'>;
  metrics: Pick<Metrics, 'pagesByStatus' | 'oldestUndeliveredPage' | 'unconfirmedPages'>;
}

/**
 * Sets the gauges that are read from the outbox when Prometheus scrapes, so they are right after a
 * restart and the same on every replica: the counts by status, the age of the oldest page still
 * being sent, and the pages sent whose incident never appeared. The alert rules in
 * `deploy/prometheus/` read them.
 */
export async function refreshAtScrape(src: ScrapeSources): Promise<void> {
  const counts = await src.store.countByStatus();
  for (const s of PAGE_STATUSES) src.metrics.pagesByStatus.set({ status: s }, counts[s] ?? 0);
  // Only pages of the last 7 days that are not resolved: a handful, read one by one.
  const now = systemClock.now();
  let oldest: number | null = null;
  let unconfirmed = 0;
  for (const id of await src.store.unfinishedPageIds()) {
    const page = (await src.store.getPage(id))?.page;
    if (!page) continue;
    // A given-up page is no longer tried; klaxon_pages{status="gave_up"} counts it.
    if (UNDELIVERED.has(page.status) && !page.gaveUpAt) {
      const created = Date.parse(page.createdAt);
      oldest = oldest === null ? created : Math.min(oldest, created);
    }
    if (page.status === 'delivered' && page.unconfirmedAt) unconfirmed++;
  }
  src.metrics.oldestUndeliveredPage.set(oldest === null ? 0 : Math.max(0, (now - oldest) / 1000));
  src.metrics.unconfirmedPages.set(unconfirmed);
}
