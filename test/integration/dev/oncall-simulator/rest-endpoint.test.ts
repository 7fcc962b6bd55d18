/** REST endpoint integration (docs/splunk-oncall.md#rest-endpoint-alert): message types, entity_id roll-up, routing. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { alert, byEntity, listIncidents, vo } from '#test/support/vo-client.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ rateLimit: false, seed: 'empty' });
});
beforeEach(() => sim.control.reset('empty'));
afterAll(async () => {
  await sim.close();
});

describe('REST endpoint', () => {
  it('rolls two CRITICALs with one entity_id into one incident with alertCount 2', async () => {
    const first = await alert(sim, 'sre', {
      message_type: 'CRITICAL',
      entity_id: 'klaxon/p1',
      entity_display_name: 'Manual page by alice: API down',
      state_message: 'details',
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ result: 'success', entity_id: 'klaxon/p1' });
    await alert(sim, 'sre', {
      message_type: 'critical',
      entity_id: 'klaxon/p1',
      entity_display_name: 'Manual page by alice: API down',
    });
    const incidents = await byEntity(sim, 'klaxon/p1');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      alertCount: 2,
      currentPhase: 'UNACKED',
      entityDisplayName: 'Manual page by alice: API down',
      routingKey: 'sre',
      pagedTeams: ['team-sreKLX0000000001'],
      pagedUsers: ['carol'],
    });
    expect(incidents[0]!.lastAlertId).not.toBe(incidents[0]!.firstAlertUuid);
  });

  it('acks with ACKNOWLEDGEMENT (ack_author, not manual) and resolves with RECOVERY', async () => {
    await alert(sim, 'platform', { message_type: 'CRITICAL', entity_id: 'disk/db01' });
    await alert(sim, 'platform', {
      message_type: 'ACKNOWLEDGEMENT',
      entity_id: 'disk/db01',
      ack_author: 'priya',
      ack_msg: 'cleaning up',
    });
    let [inc] = await byEntity(sim, 'disk/db01');
    expect(inc).toMatchObject({
      currentPhase: 'ACKED',
      pagedUsers: [],
      pagedTeams: ['team-pltKLX0000000002'],
      entityDisplayName: 'disk/db01',
    });
    expect(inc!.transitions).toEqual([
      expect.objectContaining({ name: 'ACKED', by: 'priya', message: 'cleaning up', manually: false }),
    ]);
    await alert(sim, 'platform', { message_type: 'RECOVERY', entity_id: 'disk/db01' });
    [inc] = await byEntity(sim, 'disk/db01');
    expect(inc!.currentPhase).toBe('RESOLVED');
  });

  it('treats OK as RECOVERY', async () => {
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'ok/1' });
    await alert(sim, 'sre', { message_type: 'ok', entity_id: 'ok/1' });
    expect((await byEntity(sim, 'ok/1'))[0]!.currentPhase).toBe('RESOLVED');
  });

  it('creates nothing visible for INFO or an unknown message_type, but accepts them', async () => {
    for (const message_type of ['INFO', 'chatter']) {
      const r = await alert(sim, 'sre', { message_type, entity_id: `info/${message_type}` });
      expect(r.body).toEqual({ result: 'success', entity_id: `info/${message_type}` });
    }
    expect(await listIncidents(sim)).toEqual([]);
  });

  it('opens a new incident when a CRITICAL matches only a RESOLVED one', async () => {
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'flappy' });
    await alert(sim, 'sre', { message_type: 'RECOVERY', entity_id: 'flappy' });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'flappy' });
    const incidents = await byEntity(sim, 'flappy');
    expect(incidents.map((i) => i.currentPhase).sort()).toEqual(['RESOLVED', 'UNACKED']);
    expect(new Set(incidents.map((i) => i.incidentNumber)).size).toBe(2);
  });

  it('puts an ACKED incident back to UNACKED when WARNING escalates to CRITICAL', async () => {
    await alert(sim, 'sre', { message_type: 'WARNING', entity_id: 'cpu/web1' });
    let [inc] = await byEntity(sim, 'cpu/web1');
    expect(inc).toMatchObject({ currentPhase: 'UNACKED', entityState: 'WARNING' });
    await vo(sim, 'PATCH', '/api-public/v1/incidents/ack', { userName: 'carol', incidentNames: [inc!.incidentNumber] });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'cpu/web1' });
    [inc] = await byEntity(sim, 'cpu/web1');
    expect(inc).toMatchObject({
      currentPhase: 'UNACKED',
      entityState: 'CRITICAL',
      pagedUsers: ['carol'],
      alertCount: 2,
    });
    expect((inc!.transitions as { name: string }[]).map((t) => t.name)).toEqual(['ACKED', 'UNACKED']);
  });

  it('generates an entity_id when the alert has none', async () => {
    const r = await alert(sim, 'sre', { message_type: 'CRITICAL', entity_display_name: 'No id' });
    const entityId = (r.body as { entity_id: string }).entity_id;
    expect(entityId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await byEntity(sim, entityId))[0]!.entityDisplayName).toBe('No id');
  });

  it('sends an unknown routing key down the default route, and matches keys case-insensitively', async () => {
    await alert(sim, 'no-such-team', { message_type: 'CRITICAL', entity_id: 'route/unknown' });
    await alert(sim, 'PLATFORM', { message_type: 'CRITICAL', entity_id: 'route/upper' });
    expect((await byEntity(sim, 'route/unknown'))[0]).toMatchObject({
      pagedTeams: ['team-sreKLX0000000001'],
      pagedPolicies: [expect.objectContaining({ policy: expect.objectContaining({ slug: 'pol-sreprimary00001' }) })],
    });
    expect((await byEntity(sim, 'route/upper'))[0]).toMatchObject({
      routingKey: 'platform',
      pagedTeams: ['team-pltKLX0000000002'],
      pagedUsers: ['priya'],
    });
  });

  it('fails with 400 "Missing fields: message_type" and creates nothing', async () => {
    for (const body of [{ entity_id: 'x' }, 'not json', { message_type: '' }]) {
      const r = await alert(sim, 'sre', body);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ result: 'failure', message: 'Missing fields: message_type' });
    }
    expect(await listIncidents(sim)).toEqual([]);
  });

  it('answers 404 "Unknown API key" for a wrong REST key', async () => {
    const r = await alert(sim, 'sre', { message_type: 'CRITICAL' }, 'wrong-key');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ result: 'failure', message: 'Unknown API key' });
    expect(await listIncidents(sim)).toEqual([]);
  });

  it('stores extra fields on the alert (state_message, monitoring_tool, vo_annotate.*)', async () => {
    await alert(sim, 'sre', {
      message_type: 'CRITICAL',
      entity_id: 'annotated',
      state_message: 'long text',
      monitoring_tool: 'klaxon',
      'vo_annotate.u.Runbook': 'https://runbooks.example/x',
    });
    const [inc] = await byEntity(sim, 'annotated');
    const a = await vo(sim, 'GET', `/api-public/v1/alerts/${inc!.firstAlertUuid as string}`);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({
      entityId: 'annotated',
      messageType: 'CRITICAL',
      stateMessage: 'long text',
      monitoringTool: 'klaxon',
    });
    expect(JSON.parse((a.body as { raw: string }).raw)).toMatchObject({
      'vo_annotate.u.Runbook': 'https://runbooks.example/x',
    });
  });
});
