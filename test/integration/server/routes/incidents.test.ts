import { afterEach, describe, expect, it } from 'vitest';
import { AckResult, ErrorBody, IncidentSnapshot } from '#common/index.js';
import { startLiveStack, viewerHeaders, type LiveStack } from '#test/support/live-stack.js';

let stack: LiveStack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${stack!.url}${path}`, { headers });
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${stack!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('GET /api/v1/incidents', () => {
  it('serves the snapshot to viewers only', async () => {
    stack = await startLiveStack();
    expect((await get('/api/v1/incidents')).status).toBe(401);
    const res = await get('/api/v1/incidents', viewerHeaders('alice'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const snap = IncidentSnapshot.parse(await res.json());
    expect(snap.incidents).toHaveLength(3);
    expect(snap).toMatchObject({ stale: false, upstream: { ok: true }, windowMinutes: 60, pollIntervalSeconds: 10 });
  });
});

describe('POST /api/v1/incidents/:number/ack', () => {
  const openIncident = () =>
    (stack!.sim.control.incidents() as { incidentNumber: string; currentPhase: string }[]).find(
      (i) => i.currentPhase === 'UNACKED',
    )!.incidentNumber;

  it("acknowledges as the person's own On-Call user, with a message naming them", async () => {
    stack = await startLiveStack({ ackAsUser: 'klaxon-bot' });
    const n = openIncident();
    const res = await post(
      `/api/v1/incidents/${n}/ack`,
      { message: 'looking' },
      viewerHeaders('carol-sub', { 'x-test-username': 'carol', 'x-test-name': 'Carol Okafor' }),
    );
    expect(res.status).toBe(200);
    const body = AckResult.parse(await res.json());
    expect(body).toMatchObject({ accepted: true, incident: { number: n, phase: 'ACKED', ackedBy: 'carol' } });
    const wire = (
      stack.sim.control.incidents() as { incidentNumber: string; transitions: { by: string; message: string }[] }[]
    ).find((i) => i.incidentNumber === n)!;
    expect(wire.transitions.at(-1)).toMatchObject({
      by: 'carol',
      message: 'Acknowledged in Klaxon by Carol Okafor: looking',
    });
  });

  it('falls back to the configured service user for people who are not On-Call users', async () => {
    stack = await startLiveStack({ ackAsUser: 'dmitri' });
    const n = openIncident();
    const res = await post(
      `/api/v1/incidents/${n}/ack`,
      {},
      viewerHeaders('alice-sub', { 'x-test-username': 'alice', 'x-test-name': 'Alice Andersen' }),
    );
    const body = AckResult.parse(await res.json());
    expect(body).toMatchObject({ accepted: true, incident: { phase: 'ACKED', ackedBy: 'dmitri' } });
    expect(body.message).toMatch(/as dmitri/);
  });

  it('refuses with 409 when the person is not an On-Call user and no service user is set', async () => {
    stack = await startLiveStack();
    const n = openIncident();
    const res = await post(
      `/api/v1/incidents/${n}/ack`,
      {},
      viewerHeaders('alice-sub', { 'x-test-username': 'alice' }),
    );
    expect(res.status).toBe(409);
    expect(ErrorBody.parse(await res.json()).error.message).toMatch(/not an On-Call user.*oncall\.ackAsUser/);
    expect(stack.sim.control.requests().some((r) => r.path === '/api-public/v1/incidents/ack')).toBe(false);
  });

  it('validates the number and body, needs the acknowledge permission, and reports a refused ack', async () => {
    stack = await startLiveStack({ ackAsUser: 'dmitri' });
    const who = viewerHeaders('carol-sub', { 'x-test-username': 'carol' });
    expect((await post('/api/v1/incidents/12a/ack', {}, who)).status).toBe(400);
    const unknownKey = await post('/api/v1/incidents/1/ack', { msg: 'x' }, who);
    expect(unknownKey.status).toBe(400);
    expect(ErrorBody.parse(await unknownKey.json()).error.field).toBe('msg');
    expect(
      (await post('/api/v1/incidents/1/ack', {}, viewerHeaders('bob', { 'x-test-perms': 'view,page' }))).status,
    ).toBe(403);
    const acked = (stack.sim.control.incidents() as { incidentNumber: string; currentPhase: string }[]).find(
      (i) => i.currentPhase === 'ACKED',
    )!.incidentNumber;
    const res = await post(`/api/v1/incidents/${acked}/ack`, {}, who);
    expect(res.status).toBe(200);
    const body = AckResult.parse(await res.json());
    expect(body.accepted).toBe(false);
    expect(body.message).toMatch(new RegExp(`did not acknowledge incident #${acked}`));
  });

  it('answers 502 when On-Call fails, and does not retry the write', async () => {
    stack = await startLiveStack({ ackAsUser: 'dmitri' });
    stack.sim.control.setFaults({ errorRate: 1, errorStatus: 500, paths: ['/api-public/v1/incidents/ack'] });
    stack.sim.control.clearRequests();
    const res = await post(
      `/api/v1/incidents/${openIncident()}/ack`,
      {},
      viewerHeaders('carol-sub', { 'x-test-username': 'carol' }),
    );
    expect(res.status).toBe(502);
    expect(ErrorBody.parse(await res.json()).error.message).toMatch(
      /not acknowledged.*HTTP 500.*acknowledge in the On-Call app/,
    );
    expect(stack.sim.control.requests().filter((r) => r.path === '/api-public/v1/incidents/ack')).toHaveLength(1);
  });
});
