/**
 * Maintenance mode (docs/splunk-oncall.md#maintenance-mode): global or per routing key, through the
 * public API and the control API. A muted key still opens incidents, but they page nobody until the
 * mode ends; then triggered ones page from the first step.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO_TEAM_PLATFORM, startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { alert, byEntity, control, vo, voHeaders, type WireIncidentLike } from '#test/support/vo-client.js';

/** The spec's MaintenanceModeState, key for key. */
const State = z
  .object({
    companyId: z.string(),
    activeInstances: z.array(
      z
        .object({
          instanceId: z.string(),
          isGlobal: z.boolean(),
          startedAt: z.number().int(),
          startedBy: z.string(),
          purpose: z.string(),
          targets: z.array(z.object({ type: z.literal('RoutingKeys'), names: z.array(z.string()) }).strict()),
        })
        .strict(),
    ),
  })
  .strict();

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ rateLimit: false, org: 'realistic', seed: 'empty' });
});
beforeEach(() => {
  sim.control.reset('empty', 'realistic');
  sim.control.setSwitches({ mutedPagedTeams: 'empty', maintenanceModeLimit: null });
});
afterAll(async () => {
  await sim.close();
});

async function one(entityId: string): Promise<WireIncidentLike> {
  return (await byEntity(sim, entityId))[0]!;
}

async function start(body: unknown) {
  return vo(sim, 'POST', '/api-public/v1/maintenancemode/start', body);
}

describe('GET /api-public/v1/maintenancemode and POST …/start, PUT …/{id}/end (maintenance-mode)', () => {
  it('starts a mode for routing keys and reports it in the spec’s shape, started by PUBLICAPI', async () => {
    const empty = State.parse((await vo(sim, 'GET', '/api-public/v1/maintenancemode')).body);
    expect(empty.activeInstances).toEqual([]);
    sim.control.freeze();
    const startedAt = sim.control.now();
    const r = await start({ type: 'RoutingKeys', names: ['platform'], purpose: 'DB upgrade' });
    sim.control.unfreeze();
    expect(r.status).toBe(200);
    const state = State.parse(r.body);
    expect(state.activeInstances).toEqual([
      {
        instanceId: expect.any(String),
        isGlobal: false,
        startedAt,
        startedBy: 'PUBLICAPI',
        purpose: 'DB upgrade',
        targets: [{ type: 'RoutingKeys', names: ['platform'] }],
      },
    ]);
    const id = state.activeInstances[0]!.instanceId;
    const ended = await vo(sim, 'PUT', `/api-public/v1/maintenancemode/${id}/end`);
    expect(ended.status).toBe(200);
    expect(State.parse(ended.body).activeInstances).toEqual([]);
    expect((await vo(sim, 'PUT', `/api-public/v1/maintenancemode/${id}/end`)).status).toBe(404);
  });

  it('treats an empty list of names as global, and allows one global mode only (409)', async () => {
    const global = State.parse((await start({ type: 'RoutingKeys', names: [] })).body);
    expect(global.activeInstances[0]).toMatchObject({ isGlobal: true, targets: [{ names: [] }] });
    const again = await start({ names: [] });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: expect.any(String) });
    // Key-scoped modes may still start, and may overlap.
    expect((await start({ names: ['sre'] })).status).toBe(200);
    expect((await start({ names: ['sre', 'platform'] })).status).toBe(200);
    expect(State.parse((await vo(sim, 'GET', '/api-public/v1/maintenancemode')).body).activeInstances).toHaveLength(3);
  });

  it('answers 420 past maintenanceModeLimit, and 400 for a malformed body', async () => {
    sim.control.setSwitches({ maintenanceModeLimit: 1 });
    expect((await start({ names: ['sre'] })).status).toBe(200);
    expect((await start({ names: ['platform'] })).status).toBe(420);
    for (const body of [{ names: 'sre' }, { type: 'Teams', names: [] }, { names: [1] }])
      expect((await start(body)).status).toBe(400);
  });

  it('refuses a read-only key (it may only read the state)', async () => {
    const ro = voHeaders(sim, sim.readOnlyApiKey);
    expect((await vo(sim, 'POST', '/api-public/v1/maintenancemode/start', { names: [] }, ro)).status).toBe(403);
    expect((await vo(sim, 'GET', '/api-public/v1/maintenancemode', undefined, ro)).status).toBe(200);
  });
});

describe('what maintenance mode does to a page', () => {
  it('opens an incident on a muted key that pages nobody; other keys page as usual', async () => {
    await start({ names: ['platform'] });
    await alert(sim, 'PLATFORM', { message_type: 'CRITICAL', entity_id: 'mm/muted' });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'mm/other' });
    expect(await one('mm/muted')).toMatchObject({
      currentPhase: 'UNACKED',
      routingKey: 'platform',
      pagedUsers: [],
      pagedPolicies: [],
      pagedTeams: [],
    });
    expect(await one('mm/other')).toMatchObject({ pagedUsers: ['carol'] });
    // Muted means no escalation either.
    sim.control.advance(60 * 60_000);
    expect((await one('mm/muted')).pagedUsers).toEqual([]);
  });

  it('keeps the routed teams of a muted incident with mutedPagedTeams: routed', async () => {
    sim.control.setSwitches({ mutedPagedTeams: 'routed' });
    sim.control.startMaintenance({ routingKeys: ['platform'] });
    await alert(sim, 'platform', { message_type: 'CRITICAL', entity_id: 'mm/teams' });
    expect(await one('mm/teams')).toMatchObject({
      pagedUsers: [],
      pagedPolicies: [],
      pagedTeams: [DEMO_TEAM_PLATFORM],
    });
  });

  it('mutes every key, manual incidents included, in global mode', async () => {
    sim.control.startMaintenance();
    await alert(sim, 'no-such-key', { message_type: 'CRITICAL', entity_id: 'mm/global' });
    const created = sim.control.createIncident({ title: 'By hand', routingKey: 'batphone' });
    expect((await one('mm/global')).pagedUsers).toEqual([]);
    expect(sim.control.incidents().find((i) => i.incidentNumber === created)!.pagedUsers).toEqual([]);
  });

  it('leaves incidents already paging alone when it starts', async () => {
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'mm/before' });
    sim.control.startMaintenance({ routingKeys: ['sre'] });
    sim.control.advance(15 * 60_000);
    expect((await one('mm/before')).pagedUsers).toEqual(['carol', 'dmitri']);
  });

  it('pages triggered incidents from the first step when it ends, unless another mode still mutes them', async () => {
    const a = sim.control.startMaintenance({ routingKeys: ['sre'] });
    const b = sim.control.startMaintenance({ routingKeys: ['SRE'], purpose: 'overlap' });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'mm/end' });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'mm/acked' });
    sim.control.ack((await one('mm/acked')).incidentNumber, 'carol');
    sim.control.advance(30 * 60_000);
    sim.control.endMaintenance(a);
    expect((await one('mm/end')).pagedUsers).toEqual([]);
    sim.control.endMaintenance(b);
    const paging = await one('mm/end');
    expect(paging).toMatchObject({ currentPhase: 'UNACKED', pagedUsers: ['carol'] });
    expect((paging.pagedPolicies as unknown[]).length).toBe(1);
    // Step 2 runs 15 minutes after the mode ended, not after the incident started.
    sim.control.advance(15 * 60_000);
    expect((await one('mm/end')).pagedUsers).toEqual(['carol', 'dmitri']);
    expect(await one('mm/acked')).toMatchObject({ currentPhase: 'ACKED', pagedUsers: [] });
  });

  it('is driven over HTTP by /_sim/maintenance', async () => {
    const started = await control(sim, 'POST', '/maintenance', { routingKeys: ['tickets'], startedBy: 'dmitri' });
    expect(started.status).toBe(201);
    const { instanceId, activeInstances } = started.body as { instanceId: string; activeInstances: unknown[] };
    expect(activeInstances).toEqual([expect.objectContaining({ instanceId, startedBy: 'dmitri', isGlobal: false })]);
    expect((await control(sim, 'POST', '/maintenance', {})).status).toBe(201);
    expect((await control(sim, 'POST', '/maintenance', {})).status).toBe(409);
    expect((await control(sim, 'POST', '/maintenance', { routingKeys: 'sre' })).status).toBe(400);
    expect((await control(sim, 'DELETE', `/maintenance/${instanceId}`)).status).toBe(200);
    expect((await control(sim, 'DELETE', `/maintenance/${instanceId}`)).status).toBe(404);
    expect(
      ((await control(sim, 'GET', '/maintenance')).body as { activeInstances: unknown[] }).activeInstances,
    ).toHaveLength(1);
    sim.control.reset('empty');
    expect(sim.control.maintenance()).toEqual([]);
  });
});
