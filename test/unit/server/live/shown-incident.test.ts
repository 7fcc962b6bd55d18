// What clients receive of an incident (server/live/shown-incident.ts): only what the renderer and
// the desktop show. The server keeps the rest (entity id, routing key, alert count, times) for
// itself: pages still find their incidents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckResult, IncidentSnapshot, type Page } from '#common/index.js';
import { shownIncident } from '#server/live/shown-incident.js';
import { openSse } from '#test/support/sse-test-client.js';
import { MemoryBackend, memoryIncident, startMemoryApp, type MemoryApp } from '#test/support/memory-backend.js';

const SHOWN = ['ackedBy', 'link', 'number', 'pagedUsers', 'phase', 'startedAt', 'teams', 'title'];

let backend: MemoryBackend;
let klaxon: MemoryApp;
let url: string;
beforeAll(async () => {
  backend = new MemoryBackend();
  backend.incidents = [
    memoryIncident('7', {
      entityId: 'edge-cache/5xx-rate',
      routingKey: 'sre',
      alertCount: 3,
      lastAlertAt: new Date().toISOString(),
      link: 'https://portal.victorops.com/client/demo/popoutIncident?incidentName=7',
    }),
  ];
  klaxon = await startMemoryApp(backend, { oncall: { pollIntervalSeconds: 2 } });
  url = await klaxon.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => klaxon.close());

const alice = { 'x-test-sub': 'alice', 'x-test-username': 'carol' };

describe('incidents as clients receive them', () => {
  it('GET /api/v1/incidents and the event-stream snapshot carry only the fields clients show', async () => {
    await klaxon.hub.refreshNow('test');
    const list = await klaxon.app.inject({ url: '/api/v1/incidents', headers: alice });
    const snapshot = IncidentSnapshot.parse(list.json());
    expect(Object.keys(snapshot.incidents[0]!).sort()).toEqual(SHOWN);

    const sse = await openSse(`${url}/api/v1/events`, alice);
    const first = await sse.next((e) => e.type === 'snapshot');
    expect(first.type === 'snapshot' && Object.keys(first.data.incidents.incidents[0]!).sort()).toEqual(SHOWN);

    // A change reaches clients trimmed too.
    backend.incidents = [...backend.incidents, memoryIncident('8', { entityId: 'x', alertCount: 1 })];
    await klaxon.hub.refreshNow('test');
    const opened = await sse.next((e) => e.type === 'incident' && e.data.incident.number === '8');
    expect(opened.type === 'incident' && Object.keys(opened.data.incident).sort()).toEqual(SHOWN);
    sse.close();
  });

  it('an acknowledgement answers with the trimmed incident; pages still find their incidents', async () => {
    const ack = await klaxon.app.inject({
      method: 'POST',
      url: '/api/v1/incidents/7/ack',
      headers: alice,
      payload: {},
    });
    const result = AckResult.parse(ack.json());
    // Acknowledged in Klaxon: the name people read comes along (live/incident-presenter.ts).
    expect(Object.keys(result.incident!).sort()).toEqual([...SHOWN, 'ackedByName'].sort());
    expect(result.incident).toMatchObject({ phase: 'ACKED', ackedBy: 'carol', ackedByName: 'alice (via Klaxon)' });

    const accepted = await klaxon.app.inject({
      method: 'POST',
      url: '/api/v1/pages',
      headers: alice,
      payload: { summary: 'Checkout is down', idempotencyKey: `key-${crypto.randomUUID()}` },
    });
    const id = accepted.json<Page>().id;
    for (let i = 0; i < 200; i++) {
      const p = (await klaxon.app.inject({ url: `/api/v1/pages/${id}`, headers: alice })).json<Page>();
      if (p.incidentNumber) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the page never found its incident');
  });
});

describe('shownIncident', () => {
  it("keeps what the presenter joined for people (acknowledger's name, Klaxon's escalation, provisional) and drops the rest", () => {
    const escalation = {
      to: 'SRE Batphone',
      at: '2026-11-22T03:12:00.000Z',
      reason: 'nobody_paged' as const,
      requestedBy: null,
      afterMinutes: null,
    };
    const full = memoryIncident('9', {
      phase: 'ACKED',
      ackedBy: 'klaxon',
      ackedByName: 'Alice Andersen (via Klaxon)',
      resolvedBy: 'carol',
      resolvedByName: 'Carol Okafor',
      escalation,
      provisional: true,
    });
    const shown = shownIncident(full);
    expect(Object.keys(shown).sort()).toEqual([...SHOWN, 'ackedByName', 'escalation', 'provisional'].sort());
    expect(shown).toMatchObject({ ackedByName: 'Alice Andersen (via Klaxon)', escalation, provisional: true });
    // Nothing joined: nothing added.
    expect(Object.keys(shownIncident(memoryIncident('10'))).sort()).toEqual(SHOWN);
  });
});
