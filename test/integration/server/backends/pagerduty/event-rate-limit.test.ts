// A burst of pages to a PagerDuty target larger than its Events API rate allows (2 a second,
// server/backends/pagerduty/client.ts), against the PagerDuty simulator over HTTP. An attempt whose
// turn in the rate-limit queue would come after its delivery lease could run out sends nothing and
// is given back, due when the queue frees up (server/pages/delivery-worker.ts): so every page is
// sent exactly once, within the lease it was claimed under, and counts one attempt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageEntityId, type Page, type ServerEvent } from '#common/index.js';
import { api, PD_TARGET, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { openSse, type SseConnection } from '#test/support/sse-test-client.js';
import { waitFor } from '#test/support/wait-for.js';

const PAGES = 14;
const TIMEOUT_MS = 500;
/** The worker's lease (server/pages/delivery-worker.ts): two send timeouts and 2 s. */
const LEASE_MS = TIMEOUT_MS * 2 + 2000;

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;
let sse: SseConnection | null = null;

beforeAll(async () => {
  stack = await startStack({ pagerduty: {} });
  server = await startServer(stack, {
    delivery: { timeoutMs: TIMEOUT_MS, concurrency: 8 },
    pageRateLimit: { max: PAGES },
  });
});
afterAll(async () => {
  sse?.close();
  await server?.close();
  await stack?.close();
});

describe('a burst of PagerDuty pages beyond the Events API rate', () => {
  it('sends each page exactly once, never after its lease could run out, and counts no attempt that sent nothing', async () => {
    const token = await stack.token('alice');
    sse = await openSse(`${server.url}/api/v1/events`, { authorization: `Bearer ${token}` });
    await sse.next((e) => e.type === 'snapshot');
    // When each claim (status delivering) reached the requester, by page.
    const claims = new Map<string, number[]>();
    const seenAt = new Map<ServerEvent, number>();
    const stamp = () => {
      for (const e of sse!.events) if (!seenAt.has(e)) seenAt.set(e, Date.now());
    };
    const stamper = setInterval(stamp, 5);

    const sent = await Promise.all(
      Array.from({ length: PAGES }, (_, i) =>
        api(`${server.url}/api/v1/pages`, {
          token,
          body: { summary: `Burst page ${i + 1}`, target: PD_TARGET.id, idempotencyKey: randomKey() },
        }),
      ),
    );
    for (const r of sent) expect(r.status, JSON.stringify(r.body)).toBe(202);
    const ids = sent.map((r) => (r.body as Page).id);

    const pages = await waitFor(
      'every page delivered',
      async () => {
        const all = await Promise.all(
          ids.map(async (id) => (await api(`${server.url}/api/v1/pages/${id}`, { token })).body as Page),
        );
        return all.every((p) => p.status === 'delivered' || p.status === 'acknowledged') ? all : null;
      },
      30_000,
    );
    clearInterval(stamper);
    stamp();

    // Exactly once each: one trigger per dedup key, one incident, one counted attempt, no error shown.
    for (const p of pages) {
      expect(stack.pd!.control.eventCounts(pageEntityId(p.id))).toMatchObject({ trigger: 1, incidents: 1 });
      expect(p).toMatchObject({ attempts: 1, lastError: null });
    }

    // The queue really overflowed: attempts were given back unsent (queued again, with the time of
    // their slot), and the metric says so.
    for (const e of sse.events) {
      if (e.type !== 'page' || !ids.includes(e.data.id) || e.data.status !== 'delivering') continue;
      claims.set(e.data.id, [...(claims.get(e.data.id) ?? []), seenAt.get(e)!]);
    }
    const givenBack = sse.events.filter(
      (e) => e.type === 'page' && ids.includes(e.data.id) && e.data.status === 'queued' && e.data.nextAttemptAt,
    );
    expect(givenBack.length).toBeGreaterThan(0);
    for (const e of givenBack) if (e.type === 'page') expect(e.data).toMatchObject({ attempts: 0, lastError: null });
    const metrics = (await api(`${server.url}/metrics`)).body as string;
    expect(metrics).toMatch(/klaxon_delivery_attempts_total\{outcome="not_sent"\} [1-9]/);

    // Each event reached PagerDuty within the lease of the claim it was sent under (the last claim
    // before it, as its requester heard of it: the claim itself came a little earlier still).
    const events = stack.pd!.control.requests().filter((r) => r.method === 'POST' && r.path === '/v2/enqueue');
    expect(events).toHaveLength(PAGES);
    for (const ev of events) {
      const key = (ev.body as { dedup_key: string }).dedup_key;
      const id = ids.find((x) => pageEntityId(x) === key)!;
      const at = Date.parse(ev.realAt);
      const claimedAt = Math.max(...claims.get(id)!.filter((t) => t <= at + 50));
      expect(at - claimedAt, `page ${id}`).toBeLessThan(LEASE_MS - TIMEOUT_MS);
    }
  });
});
