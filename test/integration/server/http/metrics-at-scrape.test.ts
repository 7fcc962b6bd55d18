// The gauges read when Prometheus scrapes (server/http/metrics-at-scrape.ts), against a real server,
// the real On-Call simulator and SQLite: what the alert rules in deploy/prometheus/ see while
// On-Call fails and after it recovers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, startStack, waitFor, type Stack } from '#test/support/server-stack.js';
import { sampleValue } from '#test/support/prometheus-text.js';

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
const value = async (name: string) => sampleValue(await scrape(), name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('/metrics while On-Call fails and after', () => {
  it('shows the undelivered page ageing, the snapshot ageing, then the page sent but unconfirmed', async () => {
    await waitFor('a first incidents list', async () => (await value('klaxon_snapshot_age_seconds'))! >= 0);
    expect(await value('klaxon_oldest_undelivered_page_age_seconds')).toBe(0);
    expect(await value('klaxon_unconfirmed_pages')).toBe(0);

    // On-Call answers nothing, and once it does, its Rules Engine rewrites the page's entity id.
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
    await sleep(2500);
    const during = await scrape();
    expect(sampleValue(during, 'klaxon_oldest_undelivered_page_age_seconds')).toBeGreaterThanOrEqual(2);
    expect(sampleValue(during, 'klaxon_pages', { status: 'failing' })).toBe(1);
    const age = sampleValue(during, 'klaxon_snapshot_age_seconds')!;
    expect(age).toBeGreaterThanOrEqual(2);
    // Nobody reads the incidents meanwhile: the age still grows from one scrape to the next.
    await sleep(1100);
    expect(await value('klaxon_snapshot_age_seconds')).toBeGreaterThanOrEqual(age + 1);

    stack.sim.control.setFaults({});
    await waitFor('the page marked unconfirmed', async () => (await value('klaxon_unconfirmed_pages')) === 1);
    const after = await scrape();
    expect(sampleValue(after, 'klaxon_oldest_undelivered_page_age_seconds')).toBe(0);
    expect(sampleValue(after, 'klaxon_pages', { status: 'delivered' })).toBe(1);
    expect(sampleValue(after, 'klaxon_snapshot_age_seconds')).toBeLessThan(3);
  });
});
