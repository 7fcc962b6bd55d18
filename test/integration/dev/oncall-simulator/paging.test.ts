/**
 * Who an incident pages, and when (docs/splunk-oncall.md#policies): policy steps on the simulated
 * clock, keys with several targets, an incident that pages nobody, and Wikimedia's escalate-unpaged
 * reroute as its client sends it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_POLICY_BATPHONE,
  DEMO_POLICY_PLATFORM,
  DEMO_POLICY_SRE,
  DEMO_TEAM_PLATFORM,
  DEMO_TEAM_SRE,
  startOnCallSimulator,
  type RunningSimulator,
} from '#dev/oncall-simulator/index.js';
import { alert, byEntity, listIncidents, vo, type WireIncidentLike } from '#test/support/vo-client.js';

const MIN = 60_000;
let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ rateLimit: false, org: 'realistic', seed: 'empty' });
});
beforeEach(() => {
  sim.control.reset('empty', 'realistic');
  sim.control.setSwitches({ pagedUsersAfterAck: 'empty' });
});
afterAll(async () => {
  await sim.close();
});

async function page(routingKey: string, entityId: string): Promise<WireIncidentLike> {
  expect((await alert(sim, routingKey, { message_type: 'CRITICAL', entity_id: entityId })).status).toBe(200);
  return (await byEntity(sim, entityId))[0]!;
}

async function one(entityId: string): Promise<WireIncidentLike> {
  return (await byEntity(sim, entityId))[0]!;
}

const policySlugs = (i: WireIncidentLike) =>
  (i.pagedPolicies as { policy: { slug: string } }[]).map((p) => p.policy.slug);

describe('escalation steps', () => {
  it('pages the first rotation now, the second after 15 minutes, the batphone policy 30 minutes later', async () => {
    expect((await page('sre', 'steps/1')).pagedUsers).toEqual(['carol']);
    sim.control.advance(14 * MIN);
    expect((await one('steps/1')).pagedUsers).toEqual(['carol']);
    sim.control.advance(1 * MIN);
    expect((await one('steps/1')).pagedUsers).toEqual(['carol', 'dmitri']);
    sim.control.advance(30 * MIN);
    const all = await one('steps/1');
    expect(all.pagedUsers).toEqual(['carol', 'dmitri', 'ana', 'lars', 'jo']);
    // Escalating within a policy does not change which policies or teams were paged.
    expect(policySlugs(all)).toEqual([DEMO_POLICY_SRE]);
    expect(all.pagedTeams).toEqual([DEMO_TEAM_SRE]);
  });

  it('pages a user named in a step (Platform Primary step 2 after 10 minutes: sam)', async () => {
    expect((await page('platform', 'steps/user')).pagedUsers).toEqual(['priya']);
    sim.control.advance(10 * MIN);
    expect((await one('steps/user')).pagedUsers).toEqual(['priya', 'sam']);
  });

  it('stops escalating once acknowledged, and starts over from step 1 when WARNING escalates to CRITICAL', async () => {
    await alert(sim, 'sre', { message_type: 'WARNING', entity_id: 'steps/ack' });
    const inc = await one('steps/ack');
    await vo(sim, 'PATCH', '/api-public/v1/incidents/ack', { userName: 'carol', incidentNames: [inc.incidentNumber] });
    sim.control.advance(20 * MIN);
    expect(await one('steps/ack')).toMatchObject({ currentPhase: 'ACKED', pagedUsers: [] });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'steps/ack' });
    expect(await one('steps/ack')).toMatchObject({ currentPhase: 'UNACKED', pagedUsers: ['carol'] });
    sim.control.advance(15 * MIN);
    expect((await one('steps/ack')).pagedUsers).toEqual(['carol', 'dmitri']);
  });

  it('pages whoever is on call when the step runs', async () => {
    await page('sre', 'steps/handover');
    sim.control.setOnCall('rtg-sresecondary0004', ['lars']);
    sim.control.advance(15 * MIN);
    expect((await one('steps/handover')).pagedUsers).toEqual(['carol', 'lars']);
  });

  it('leaves the tidy org unchanged by time: one step, one rotation', async () => {
    sim.control.reset('empty', 'tidy');
    await page('sre', 'steps/tidy');
    sim.control.advance(120 * MIN);
    expect((await one('steps/tidy')).pagedUsers).toEqual(['carol']);
  });
});

describe('keys with several targets', () => {
  it('pages every targeted policy and their teams; one acknowledgement is enough', async () => {
    const inc = await page('sre-platform', 'multi/target');
    expect(inc.pagedUsers).toEqual(['carol', 'priya']);
    expect(policySlugs(inc)).toEqual([DEMO_POLICY_SRE, DEMO_POLICY_PLATFORM]);
    expect(inc.pagedTeams).toEqual([DEMO_TEAM_SRE, DEMO_TEAM_PLATFORM]);
    await vo(sim, 'PATCH', '/api-public/v1/incidents/ack', { userName: 'priya', incidentNames: [inc.incidentNumber] });
    expect(await one('multi/target')).toMatchObject({ currentPhase: 'ACKED', pagedUsers: [] });
  });

  it('sends an unknown key down the default route (SRE Primary)', async () => {
    const inc = await page('no-such-key', 'multi/unknown');
    expect(inc.routingKey).toBe('no-such-key');
    expect(policySlugs(inc)).toEqual([DEMO_POLICY_SRE]);
  });
});

describe('nobody paged (the escalate-unpaged safety net)', () => {
  it('leaves an incident UNACKED with nobody paged when its rotation is empty', async () => {
    const inc = await page('platform-hours', 'unpaged/empty-rotation');
    expect(inc).toMatchObject({ currentPhase: 'UNACKED', pagedUsers: [], pagedTeams: [DEMO_TEAM_PLATFORM] });
    sim.control.advance(120 * MIN);
    expect((await one('unpaged/empty-rotation')).pagedUsers).toEqual([]);
  });

  it('pages nobody for the first hour when the first step only sends an e-mail', async () => {
    expect((await page('tickets', 'unpaged/email')).pagedUsers).toEqual([]);
    sim.control.advance(60 * MIN);
    expect((await one('unpaged/email')).pagedUsers).toEqual(['carol']);
  });

  it("reroutes as Wikimedia's escalate_unpaged does: escalator_sysuser, incidentNumber as a string, to the batphone", async () => {
    const unpaged = await page('platform-hours', 'unpaged/reroute');
    const paged = await page('sre', 'unpaged/not-me');
    // What klaxon/victorops.py escalate_unpaged_incidents picks: UNACKED with nobody paged.
    const pick = (await listIncidents(sim)).filter(
      (i) => i.currentPhase === 'UNACKED' && (i.pagedUsers as string[]).length === 0,
    );
    expect(pick.map((i) => i.incidentNumber)).toEqual([unpaged.incidentNumber]);
    const r = await vo(sim, 'POST', '/api-public/v1/incidents/reroute', {
      userName: 'escalator_sysuser',
      reroutes: pick.map((i) => ({
        incidentNumber: i.incidentNumber,
        targets: [{ type: 'EscalationPolicy', slug: DEMO_POLICY_BATPHONE }],
      })),
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      statuses: [
        {
          incidentNumber: unpaged.incidentNumber,
          success: true,
          message: expect.any(String),
          targetStatus: [{ slug: DEMO_POLICY_BATPHONE, success: true, message: expect.any(String) }],
        },
      ],
    });
    const after = await one('unpaged/reroute');
    expect(after).toMatchObject({ currentPhase: 'UNACKED', pagedTeams: [DEMO_TEAM_SRE] });
    expect(after.pagedUsers).toEqual(['carol', 'dmitri', 'ana', 'lars', 'jo']);
    expect(policySlugs(after)).toEqual([DEMO_POLICY_BATPHONE]);
    expect((await one('unpaged/not-me')).pagedUsers).toEqual(paged.pagedUsers);
  });

  it('refuses a reroute whose targets are all unknown, leaving the incident as it was', async () => {
    const inc = await page('sre', 'reroute/bad');
    const r = await vo(sim, 'POST', '/api-public/v1/incidents/reroute', {
      userName: 'escalator_sysuser',
      reroutes: [{ incidentNumber: inc.incidentNumber, targets: [{ type: 'EscalationPolicy', slug: 'pol-nope' }] }],
    });
    expect(
      (r.body as { statuses: { success: boolean; targetStatus: { success: boolean }[] }[] }).statuses[0],
    ).toMatchObject({ success: false, targetStatus: [{ success: false }] });
    expect((await one('reroute/bad')).pagedUsers).toEqual(['carol']);
  });

  it('answers 404 "User not found" when the rerouting user does not exist', async () => {
    sim.control.reset('empty', 'tidy');
    const r = await vo(sim, 'POST', '/api-public/v1/incidents/reroute', {
      userName: 'escalator_sysuser',
      reroutes: [{ incidentNumber: '1', targets: [{ type: 'EscalationPolicy', slug: DEMO_POLICY_SRE }] }],
    });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'User not found' });
  });
});

describe('acknowledged by a named user', () => {
  it('keeps the user in transitions[].by (API) and in the alert’s ackAuthor (REST ACKNOWLEDGEMENT)', async () => {
    const viaApi = await page('sre', 'ackby/api');
    await vo(sim, 'PATCH', '/api-public/v1/incidents/ack', {
      userName: 'jo',
      incidentNames: [viaApi.incidentNumber],
      message: 'mine',
    });
    expect((await one('ackby/api')).transitions).toEqual([
      expect.objectContaining({ name: 'ACKED', by: 'jo', message: 'mine', manually: true }),
    ]);

    await page('sre', 'ackby/rest');
    await alert(sim, 'sre', {
      message_type: 'ACKNOWLEDGEMENT',
      entity_id: 'ackby/rest',
      ack_author: 'lars',
      ack_msg: 'on it',
    });
    const viaRest = await one('ackby/rest');
    const t = (viaRest.transitions as { by: string; alertId: string }[]).at(-1)!;
    expect(t).toMatchObject({ name: 'ACKED', by: 'lars', manually: false });
    const detail = await vo(sim, 'GET', `/api-public/v1/alerts/${t.alertId}`);
    expect(detail.body).toMatchObject({ ackAuthor: 'lars', ackMsg: 'on it', messageType: 'ACKNOWLEDGEMENT' });
  });

  it('keeps pagedUsers after the ack with pagedUsersAfterAck: kept (as in a Wikimedia fixture)', async () => {
    sim.control.setSwitches({ pagedUsersAfterAck: 'kept' });
    const inc = await page('sre', 'ackby/kept');
    sim.control.ack(inc.incidentNumber, 'carol');
    expect(await one('ackby/kept')).toMatchObject({ currentPhase: 'ACKED', pagedUsers: ['carol'] });
    sim.control.advance(60 * MIN);
    expect((await one('ackby/kept')).pagedUsers).toEqual(['carol']);
  });
});
