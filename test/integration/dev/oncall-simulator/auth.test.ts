/**
 * Public API authentication (docs/splunk-oncall.md#two-surfaces): 401 missing, 403 unknown,
 * read-only keys GET only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { listIncidents, vo, voHeaders } from '#test/support/vo-client.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ rateLimit: false });
});
afterAll(async () => {
  await sim.close();
});

describe('public API auth', () => {
  it('answers 401 when either header is missing', async () => {
    for (const headers of [{}, { 'X-VO-Api-Id': sim.apiId }, { 'X-VO-Api-Key': sim.apiKey }] as Record<
      string,
      string
    >[]) {
      const r = await vo(sim, 'GET', '/api-public/v1/incidents', undefined, headers);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: 'Authentication parameters missing' });
    }
  });

  it('answers 403 for an unknown key or a wrong API id', async () => {
    const wrongKey = await vo(sim, 'GET', '/api-public/v1/incidents', undefined, voHeaders(sim, 'not-a-key'));
    expect(wrongKey.status).toBe(403);
    const wrongId = await vo(sim, 'GET', '/api-public/v1/incidents', undefined, {
      ...voHeaders(sim),
      'X-VO-Api-Id': 'other-org',
    });
    expect(wrongId.status).toBe(403);
  });

  it('lets the read-only key read but refuses its writes with 403, changing nothing', async () => {
    const ro = voHeaders(sim, sim.readOnlyApiKey);
    expect((await vo(sim, 'GET', '/api-public/v1/incidents', undefined, ro)).status).toBe(200);
    expect((await vo(sim, 'GET', '/api-public/v1/oncall/current', undefined, ro)).status).toBe(200);
    const before = await listIncidents(sim);
    const unacked = before.find((i) => i.currentPhase === 'UNACKED')!;
    const ack = await vo(
      sim,
      'PATCH',
      '/api-public/v1/incidents/ack',
      { userName: 'carol', incidentNames: [unacked.incidentNumber] },
      ro,
    );
    expect(ack.status).toBe(403);
    const create = await vo(
      sim,
      'POST',
      '/api-public/v1/incidents',
      { summary: 's', details: 'd', userName: 'carol', targets: [{ type: 'User', slug: 'carol' }] },
      ro,
    );
    expect(create.status).toBe(403);
    const after = await listIncidents(sim);
    expect(after).toHaveLength(before.length);
    expect(after.find((i) => i.incidentNumber === unacked.incidentNumber)!.currentPhase).toBe('UNACKED');
  });

  it('does not ask the REST endpoint for VO headers', async () => {
    const res = await fetch(`${sim.restEndpointBaseUrl}/${sim.restEndpointKey}/sre`, {
      method: 'POST',
      body: JSON.stringify({ message_type: 'INFO' }),
    });
    expect(res.status).toBe(200);
  });
});
