// A delivered page is called unconfirmed only on the evidence of an incident list fetched long
// enough after its delivery: never right after a restart (no list yet), nor while On-Call's list is
// failing (the last list is older than the wait). Real SQLite; the hub is reduced to what it reports.
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from '#common/index.js';
import { createMetrics } from '#server/http/metrics.js';
import { PageTracker } from '#server/pages/page-tracker.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';
import { ManualClock } from '#test/support/manual-clock.js';

let store: SqliteStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

describe('marking a delivered page unconfirmed', () => {
  it('waits for a list fetched the whole wait after the delivery', async () => {
    const clock = new ManualClock(Date.parse('2026-11-22T12:00:00Z'));
    store = new SqliteStore(':memory:');
    const { page } = await acceptQueuedPage(store);
    await store.updatePage(page.id, { status: 'delivered', deliveredAt: new Date(clock.now()) });
    let lastSuccessAt: string | null = null;
    const published: Page[] = [];
    const metrics = createMetrics();
    const tracker = new PageTracker({
      store,
      hub: { on: () => undefined, off: () => undefined, findByEntityId: () => null, status: () => ({ lastSuccessAt }) },
      onPage: (p) => published.push(p),
      intervalMs: 10_000,
      unconfirmedAfterMs: 120_000,
      metrics,
      clock,
    });
    const at = (s: number) => new Date(Date.parse('2026-11-22T12:00:00Z') + s * 1000).toISOString();

    await clock.advance(200_000);
    await tracker.reconcileAll(); // no list yet since start
    lastSuccessAt = at(60); // the last list is from before the wait was over: On-Call failing since
    await tracker.reconcileAll();
    expect(published).toEqual([]);

    lastSuccessAt = at(130);
    await tracker.reconcileAll();
    expect(published.map((p) => [p.id, p.unconfirmedAt])).toEqual([[page.id, at(200)]]);
    expect(await metrics.registry.metrics()).toMatch(/^klaxon_pages_unconfirmed_total 1$/m);
    // Once marked, not again.
    await tracker.reconcileAll();
    expect(published).toHaveLength(1);
  });
});
