// Acknowledgements keep their person (against the realistic On-Call org, over HTTP): an
// acknowledgement made in Klaxon shows "Alice Andersen (via Klaxon)" although it was sent as the
// service user; On-Call users show their display names; a multi-responder incident is not shown
// acknowledged before On-Call says so.
import { afterEach, describe, expect, it } from 'vitest';
import { AckResult, IncidentSnapshot, Page, type Incident, type ServerEvent } from '#common/index.js';
import { openSse } from '#test/support/sse-test-client.js';
import { startLiveStack, viewerHeaders, type LiveStack } from '#test/support/live-stack.js';
import { waitFor } from '#test/support/wait-for.js';

let stack: LiveStack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

const alice = viewerHeaders('alice-sub', { 'x-test-username': 'alice', 'x-test-name': 'Alice Andersen' });
const carol = viewerHeaders('carol-sub', { 'x-test-username': 'carol', 'x-test-name': 'Carol Okafor' });
const priya = viewerHeaders('priya-sub', { 'x-test-username': 'priya', 'x-test-name': 'Priya Raman' });

async function post(path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${stack!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

const snapshotIncident = async (n: string): Promise<Incident | undefined> => {
  const res = await fetch(`${stack!.url}/api/v1/incidents`, { headers: alice });
  return IncidentSnapshot.parse(await res.json()).incidents.find((i) => i.number === n);
};

/** Asks until the answer passes `ok` (or fails the test after `timeoutMs`). */
async function eventually<T>(ask: () => Promise<T>, ok: (t: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const t = await ask();
    if (ok(t)) return t;
    if (Date.now() > end) throw new Error(`not as expected in time: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const updateOf = (n: string) => (e: ServerEvent) =>
  e.type === 'incident' && e.data.incident.number === n && e.data.incident.phase === 'ACKED';

describe('who acknowledged, as people read it', () => {
  it('an acknowledgement made in Klaxon as the service user shows the person, in the answer, the stream and the snapshot', async () => {
    stack = await startLiveStack({ sim: { org: 'realistic' }, ackAsUser: 'klaxon' });
    const sse = await openSse(`${stack.url}/api/v1/events`, alice);
    try {
      await sse.next((e) => e.type === 'snapshot');
      const { status, body } = await post('/api/v1/incidents/1042/ack', {}, alice);
      expect(status).toBe(200);
      const ack = AckResult.parse(body);
      expect(ack).toMatchObject({
        accepted: true,
        incident: { number: '1042', phase: 'ACKED', ackedBy: 'klaxon', ackedByName: 'Alice Andersen (via Klaxon)' },
      });
      const ev = await sse.next(
        (e) => updateOf('1042')(e) && e.type === 'incident' && e.data.incident.ackedByName !== undefined,
      );
      expect(ev.type === 'incident' && ev.data.incident.ackedByName).toBe('Alice Andersen (via Klaxon)');
      expect(await snapshotIncident('1042')).toMatchObject({ ackedByName: 'Alice Andersen (via Klaxon)' });
      expect(sse.invalid).toEqual([]);
    } finally {
      sse.close();
    }
  });

  it("an acknowledgement made in On-Call shows the user's display name (Jo Kowalski, not jo)", async () => {
    stack = await startLiveStack({ sim: { org: 'realistic' }, hub: { pollIntervalSeconds: 2 } });
    const sse = await openSse(`${stack.url}/api/v1/events`, alice);
    try {
      await sse.next((e) => e.type === 'snapshot');
      // Names are asked for with the first poll and shown from the next one on: dmitri's acknowledgement of 1041.
      const named = await sse.next((e) => e.type === 'incident' && e.data.incident.number === '1041');
      expect(named.type === 'incident' && named.data.incident).toMatchObject({
        ackedBy: 'dmitri',
        ackedByName: 'Dmitri Ivanov',
      });
      stack.sim.control.ack('1042', 'jo');
      const ev = await sse.next(updateOf('1042'));
      expect(ev.type === 'incident' && ev.data.incident).toMatchObject({ ackedBy: 'jo', ackedByName: 'Jo Kowalski' });
    } finally {
      sse.close();
    }
  });

  it('a page acknowledged in Klaxon by someone without an On-Call account names them', async () => {
    stack = await startLiveStack({ sim: { org: 'realistic' }, ackAsUser: 'klaxon', hub: { pollIntervalSeconds: 2 } });
    const sent = await post('/api/v1/pages', { summary: 'Login broken', idempotencyKey: 'ack-by-klaxon-0001' }, alice);
    expect(sent.status).toBe(202);
    const pageId = Page.parse(sent.body).id;
    const getPage = async () =>
      Page.parse(await (await fetch(`${stack!.url}/api/v1/pages/${pageId}`, { headers: alice })).json());
    const { incidentNumber } = await eventually(getPage, (p) => p.incidentNumber !== null, 15_000);
    expect((await post(`/api/v1/incidents/${incidentNumber!}/ack`, {}, alice)).status).toBe(200);
    const page = await eventually(getPage, (p) => p.ackedByName === 'Alice Andersen (via Klaxon)');
    expect(page).toMatchObject({ status: 'acknowledged', ackedBy: 'klaxon' });
  });
});

describe('no optimistic ACKED on a multi-responder incident', () => {
  it('an accepted acknowledgement from one team leaves it unacknowledged until every team has acknowledged', async () => {
    stack = await startLiveStack({ sim: { org: 'realistic' }, hub: { pollIntervalSeconds: 2 } });
    // major-incident: SRE Primary and Platform Primary, each must acknowledge (the key's Multi-Responder mark).
    const n = stack.sim.control.createIncident({ title: 'Everything is down', routingKey: 'major-incident' });
    await waitFor(
      'the incident in the snapshot',
      () => stack!.hub.snapshot().incidents.some((i) => i.number === n),
      10_000,
    );

    const first = await post(`/api/v1/incidents/${n}/ack`, {}, carol);
    expect(first.status).toBe(200);
    const answer = AckResult.parse(first.body);
    expect(answer.accepted).toBe(true);
    expect(answer.incident).toMatchObject({ number: n, phase: 'UNACKED' });
    expect(answer.message).toMatch(/accepted the acknowledgement.*does not list it as acknowledged yet/);
    // Still not acknowledged after further polls: On-Call's own phase is what counts.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await snapshotIncident(n))?.phase).toBe('UNACKED');

    const second = AckResult.parse((await post(`/api/v1/incidents/${n}/ack`, {}, priya)).body);
    expect(second).toMatchObject({
      accepted: true,
      incident: { phase: 'ACKED', ackedBy: 'priya', ackedByName: 'Priya Raman (via Klaxon)' },
    });
    expect(second.message).toMatch(/is acknowledged in On-Call \(as priya\)/);
  });
});
