/**
 * Rules Engine transformations (docs/splunk-oncall.md#what-real-organisations-add): an alert's
 * entity_id, message_type or routing_key can be rewritten before it is processed, so the incident a
 * sender looks for may not be where it expects.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOnCallSimulator, type AlertRule, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { alert, byEntity, control, listIncidents } from '#test/support/vo-client.js';

const ONE_INCIDENT_PER_KEY: AlertRule[] = [
  { when: { field: 'entity_id', matches: 'klaxon/*' }, set: { entity_id: 'pages/${{routing_key}}' } },
];

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ rateLimit: false, seed: 'empty', rules: ONE_INCIDENT_PER_KEY });
});
beforeEach(() => {
  sim.control.reset('empty');
});
afterAll(async () => {
  await sim.close();
});

describe('Rules Engine', () => {
  it('rewrites entity_id: the incident carries another one than was sent, and the answer names the one sent', async () => {
    const r = await alert(sim, 'platform', { message_type: 'CRITICAL', entity_id: 'klaxon/page-1' });
    expect(r.body).toEqual({ result: 'success', entity_id: 'klaxon/page-1' });
    expect(await byEntity(sim, 'klaxon/page-1')).toEqual([]);
    expect(await byEntity(sim, 'pages/platform')).toEqual([
      expect.objectContaining({ currentPhase: 'UNACKED', pagedUsers: ['priya'] }),
    ]);
    // A second page rolls into the same rewritten entity_id instead of opening its own incident.
    await alert(sim, 'platform', { message_type: 'CRITICAL', entity_id: 'klaxon/page-2' });
    expect(await byEntity(sim, 'pages/platform')).toEqual([expect.objectContaining({ alertCount: 2 })]);
  });

  it('mutes an alert by turning it into INFO: accepted, and no incident opens', async () => {
    sim.control.setRules([{ when: { field: 'state_message', matches: '*spam*' }, set: { message_type: 'INFO' } }]);
    const r = await alert(sim, 'sre', {
      message_type: 'CRITICAL',
      entity_id: 'noisy/1',
      state_message: 'more spam here',
    });
    expect(r.body).toEqual({ result: 'success', entity_id: 'noisy/1' });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'loud/1', state_message: 'real trouble' });
    expect((await listIncidents(sim)).map((i) => i.entityId)).toEqual(['loud/1']);
  });

  it('reroutes by rewriting routing_key, and runs rules in order on each other’s result', async () => {
    sim.control.setRules([
      { when: { field: 'entity_id', matches: 'db*' }, set: { routing_key: 'platform' } },
      { when: { field: 'routing_key', matches: 'platform' }, set: { entity_display_name: 'DB: ${{entity_id}}' } },
    ]);
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'db03/disk' });
    expect((await byEntity(sim, 'db03/disk'))[0]).toMatchObject({
      routingKey: 'platform',
      pagedUsers: ['priya'],
      entityDisplayName: 'DB: db03/disk',
    });
  });

  it('is set, read and cleared over HTTP by /_sim/rules, which refuses malformed rules', async () => {
    const rule = { when: { field: 'entity_id', matches: '*' }, set: { message_type: 'INFO' } };
    expect((await control(sim, 'POST', '/rules', { rules: [rule] })).body).toEqual({ rules: [rule] });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'all/muted' });
    expect(await listIncidents(sim)).toEqual([]);
    expect((await control(sim, 'GET', '/rules')).body).toEqual({ rules: [rule] });
    expect((await control(sim, 'DELETE', '/rules')).body).toEqual({ rules: [] });
    sim.control.setRules(ONE_INCIDENT_PER_KEY);
    for (const rules of [
      [{ when: { field: 'entity_id' }, set: {} }],
      [{ when: { field: 'x', matches: '*' }, set: { a: 1 } }],
      'x',
    ]) {
      const r = await control(sim, 'POST', '/rules', { rules });
      expect(r.status).toBe(400);
      expect((r.body as { error: string }).error).toMatch(/rules/);
    }
  });
});
