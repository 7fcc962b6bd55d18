// buildApp with a paging backend that is not On-Call: a page goes from `POST /api/v1/pages` to the
// backend, to its incident, to "acknowledged", through the PagingBackend interface alone. Requests
// go in with app.inject (no port), storage is SQLite in memory.
import { afterEach, describe, expect, it } from 'vitest';
import { AckResult, type OnCallNow, type Page } from '#common/index.js';
import type { PagingBackend } from '#server/backends/paging-backend.js';
import { MemoryBackend, startMemoryApp, type MemoryApp } from '#test/support/memory-backend.js';

let klaxon: MemoryApp | null = null;
afterEach(async () => {
  await klaxon?.close();
  klaxon = null;
});

async function start(backend: PagingBackend): Promise<MemoryApp> {
  klaxon = await startMemoryApp(backend);
  return klaxon;
}

async function eventually<T>(what: string, fn: () => Promise<T | null>): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the app over another paging backend', () => {
  it('accepts a page, sends it, follows its incident and its acknowledgement', async () => {
    const backend = new MemoryBackend();
    const { app } = await start(backend);
    const alice = { 'x-test-sub': 'alice', 'x-test-name': 'Alice' };

    const accepted = await app.inject({
      method: 'POST',
      url: '/api/v1/pages',
      headers: alice,
      payload: { summary: 'Checkout is down', idempotencyKey: 'key-0123456789abcdef' },
    });
    expect(accepted.statusCode).toBe(202);
    const page = accepted.json<Page>();
    expect(accepted.headers.location).toBe(`/api/v1/pages/${page.id}`);
    expect(page).toMatchObject({ status: 'queued', target: { id: 'sre' } });

    const getPage = async () => (await app.inject({ url: `/api/v1/pages/${page.id}`, headers: alice })).json<Page>();
    const delivered = await eventually('the page to find its incident', async () => {
      const p = await getPage();
      return p.incidentNumber ? p : null;
    });
    expect(delivered.status).toBe('delivered');
    expect(backend.sent).toEqual([{ pageId: page.id, routingKey: 'sre', at: expect.any(Number) }]);

    const ack = await app.inject({
      method: 'POST',
      url: `/api/v1/incidents/${delivered.incidentNumber}/ack`,
      headers: { 'x-test-sub': 'carol-sub', 'x-test-username': 'carol', 'x-test-name': 'Carol' },
      payload: {},
    });
    expect(ack.statusCode).toBe(200);
    expect(AckResult.parse(ack.json())).toMatchObject({
      accepted: true,
      incident: { phase: 'ACKED', ackedBy: 'carol' },
    });
    const acked = await eventually('the page to be acknowledged', async () => {
      const p = await getPage();
      return p.status === 'acknowledged' ? p : null;
    });
    expect(acked.ackedBy).toBe('carol');
  });

  it('answers who is on call from the backend, and 409 when nobody the backend knows can acknowledge', async () => {
    const { app } = await start(new MemoryBackend());
    const oncall = await app.inject({ url: '/api/v1/oncall', headers: { 'x-test-sub': 'alice' } });
    expect(oncall.statusCode).toBe(200);
    expect(oncall.json<OnCallNow>().teams[0]?.policies[0]?.users[0]?.username).toBe('carol');
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/incidents/100/ack',
      headers: { 'x-test-sub': 'bob', 'x-test-username': 'bob' },
      payload: {},
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: { code: 'conflict' } });
  });
});
