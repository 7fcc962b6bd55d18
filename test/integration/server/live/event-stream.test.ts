import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page, ServerEvent, ServerEventOf } from '#common/index.js';
import { openSse, type SseConnection } from '#test/support/sse-test-client.js';
import { startLiveStack, viewerHeaders, type LiveStack } from '#test/support/live-stack.js';
import { waitFor } from '#test/support/wait-for.js';
import * as build from '#test/support/builders.js';

let stack: LiveStack | null = null;
const conns: SseConnection[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) {
    expect(c.invalid, 'every event must satisfy the ServerEvent schema').toEqual([]);
    c.close();
  }
  await stack?.close();
  stack = null;
});

async function connect(sub: string, extra: Record<string, string> = {}): Promise<SseConnection> {
  const c = await openSse(`${stack!.url}/api/v1/events`, viewerHeaders(sub, extra));
  conns.push(c);
  return c;
}

const isType =
  <T extends ServerEvent['type']>(t: T) =>
  (e: ServerEvent): e is ServerEventOf<T> =>
    e.type === t;

function page(sub: string, id: string, status: Page['status'] = 'queued'): Page {
  const now = new Date().toISOString();
  return build.page({ id, requester: { sub, name: sub, email: null }, status, createdAt: now, updatedAt: now });
}

const PAGE_A = '5b0e8c1e-7a61-4c1c-9a54-1a7f1c9a0001';
const PAGE_B = '5b0e8c1e-7a61-4c1c-9a54-1a7f1c9a0002';

describe('GET /api/v1/events', () => {
  it('sends SSE headers and a snapshot with incidents and my pages, then live incident events', async () => {
    stack = await startLiveStack({ hub: { pollIntervalSeconds: 60 } });
    stack.pages.set('alice', [page('alice', PAGE_A)]);
    const c = await connect('alice');
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(c.headers['cache-control']).toBe('no-store');
    expect(c.headers['x-accel-buffering']).toBe('no');
    const snap = (await c.next(() => true)) as ServerEventOf<'snapshot'>;
    expect(snap.type).toBe('snapshot');
    expect(snap.data.incidents.incidents.map((i) => i.title).sort()).toEqual([
      'Checkout latency above SLO',
      'Elevated 5xx on edge cache',
      'Nightly export stalled',
    ]);
    expect(snap.data.pages.map((p) => p.id)).toEqual([PAGE_A]);
    expect(stack.events.clientCount()).toBe(1);

    const open = snap.data.incidents.incidents.find((i) => i.phase === 'UNACKED')!;
    stack.sim.control.ack(open.number, 'carol');
    await stack.hub.refreshNow('test');
    const ev = await c.next(isType('incident'));
    expect(ev.data).toMatchObject({
      change: 'updated',
      incident: { number: open.number, phase: 'ACKED', ackedBy: 'carol' },
    });
    expect(Number(ev.id)).toBeGreaterThan(Number(snap.id));
  });

  it('resumes from Last-Event-ID with only the missed events, and falls back to a snapshot for unknown ids', async () => {
    stack = await startLiveStack({ hub: { pollIntervalSeconds: 60 }, events: { ringSize: 3 } });
    const first = await connect('alice');
    const snap = await first.next(isType('snapshot'));
    first.close();
    await waitFor('every SSE client to be gone', () => stack!.events.clientCount() === 0);

    const n = stack.sim.control.createIncident({ title: 'Queue backlog', routingKey: 'sre' });
    await stack.hub.refreshNow('test');
    const resumed = await connect('alice', { 'last-event-id': snap.id });
    const firstEvent = await resumed.next(() => true);
    expect(firstEvent).toMatchObject({
      type: 'incident',
      data: { change: 'opened', incident: { number: n, title: 'Queue backlog' } },
    });
    // Then freshness, so the client need not wait for the next heartbeat.
    await resumed.next(isType('heartbeat'));
    expect(resumed.events.some((e) => e.type === 'snapshot')).toBe(false);

    for (const id of ['not-a-number', '1', String(Number(firstEvent.id) + 1000)]) {
      const c = await connect('alice', { 'last-event-id': id });
      expect((await c.next(() => true)).type).toBe('snapshot');
    }

    // Push the missed event out of the 3-event ring: resuming from before it needs a snapshot.
    for (let i = 0; i < 3; i++) stack.events.publishPage(page('bob', PAGE_B));
    const tooOld = await connect('alice', { 'last-event-id': snap.id });
    expect((await tooOld.next(() => true)).type).toBe('snapshot');
  });

  it("sends page events only to the requester's streams, also on resume", async () => {
    stack = await startLiveStack({ hub: { pollIntervalSeconds: 60 } });
    const alice1 = await connect('alice');
    const alice2 = await connect('alice');
    const bob = await connect('bob');
    const [s] = await Promise.all([
      alice1.next(isType('snapshot')),
      alice2.next(isType('snapshot')),
      bob.next(isType('snapshot')),
    ]);
    stack.events.publishPage(page('alice', PAGE_A, 'delivered'));
    for (const c of [alice1, alice2])
      expect((await c.next(isType('page'))).data).toMatchObject({ id: PAGE_A, status: 'delivered' });
    stack.events.publishPage(page('bob', PAGE_B));
    await bob.next(isType('page'));
    await new Promise((r) => setTimeout(r, 100));
    expect(bob.events.filter((e) => e.type === 'page').map((e) => (e as ServerEventOf<'page'>).data.id)).toEqual([
      PAGE_B,
    ]);
    expect(alice1.events.filter((e) => e.type === 'page').map((e) => (e as ServerEventOf<'page'>).data.id)).toEqual([
      PAGE_A,
    ]);

    const resumedBob = await connect('bob', { 'last-event-id': s!.id });
    await resumedBob.next(isType('heartbeat'));
    expect(resumedBob.events.filter((e) => e.type === 'page').map((e) => (e as ServerEventOf<'page'>).data.id)).toEqual(
      [PAGE_B],
    );
  });

  it('does not lose a page event published while the stream was loading my pages', async () => {
    stack = await startLiveStack({ hub: { pollIntervalSeconds: 60 } });
    stack.duringPagesFor = (sub) => stack!.events.publishPage(page(sub, PAGE_B, 'delivered'));
    const c = await connect('alice');
    await c.next(isType('snapshot'));
    expect((await c.next(isType('page'))).data).toMatchObject({ id: PAGE_B, status: 'delivered' });
  });

  it('sends heartbeats with freshness from one shared timer', async () => {
    stack = await startLiveStack({ hub: { pollIntervalSeconds: 60 }, events: { heartbeatSeconds: 0.3, tickMs: 100 } });
    const a = await connect('alice');
    const b = await connect('bob');
    const hb = await a.next(isType('heartbeat'));
    expect(hb.data).toMatchObject({ stale: false, upstream: { ok: true, error: null } });
    expect(hb.data.fetchedAt).toBe(stack.hub.status().lastSuccessAt);
    const hbB = await b.next((e) => e.type === 'heartbeat' && e.id === hb.id);
    expect(hbB.data).toEqual(hb.data);
  });

  it('ends the stream with a session event when the credential expires', async () => {
    stack = await startLiveStack({ hub: { pollIntervalSeconds: 60 }, events: { tickMs: 100 } });
    const c = await connect('alice', { 'x-test-expires-in-ms': '600' });
    const other = await connect('bob');
    await c.next(isType('snapshot'));
    const t0 = Date.now();
    const s = await c.next(isType('session'), 5000);
    expect(s.data.state).toBe('expired');
    expect(s.data.message).toMatch(/sign-in has expired/);
    await c.waitEnd();
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(other.ended).toBe(false);
    expect(stack.events.clientCount()).toBe(1);

    const late = await connect('carol', { 'x-test-expires-in-ms': '-1000' });
    await late.waitEnd();
    expect(late.events.map((e) => e.type)).toEqual(['session']);
  });

  it('needs the view permission', async () => {
    stack = await startLiveStack({ hub: { pollIntervalSeconds: 60 } });
    const c = await connect('eve', { 'x-test-perms': 'page' });
    expect(c.status).toBe(403);
    conns.pop();
    c.close();
  });

  it('drops a client that stops reading instead of buffering without bound; others keep going', async () => {
    stack = await startLiveStack({ hub: { pollIntervalSeconds: 60 }, events: { maxBufferedBytes: 64 * 1024 } });
    const fast = await connect('alice');
    await fast.next(isType('snapshot'));
    // A raw client that never reads its socket.
    const stalled = http.get(`${stack.url}/api/v1/events`, { headers: viewerHeaders('alice') }, (res) => res.pause());
    stalled.on('error', () => {});
    await waitFor('two SSE clients', () => stack!.events.clientCount() === 2);
    const big = { ...page('alice', PAGE_A), details: 'x'.repeat(4000) };
    for (let i = 0; i < 3000 && stack.events.clientCount() === 2; i++) {
      stack.events.publishPage(big);
      await new Promise((r) => setImmediate(r));
    }
    expect(stack.events.droppedCount()).toBe(1);
    expect(stack.events.clientCount()).toBe(1);
    stalled.destroy();
    stack.events.publishPage(page('alice', PAGE_B));
    await fast.next((e) => e.type === 'page' && e.data.id === PAGE_B);
  });

  it('ends every stream when the server closes', async () => {
    stack = await startLiveStack({ hub: { pollIntervalSeconds: 60 } });
    const c = await connect('alice');
    await c.next(isType('snapshot'));
    const closing = stack.close();
    await c.waitEnd(5000);
    await closing;
    stack = null;
  });
});
