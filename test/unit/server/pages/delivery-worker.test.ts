// The delivery worker (server/pages/delivery-worker.ts) when the paging service comes back: failing
// pages go out at once instead of waiting out a backoff of up to a minute, and every page's
// nextAttemptAt says when the worker really tries next.
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from '#common/index.js';
import { openSse } from '#test/support/sse-test-client.js';
import { MemoryBackend, startMemoryApp, type MemoryApp } from '#test/support/memory-backend.js';

let klaxon: MemoryApp | null = null;
afterEach(async () => {
  await klaxon?.close();
  klaxon = null;
});

const alice = { 'x-test-sub': 'alice' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sendPage(app: MemoryApp): Promise<string> {
  const r = await app.app.inject({
    method: 'POST',
    url: '/api/v1/pages',
    headers: alice,
    payload: { summary: 'Checkout is down', idempotencyKey: `key-${crypto.randomUUID()}` },
  });
  expect(r.statusCode).toBe(202);
  return r.json<Page>().id;
}

const pageOf = async (app: MemoryApp, id: string) =>
  (await app.app.inject({ url: `/api/v1/pages/${id}`, headers: alice })).json<Page>();

describe('delivery when the paging service recovers', () => {
  it(
    'a failing page is delivered within a second of the service answering again, not after its backoff',
    { timeout: 60_000 },
    async () => {
      const backend = new MemoryBackend();
      backend.down = 'On-Call is not answering';
      klaxon = await startMemoryApp(backend, {
        oncall: { pollIntervalSeconds: 2 },
        // Up to a minute between attempts: the backoff a page can be in when the service comes back.
        delivery: { baseDelayMs: 60_000, maxDelayMs: 60_000, giveUpAfterMinutes: 30 },
      });
      const app = klaxon;
      const id = await sendPage(app);
      // Wait for an attempt that failed with its next attempt at least 10 s away (the backoff's
      // jitter may pick a short delay first).
      let failing: Page | null = null;
      for (let i = 0; i < 600 && !failing; i++) {
        const p = await pageOf(app, id);
        if (p.status === 'failing' && p.nextAttemptAt && Date.parse(p.nextAttemptAt) - Date.now() > 10_000) failing = p;
        else await sleep(50);
      }
      expect(failing, 'a failing page waiting ≥ 10 s').not.toBeNull();

      const sse = await openSse(`${await app.app.listen({ host: '127.0.0.1', port: 0 })}/api/v1/events`, alice);
      let recoveredAt = 0;
      app.hub.on('status', (s) => {
        if (s.ok && !recoveredAt) recoveredAt = Date.now();
      });
      backend.down = null;
      for (let i = 0; i < 200 && (await pageOf(app, id)).status !== 'delivered'; i++) await sleep(50);
      const delivered = await pageOf(app, id);
      expect(delivered.status).toBe('delivered');
      expect(recoveredAt).toBeGreaterThan(0);
      expect(Date.parse(delivered.deliveredAt!) - recoveredAt).toBeLessThan(1_000);
      expect(Date.parse(delivered.deliveredAt!)).toBeLessThan(Date.parse(failing!.nextAttemptAt!));
      // The requester saw the page made due at once before it went out.
      const due = await sse.next(
        (e) =>
          e.type === 'page' &&
          e.data.id === id &&
          e.data.status === 'failing' &&
          e.data.nextAttemptAt !== null &&
          Date.parse(e.data.nextAttemptAt) <= Date.now(),
      );
      expect(due.type === 'page' && Date.parse(due.data.nextAttemptAt!)).toBeGreaterThanOrEqual(recoveredAt - 50);
      sse.close();
    },
  );

  it('nextAttemptAt is when the worker really tries next', { timeout: 30_000 }, async () => {
    const backend = new MemoryBackend();
    backend.alertsFailing = 'On-Call refused the alert for now';
    klaxon = await startMemoryApp(backend, {
      oncall: { pollIntervalSeconds: 60 },
      delivery: { baseDelayMs: 400, maxDelayMs: 800, giveUpAfterMinutes: 30 },
    });
    const app = klaxon;
    const sse = await openSse(`${await app.app.listen({ host: '127.0.0.1', port: 0 })}/api/v1/events`, alice);
    const id = await sendPage(app);
    while (backend.attempts.filter((a) => a.pageId === id).length < 6) await sleep(50);
    const promised = sse.events
      .filter((e) => e.type === 'page' && e.data.id === id && e.data.status === 'failing')
      .map((e) => (e.type === 'page' ? Date.parse(e.data.nextAttemptAt!) : 0));
    const attempts = backend.attempts.filter((a) => a.pageId === id).map((a) => a.at);
    // Each failure's promise is kept by the attempt after it: not before, and at most 150 ms late.
    for (let i = 0; i < 4; i++) {
      expect(attempts[i + 1]! - promised[i]!).toBeGreaterThanOrEqual(0);
      expect(attempts[i + 1]! - promised[i]!).toBeLessThan(150);
    }
    sse.close();
  });

  it(
    'while retries wait for the first look at the service (after a start), nextAttemptAt says so',
    { timeout: 40_000 },
    async () => {
      const backend = new MemoryBackend();
      backend.down = 'On-Call is not answering';
      klaxon = await startMemoryApp(backend, {
        oncall: { pollIntervalSeconds: 60 },
        delivery: { baseDelayMs: 400, maxDelayMs: 800, giveUpAfterMinutes: 30 },
      });
      const app = klaxon;
      const sse = await openSse(`${await app.app.listen({ host: '127.0.0.1', port: 0 })}/api/v1/events`, alice);
      const id = await sendPage(app);
      const mine = (status: Page['status']) =>
        sse.events.flatMap((e) => (e.type === 'page' && e.data.id === id && e.data.status === status ? [e.data] : []));
      // The first attempt fails; the next one must wait for the hub's first poll (or 15 s).
      while (mine('delivering').length < 2) await sleep(100);
      const promised = Date.parse(mine('failing')[0]!.nextAttemptAt!);
      const tried = Date.parse(mine('delivering')[1]!.updatedAt);
      expect(tried - promised).toBeGreaterThanOrEqual(-50);
      expect(tried - promised).toBeLessThan(300);
      sse.close();
    },
  );
});
