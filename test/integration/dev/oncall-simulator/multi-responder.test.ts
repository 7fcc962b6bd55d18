/**
 * Multi-responder incidents (docs/splunk-oncall.md#what-real-organisations-add): from a multi-responder
 * key, from create-incident with isMultiResponder, or after reroute with addTargets, an incident stays
 * UNACKED until each target has acknowledged; each acknowledgement stops that target's paging.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_POLICY_BATPHONE,
  DEMO_POLICY_PLATFORM,
  DEMO_POLICY_SRE,
  startOnCallSimulator,
  type RunningSimulator,
} from '#dev/oncall-simulator/index.js';
import { alert, byEntity, vo, type WireIncidentLike } from '#test/support/vo-client.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ rateLimit: false, org: 'realistic', seed: 'empty' });
});
beforeEach(() => {
  sim.control.reset('empty', 'realistic');
  sim.control.setSwitches({ multiResponderOutsiderAck: 'ignored' });
});
afterAll(async () => {
  await sim.close();
});

async function one(entityId: string): Promise<WireIncidentLike> {
  return (await byEntity(sim, entityId))[0]!;
}

async function ack(userName: string, n: string) {
  const r = await vo(sim, 'PATCH', '/api-public/v1/incidents/ack', { userName, incidentNames: [n] });
  expect(r.status).toBe(200);
  return (r.body as { results: { cmdAccepted: boolean; message: string }[] }).results[0]!;
}

describe('a multi-responder routing key', () => {
  it('stays UNACKED until a paged member of every policy has acknowledged', async () => {
    await alert(sim, 'major-incident', { message_type: 'CRITICAL', entity_id: 'mr/key' });
    const inc = await one('mr/key');
    expect(inc).toMatchObject({ currentPhase: 'UNACKED', pagedUsers: ['carol', 'priya'] });

    // carol acknowledges for SRE Primary: accepted, still UNACKED, SRE stops paging.
    expect(await ack('carol', inc.incidentNumber)).toMatchObject({ cmdAccepted: true, message: '' });
    const half = await one('mr/key');
    expect(half).toMatchObject({ currentPhase: 'UNACKED', pagedUsers: ['priya'], transitions: [] });
    // SRE Primary does not escalate any more; Platform Primary still does (sam after 10 minutes).
    sim.control.advance(20 * 60_000);
    expect((await one('mr/key')).pagedUsers).toEqual(['priya', 'sam']);

    expect((await ack('sam', inc.incidentNumber)).cmdAccepted).toBe(true);
    const done = await one('mr/key');
    expect(done).toMatchObject({ currentPhase: 'ACKED', pagedUsers: [] });
    expect(done.transitions).toEqual([expect.objectContaining({ name: 'ACKED', by: 'sam', manually: true })]);
  });

  it('ignores an acknowledgement from someone it paged for no target, unless multiResponderOutsiderAck is acks-all', async () => {
    await alert(sim, 'major-incident', { message_type: 'CRITICAL', entity_id: 'mr/outsider' });
    const inc = await one('mr/outsider');
    expect((await ack('mei', inc.incidentNumber)).cmdAccepted).toBe(true);
    expect(await one('mr/outsider')).toMatchObject({ currentPhase: 'UNACKED', pagedUsers: ['carol', 'priya'] });
    // A REST acknowledgement without ack_author comes from SYSTEM: an outsider too.
    await alert(sim, 'major-incident', { message_type: 'ACKNOWLEDGEMENT', entity_id: 'mr/outsider' });
    expect((await one('mr/outsider')).currentPhase).toBe('UNACKED');

    sim.control.setSwitches({ multiResponderOutsiderAck: 'acks-all' });
    await ack('klaxon', inc.incidentNumber);
    expect(await one('mr/outsider')).toMatchObject({ currentPhase: 'ACKED', pagedUsers: [] });
  });

  it('counts a REST ACKNOWLEDGEMENT with ack_author like an acknowledgement by that user', async () => {
    await alert(sim, 'major-incident', { message_type: 'CRITICAL', entity_id: 'mr/rest' });
    await alert(sim, 'major-incident', { message_type: 'ACKNOWLEDGEMENT', entity_id: 'mr/rest', ack_author: 'priya' });
    expect(await one('mr/rest')).toMatchObject({ currentPhase: 'UNACKED', pagedUsers: ['carol'] });
    await alert(sim, 'major-incident', { message_type: 'ACKNOWLEDGEMENT', entity_id: 'mr/rest', ack_author: 'carol' });
    expect(await one('mr/rest')).toMatchObject({ currentPhase: 'ACKED' });
  });

  it('resolves with a single resolve', async () => {
    await alert(sim, 'major-incident', { message_type: 'CRITICAL', entity_id: 'mr/resolve' });
    const inc = await one('mr/resolve');
    await vo(sim, 'PATCH', '/api-public/v1/incidents/resolve', {
      userName: 'carol',
      incidentNames: [inc.incidentNumber],
    });
    expect((await one('mr/resolve')).currentPhase).toBe('RESOLVED');
  });
});

describe('create-incident with isMultiResponder', () => {
  it('requires each targeted user and policy to acknowledge', async () => {
    const r = await vo(sim, 'POST', '/api-public/v1/incidents', {
      summary: 'All hands',
      details: '',
      userName: 'carol',
      targets: [
        { type: 'EscalationPolicy', slug: DEMO_POLICY_PLATFORM },
        { type: 'User', slug: 'lars' },
      ],
      isMultiResponder: true,
    });
    const n = (r.body as { incidentNumber: string }).incidentNumber;
    await ack('lars', n);
    expect(sim.control.incidents().find((i) => i.incidentNumber === n)).toMatchObject({
      currentPhase: 'UNACKED',
      pagedUsers: ['priya'],
    });
    await ack('priya', n);
    expect(sim.control.incidents().find((i) => i.incidentNumber === n)!.currentPhase).toBe('ACKED');
    const bad = await vo(sim, 'POST', '/api-public/v1/incidents', {
      summary: 's',
      details: '',
      userName: 'carol',
      targets: [{ type: 'User', slug: 'lars' }],
      isMultiResponder: 'yes',
    });
    expect(bad.status).toBe(400);
  });
});

describe('reroute with addTargets', () => {
  it('pages the added policy too and requires an acknowledgement from each', async () => {
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'mr/add' });
    const inc = await one('mr/add');
    const r = await vo(sim, 'POST', '/api-public/v1/incidents/reroute', {
      userName: 'carol',
      reroutes: [
        {
          incidentNumber: inc.incidentNumber,
          targets: [{ type: 'EscalationPolicy', slug: DEMO_POLICY_BATPHONE }],
          addTargets: true,
        },
      ],
    });
    expect((r.body as { statuses: { success: boolean }[] }).statuses[0]!.success).toBe(true);
    const added = await one('mr/add');
    expect((added.pagedPolicies as { policy: { slug: string } }[]).map((p) => p.policy.slug)).toEqual([
      DEMO_POLICY_SRE,
      DEMO_POLICY_BATPHONE,
    ]);
    expect(added.pagedUsers).toEqual(['carol', 'dmitri', 'ana', 'lars', 'jo']);
    // carol was paged by both policies: her acknowledgement counts for each.
    await ack('carol', inc.incidentNumber);
    expect((await one('mr/add')).currentPhase).toBe('ACKED');
  });

  it('needs the added policy’s acknowledgement when the first ack came from the original policy only', async () => {
    await alert(sim, 'platform', { message_type: 'CRITICAL', entity_id: 'mr/add2' });
    const inc = await one('mr/add2');
    await vo(sim, 'POST', '/api-public/v1/incidents/reroute', {
      userName: 'priya',
      reroutes: [
        {
          incidentNumber: inc.incidentNumber,
          targets: [{ type: 'EscalationPolicy', slug: DEMO_POLICY_BATPHONE }],
          addTargets: true,
        },
      ],
    });
    await ack('priya', inc.incidentNumber);
    expect(await one('mr/add2')).toMatchObject({
      currentPhase: 'UNACKED',
      pagedUsers: ['carol', 'dmitri', 'ana', 'lars', 'jo'],
    });
    await ack('ana', inc.incidentNumber);
    expect((await one('mr/add2')).currentPhase).toBe('ACKED');
  });
});
