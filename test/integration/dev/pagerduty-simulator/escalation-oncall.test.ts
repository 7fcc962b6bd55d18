/** Escalation on the simulated clock, who is on call (`GET /oncalls`), and the account's directory endpoints. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_POLICY_BATPHONE,
  DEMO_POLICY_SRE,
  DEMO_ROUTING_KEYS,
  DEMO_SCHEDULE_PRIMARY,
  DEMO_SERVICE_BILLING,
  DEMO_SERVICE_SRE,
  DEMO_USERS,
  startPagerDutySimulator,
  type RunningPagerDutySimulator,
} from '#dev/pagerduty-simulator/index.js';
import { pagerDutyClient } from '#test/support/pagerduty-client.js';

let sim: RunningPagerDutySimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const MIN = 60_000;
type Ref = { id: string; summary: string };
type Oncall = {
  escalation_policy: Ref;
  escalation_level: number;
  schedule: Ref | null;
  user: Ref;
  start: string | null;
  end: string | null;
};

async function start(opts: { nobodyOnCall?: 'unassigned' | 'drop' } = {}) {
  sim = await startPagerDutySimulator({ seed: 'demo', rateLimit: false, ...opts });
  sim.control.freeze();
  const pd = pagerDutyClient(sim.url, sim.apiToken);
  const open = async (dedup_key: string, routing_key: string = DEMO_ROUTING_KEYS.sre) => {
    await pd.enqueue({
      routing_key,
      event_action: 'trigger',
      dedup_key,
      payload: { summary: dedup_key, source: 'test', severity: 'critical' },
    });
    return sim!.control.events({ dedupKey: dedup_key }).at(-1)!.incidentId!;
  };
  const assignees = (id: string) =>
    (sim!.control.incident(id)!.assignments as { assignee: Ref }[]).map((a) => a.assignee.id);
  return { sim, pd, open, assignees };
}

describe('escalation', () => {
  it('moves the assignment to the next rule when nobody acknowledges within the rule delay', async () => {
    const { sim, open, assignees } = await start();
    const id = await open('escalates');
    expect(assignees(id)).toEqual([DEMO_USERS.carol]);
    sim.control.advance(14 * MIN);
    expect(assignees(id)).toEqual([DEMO_USERS.carol]);
    sim.control.advance(1 * MIN);
    expect(assignees(id)).toEqual([DEMO_USERS.priya]);
    // The last rule of a policy without loops keeps the incident there.
    sim.control.advance(60 * MIN);
    expect(assignees(id)).toEqual([DEMO_USERS.priya]);
    const log = (
      await pagerDutyClient(sim.url, sim.apiToken).get<{
        log_entries: { type: string; channel: { type: string }; created_at: string }[];
      }>(`/incidents/${id}/log_entries`)
    ).body.log_entries;
    expect(log.map((e) => [e.type, e.channel.type])).toEqual([
      ['trigger_log_entry', 'api'],
      ['escalate_log_entry', 'timeout'],
    ]);
  });

  it('a level with nobody on call is skipped at once; with nobody at any level the incident is unassigned, or dropped', async () => {
    const { sim, open, assignees } = await start();
    const empty = sim.control.addSchedule({ name: 'Nights', userIds: [] });
    const rule = (targets: { type: 'schedule_reference' | 'user_reference'; id: string }[]) => ({
      delayMinutes: 30,
      targets,
    });
    const fallsThrough = sim.control.addEscalationPolicy({
      name: 'Nights, then Mara',
      rules: [
        rule([{ type: 'schedule_reference', id: empty.id }]),
        rule([{ type: 'user_reference', id: DEMO_USERS.mara }]),
      ],
    });
    const unstaffed = sim.control.addEscalationPolicy({
      name: 'Nights only',
      rules: [rule([{ type: 'schedule_reference', id: empty.id }])],
    });
    const a = sim.control.addService({ name: 'A', escalationPolicyId: String(fallsThrough.id) });
    const b = sim.control.addService({ name: 'B', escalationPolicyId: String(unstaffed.id) });
    const first = await open('falls-through', a.integrationKey);
    expect(assignees(first)).toEqual([DEMO_USERS.mara]);
    const nobody = await open('nobody', b.integrationKey);
    expect(assignees(nobody)).toEqual([]);
    expect(sim.control.incident(nobody)!.status).toBe('triggered');
    await sim.close();

    // The other answer PagerDuty's documents give: no incident at all (the event is accepted and dropped).
    const dropping = await start({ nobodyOnCall: 'drop' });
    const empty2 = dropping.sim.control.addSchedule({ name: 'Nights', userIds: [] });
    const p2 = dropping.sim.control.addEscalationPolicy({
      name: 'Nights only',
      rules: [rule([{ type: 'schedule_reference', id: empty2.id }])],
    });
    const c = dropping.sim.control.addService({ name: 'C', escalationPolicyId: String(p2.id) });
    await dropping.pd.enqueue({
      routing_key: c.integrationKey,
      event_action: 'trigger',
      dedup_key: 'dropped',
      payload: { summary: 'dropped', source: 'test', severity: 'critical' },
    });
    expect(dropping.sim.control.events({ dedupKey: 'dropped' }).map((e) => e.outcome)).toEqual([
      'dropped: nobody on call',
    ]);
    expect(dropping.sim.control.eventCounts('dropped').incidents).toBe(0);
  });

  it('an acknowledged incident does not escalate', async () => {
    const { sim, pd, open, assignees } = await start();
    const id = await open('acked-early');
    await pd.put(
      `/incidents/${id}`,
      { incident: { type: 'incident_reference', status: 'acknowledged' } },
      'carol@klaxon.test',
    );
    sim.control.advance(60 * MIN);
    expect(assignees(id)).toEqual([DEMO_USERS.carol]);
  });

  it('the batphone pages both on-call people at once, then the head of SRE, and loops num_loops times', async () => {
    const { sim, open, assignees } = await start();
    const id = await open('batphone', DEMO_ROUTING_KEYS.batphone);
    expect(assignees(id)).toEqual([DEMO_USERS.carol, DEMO_USERS.priya]);
    sim.control.advance(5 * MIN);
    expect(assignees(id)).toEqual([DEMO_USERS.mara]);
    sim.control.advance(10 * MIN);
    expect(assignees(id)).toEqual([DEMO_USERS.carol, DEMO_USERS.priya]);
    // Two loops: 2 × 15 minutes more, then it stays with the last rule.
    sim.control.advance(120 * MIN);
    expect(assignees(id)).toEqual([DEMO_USERS.mara]);
    const escalations = sim.control.incident(id)!;
    expect(escalations.status).toBe('triggered');
  });

  it('a long advance crosses several rules, each at its own time', async () => {
    const { sim, pd, open } = await start();
    const id = await open('long-advance', DEMO_ROUTING_KEYS.batphone);
    const t0 = sim.control.now();
    sim.control.advance(16 * MIN);
    const log = (await pd.get<{ log_entries: { type: string; created_at: string }[] }>(`/incidents/${id}/log_entries`))
      .body.log_entries;
    expect(
      log
        .filter((e) => e.type === 'escalate_log_entry')
        .map((e) => Date.parse(e.created_at) - Math.floor(t0 / 1000) * 1000),
    ).toEqual([5 * MIN, 15 * MIN]);
  });
});

describe('GET /oncalls and the directory', () => {
  it('lists who is on call now per policy and level, with shift times, and filters by policy and schedule', async () => {
    const { sim, pd } = await start();
    const now = (await pd.get<{ oncalls: Oncall[] }>(`/oncalls?escalation_policy_ids[]=${DEMO_POLICY_SRE}`)).body
      .oncalls;
    expect(now.map((o) => [o.escalation_level, o.user.summary, o.schedule?.id])).toEqual([
      [1, 'Carol Okafor', DEMO_SCHEDULE_PRIMARY],
      [2, 'Priya Raman', 'PSSRESC'],
    ]);
    expect(Date.parse(now[0]!.end!) - Date.parse(now[0]!.start!)).toBe(24 * 60 * MIN);
    const direct = (await pd.get<{ oncalls: Oncall[] }>(`/oncalls?escalation_policy_ids[]=${DEMO_POLICY_BATPHONE}`))
      .body.oncalls;
    expect(direct.find((o) => o.escalation_level === 2)).toMatchObject({
      user: { id: DEMO_USERS.mara },
      schedule: null,
      start: null,
      end: null,
    });
    const bySchedule = (await pd.get<{ oncalls: Oncall[] }>(`/oncalls?schedule_ids[]=${DEMO_SCHEDULE_PRIMARY}`)).body
      .oncalls;
    expect(new Set(bySchedule.map((o) => o.escalation_policy.id))).toEqual(
      new Set([DEMO_POLICY_SRE, DEMO_POLICY_BATPHONE]),
    );

    // A week ahead: every shift, or with earliest=true one per policy, level and user.
    const until = new Date(sim.control.now() + 7 * 24 * 60 * MIN).toISOString();
    const week = `/oncalls?escalation_policy_ids[]=${DEMO_POLICY_SRE}&schedule_ids[]=${DEMO_SCHEDULE_PRIMARY}&until=${until}&limit=100`;
    expect((await pd.get<{ oncalls: Oncall[] }>(week)).body.oncalls.length).toBe(8);
    const earliest = (await pd.get<{ oncalls: Oncall[] }>(`${week}&earliest=true`)).body.oncalls;
    expect(earliest.map((o) => o.user.summary)).toEqual(['Carol Okafor', 'Dmitri Ivanov']);

    // A day later the rotation has moved on; setOnCall replaces it from now.
    sim.control.advance(24 * 60 * MIN);
    const tomorrow = (await pd.get<{ oncalls: Oncall[] }>(`/oncalls?escalation_policy_ids[]=${DEMO_POLICY_SRE}`)).body
      .oncalls;
    expect(tomorrow[0]!.user.summary).toBe('Dmitri Ivanov');
    sim.control.setOnCall(DEMO_SCHEDULE_PRIMARY, [DEMO_USERS.sam]);
    expect(
      (await pd.get<{ oncalls: Oncall[] }>(`/oncalls?escalation_policy_ids[]=${DEMO_POLICY_SRE}`)).body.oncalls[0]!.user
        .summary,
    ).toBe('Sam Lee');
  });

  it('serves escalation rules with targets and delays, users with time zones, services and maintenance windows', async () => {
    const { sim, pd } = await start();
    const ep = (
      await pd.get<{
        escalation_policy: {
          escalation_rules: { escalation_delay_in_minutes: number; targets: { type: string; id: string }[] }[];
          num_loops: number;
        };
      }>(`/escalation_policies/${DEMO_POLICY_SRE}`)
    ).body.escalation_policy;
    expect(ep.escalation_rules.map((r) => [r.escalation_delay_in_minutes, r.targets.map((t) => t.type)])).toEqual([
      [15, ['schedule_reference']],
      [15, ['schedule_reference']],
    ]);
    const users = (await pd.get<{ users: { name: string; email: string; time_zone: string }[] }>('/users')).body.users;
    expect(users.map((u) => u.time_zone)).toEqual([
      'Europe/Berlin',
      'America/New_York',
      'Asia/Kolkata',
      'America/Los_Angeles',
      'Australia/Sydney',
      'Etc/UTC',
    ]);
    expect((await pd.get<{ users: unknown[] }>('/users?query=SAM')).body.users).toHaveLength(1);
    const services = (
      await pd.get<{ services: { id: string; status: string; integrations: { type: string }[] }[] }>('/services')
    ).body.services;
    expect(services.map((s) => [s.id, s.status])).toEqual([
      [DEMO_SERVICE_SRE, 'critical'],
      ['PSVBATP', 'active'],
      [DEMO_SERVICE_BILLING, 'maintenance'],
    ]);
    expect(services[0]!.integrations[0]!.type).toBe('events_api_v2_inbound_integration_reference');
    const windows = async (filter: string) =>
      (await pd.get<{ maintenance_windows: { services: { id: string }[] }[] }>(`/maintenance_windows?filter=${filter}`))
        .body.maintenance_windows;
    expect((await windows('ongoing')).map((w) => w.services[0]!.id)).toEqual([DEMO_SERVICE_BILLING]);
    expect(await windows('past')).toEqual([]);
    sim.control.advance(3 * 60 * MIN);
    expect(await windows('ongoing')).toEqual([]);
    expect(await windows('past')).toHaveLength(1);
    expect((await pd.get('/escalation_policies/PNOSUCH')).status).toBe(404);
    expect((await pd.get('/nothing-here')).status).toBe(404);
  });
});
