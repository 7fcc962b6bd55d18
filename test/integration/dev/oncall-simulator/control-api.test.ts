/** The `/_sim/` control plane over HTTP: what tests and the demo use to drive the simulator. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { control, listIncidents, vo } from '#test/support/vo-client.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ rateLimit: false });
});
beforeEach(() => {
  sim.control.reset('demo');
  sim.control.clearRequests();
});
afterAll(async () => {
  await sim.close();
});

describe('control API', () => {
  it('resets to the empty or the demo seed', async () => {
    expect((await control(sim, 'POST', '/reset', { seed: 'empty' })).status).toBe(200);
    expect(await listIncidents(sim)).toEqual([]);
    await control(sim, 'POST', '/reset', { seed: 'demo' });
    // The realistic org's demo seed: the tidy org's two incidents plus one that pages nobody.
    expect((await listIncidents(sim)).map((i) => i.currentPhase).sort()).toEqual(['ACKED', 'UNACKED', 'UNACKED']);
    expect((await control(sim, 'POST', '/reset', { seed: 'bogus' })).status).toBe(400);
  });

  it('logs every On-Call request (method, path without query, status) and clears the log; control calls are not logged', async () => {
    await vo(sim, 'GET', '/api-public/v1/incidents?secret=abc');
    await vo(sim, 'GET', '/api-public/v1/incidents/999999');
    const log = await control(sim, 'GET', '/requests');
    const entries = (log.body as { requests: { method: string; path: string; status: number; at: string }[] }).requests;
    expect(entries.map((e) => [e.method, e.path, e.status])).toEqual([
      ['GET', '/api-public/v1/incidents', 200],
      ['GET', '/api-public/v1/incidents/999999', 404],
    ]);
    expect(Date.parse(entries[0]!.at)).not.toBeNaN();
    expect((await control(sim, 'DELETE', '/requests')).status).toBe(200);
    expect(((await control(sim, 'GET', '/requests')).body as { requests: unknown[] }).requests).toEqual([]);
  });

  it('creates, acks and resolves incidents as if in the On-Call app', async () => {
    const created = await control(sim, 'POST', '/incidents', {
      title: 'Created by test',
      routingKey: 'platform',
      entityId: 'ctl/1',
    });
    expect(created.status).toBe(201);
    const n = (created.body as { incidentNumber: string }).incidentNumber;
    let inc = (await listIncidents(sim)).find((i) => i.incidentNumber === n)!;
    expect(inc).toMatchObject({
      entityId: 'ctl/1',
      entityDisplayName: 'Created by test',
      currentPhase: 'UNACKED',
      pagedUsers: ['priya'],
      pagedTeams: ['team-pltKLX0000000002'],
    });

    const acked = await control(sim, 'POST', `/incidents/${n}/ack`, { userName: 'sam', message: 'mine' });
    expect(acked.status).toBe(200);
    inc = (await listIncidents(sim)).find((i) => i.incidentNumber === n)!;
    expect(inc.currentPhase).toBe('ACKED');
    expect((inc.transitions as unknown[]).at(-1)).toMatchObject({
      name: 'ACKED',
      by: 'sam',
      message: 'mine',
      manually: true,
    });

    expect((await control(sim, 'POST', `/incidents/${n}/ack`, { userName: 'nobody' })).status).toBe(404);
    expect((await control(sim, 'POST', `/incidents/${n}/resolve`, { userName: 'sam' })).status).toBe(200);
    expect((await control(sim, 'POST', `/incidents/${n}/resolve`, { userName: 'sam' })).status).toBe(409);
    const all = (
      (await control(sim, 'GET', '/incidents')).body as {
        incidents: { incidentNumber: string; currentPhase: string }[];
      }
    ).incidents;
    expect(all.find((i) => i.incidentNumber === n)!.currentPhase).toBe('RESOLVED');
  });

  it('answers loopback callers only, and unknown control paths with 404', async () => {
    expect((await control(sim, 'GET', '/nope')).status).toBe(404);
  });

  it('changes who is on call', async () => {
    expect(
      (await control(sim, 'POST', '/oncall', { policySlug: 'pol-sreprimary00001', usernames: ['dmitri'] })).status,
    ).toBe(200);
    const r = await vo(sim, 'GET', '/api-public/v1/oncall/current');
    expect(JSON.stringify(r.body)).toContain('"onCalluser":{"username":"dmitri"}');
    const created = sim.control.createIncident({ title: 'After handover', routingKey: 'sre' });
    expect(sim.control.incidents().find((i) => i.incidentNumber === created)!.pagedUsers).toEqual(['dmitri']);
  });
});
