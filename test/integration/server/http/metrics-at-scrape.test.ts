// What the alert rules in deploy/prometheus/ see at /metrics while On-Call fails and after it
// recovers: the outbox gauges read at each scrape (server/http/metrics-at-scrape.ts) and the
// incidents snapshot's age. A real server, the real On-Call simulator and SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';
import { sampleValue } from '#test/support/prometheus-text.js';
import { refreshAtScrape } from '#server/http/metrics-at-scrape.js';
import { createMetrics } from '#server/http/metrics.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  stack = await startStack();
  server = await startServer(stack, { delivery: { unconfirmedAfterSeconds: 1 } });
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

async function scrape(): Promise<string> {
  const r = await api(`${server.url}/metrics`);
  expect(r.status).toBe(200);
  return r.body as string;
}
const value = async (name: string, labels: Record<string, string> = {}) => sampleValue(await scrape(), name, labels);

describe('/metrics while On-Call fails and after', () => {
  it('shows the snapshot ageing, the undelivered page ageing, then the page sent but unconfirmed', async () => {
    await waitFor('a first incidents list', async () => (await value('klaxon_snapshot_age_seconds'))! >= 0);
    expect(await value('klaxon_oldest_undelivered_page_age_seconds')).toBe(0);
    expect(await value('klaxon_unconfirmed_pages')).toBe(0);

    // The incident list fails and nobody reads the incidents: the age still grows.
    stack.sim.control.setFaults({ errorRate: 1, errorStatus: 503, paths: ['/api-public/*'] });
    await waitFor('the snapshot 3 s old', async () => (await value('klaxon_snapshot_age_seconds'))! >= 3, 10_000);

    // Now On-Call answers nothing, and once it does, its Rules Engine rewrites the page's entity id.
    stack.sim.control.setRules([
      { when: { field: 'monitoring_tool', matches: 'klaxon' }, set: { entity_id: 'rewritten/${{entity_id}}' } },
    ]);
    stack.sim.control.setFaults({ errorRate: 1, errorStatus: 503 });
    const sent = await api(`${server.url}/api/v1/pages`, {
      token: await stack.token('alice'),
      body: { summary: 'Checkout is down' },
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    expect(sent.status).toBe(202);
    await waitFor('the page 2 s undelivered', async () => {
      const text = await scrape();
      return (
        sampleValue(text, 'klaxon_oldest_undelivered_page_age_seconds')! >= 2 &&
        sampleValue(text, 'klaxon_pages', { status: 'failing' }) === 1
      );
    });

    stack.sim.control.setFaults({});
    await waitFor('the page marked unconfirmed', async () => (await value('klaxon_unconfirmed_pages')) === 1);
    const after = await scrape();
    expect(sampleValue(after, 'klaxon_oldest_undelivered_page_age_seconds')).toBe(0);
    expect(sampleValue(after, 'klaxon_pages', { status: 'delivered' })).toBe(1);
    expect(sampleValue(after, 'klaxon_snapshot_age_seconds')).toBeLessThan(3);
  });
});

describe('the outbox gauges', () => {
  it('leave given-up pages out of the oldest undelivered age, and count unconfirmed pages until their incident appears', async () => {
    const store = new SqliteStore(':memory:');
    try {
      const metrics = createMetrics();
      const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
      const gaveUp = (await acceptQueuedPage(store, { at: minutesAgo(40) })).page;
      await store.updatePage(gaveUp.id, { status: 'failing', gaveUpAt: minutesAgo(10) });
      const failing = (await acceptQueuedPage(store, { at: minutesAgo(7) })).page;
      await store.updatePage(failing.id, { status: 'failing' });
      await acceptQueuedPage(store, { at: minutesAgo(1) });
      const unconfirmed = (await acceptQueuedPage(store, { at: minutesAgo(20) })).page;
      await store.updatePage(unconfirmed.id, {
        status: 'delivered',
        deliveredAt: minutesAgo(20),
        unconfirmedAt: minutesAgo(18),
      });

      await refreshAtScrape({ store, metrics });
      let text = await metrics.registry.metrics();
      expect(sampleValue(text, 'klaxon_oldest_undelivered_page_age_seconds')).toBeCloseTo(7 * 60, -1);
      expect(sampleValue(text, 'klaxon_unconfirmed_pages')).toBe(1);
      expect(sampleValue(text, 'klaxon_pages', { status: 'gave_up' })).toBe(1);
      expect(sampleValue(text, 'klaxon_pages', { status: 'failing' })).toBe(1);
      expect(sampleValue(text, 'klaxon_pages', { status: 'queued' })).toBe(1);

      await store.updatePage(failing.id, { status: 'delivered', deliveredAt: new Date() });
      await store.updatePage(unconfirmed.id, { unconfirmedAt: null, incidentNumber: '42' });
      await refreshAtScrape({ store, metrics });
      text = await metrics.registry.metrics();
      expect(sampleValue(text, 'klaxon_oldest_undelivered_page_age_seconds')).toBeCloseTo(60, -1);
      expect(sampleValue(text, 'klaxon_unconfirmed_pages')).toBe(0);
    } finally {
      await store.close();
    }
  });
});
