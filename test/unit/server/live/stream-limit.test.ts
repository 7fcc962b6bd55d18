// The per-person cap on event streams (events.maxStreamsPerUser, server/live/event-stream.ts): one
// person cannot hold an unbounded number of streams, each with its snapshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse, type SseConnection } from '#test/support/sse-test-client.js';
import { api } from '#test/support/server-stack.js';
import { MemoryBackend, startMemoryApp, type MemoryApp } from '#test/support/memory-backend.js';

let klaxon: MemoryApp;
let url: string;
beforeAll(async () => {
  klaxon = await startMemoryApp(new MemoryBackend(), { events: { maxStreamsPerUser: 2 } });
  url = await klaxon.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => klaxon.close());

const as = (sub: string) => ({ 'x-test-sub': sub });
const snapshotOf = async (c: SseConnection) => c.next((e) => e.type === 'snapshot');

describe('event streams per person', () => {
  it('refuses a stream over the limit with a sentence naming it; others and freed slots are unaffected', async () => {
    const a1 = await openSse(`${url}/api/v1/events`, as('alice'));
    const a2 = await openSse(`${url}/api/v1/events`, as('alice'));
    await snapshotOf(a1);
    await snapshotOf(a2);

    const refused = await api(`${url}/api/v1/events`, { headers: as('alice') });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: {
        code: 'rate_limited',
        message:
          'Klaxon is open in too many windows or devices for you (the limit is 2, events.maxStreamsPerUser on the Klaxon server). Close one and Klaxon reconnects by itself.',
        retryAfterSeconds: 30,
      },
    });
    expect(refused.headers.get('retry-after')).toBe('30');
    // The web UI's EventSource cannot read that answer, so it asks the admission route, which says the same.
    const asked = await api(`${url}/api/v1/events/admission`, { headers: as('alice') });
    expect(asked.status).toBe(429);
    expect(asked.body).toEqual(refused.body);
    expect(klaxon.events.clientCount()).toBe(2); // asking opened no stream

    expect((await api(`${url}/api/v1/events/admission`, { headers: as('bob') })).status).toBe(204);
    const b1 = await openSse(`${url}/api/v1/events`, as('bob'));
    await snapshotOf(b1);

    a1.close();
    await a1.waitEnd();
    for (let i = 0; i < 50 && klaxon.events.clientCount() > 2; i++) await new Promise((r) => setTimeout(r, 20));
    const a3 = await openSse(`${url}/api/v1/events`, as('alice'));
    expect(a3.status).toBe(200);
    await snapshotOf(a3);
    for (const c of [a2, a3, b1]) c.close();
  });
});
