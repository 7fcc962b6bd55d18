/**
 * The realistic demo org through the public API (docs/splunk-oncall.md#who-is-on-call): several
 * policies per team with their steps, keys with several targets, every policy in oncall-current,
 * users with display names and no time zone on the wire.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_POLICY_BATPHONE,
  DEMO_POLICY_PLATFORM,
  DEMO_POLICY_PLATFORM_HOURS,
  DEMO_POLICY_SRE,
  DEMO_POLICY_TICKETS,
  DEMO_TEAM_PLATFORM,
  DEMO_TEAM_SRE,
  startOnCallSimulator,
  type RunningSimulator,
} from '#dev/oncall-simulator/index.js';
import { vo } from '#test/support/vo-client.js';

interface Step {
  timeout: number;
  entries: { executionType: string; [k: string]: unknown }[];
}
interface OnCallTeam {
  team: { slug: string };
  oncallNow: { escalationPolicy: { slug: string }; users: { onCalluser: { username: string } }[] }[];
}

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ rateLimit: false, org: 'realistic' });
});
beforeEach(() => {
  sim.control.reset('demo', 'realistic');
  sim.control.setSwitches({ oncallCurrentSteps: 'first', userListV1: 'nested' });
});
afterAll(async () => {
  await sim.close();
});

async function get<T>(path: string): Promise<T> {
  const r = await vo(sim, 'GET', path);
  expect(r.status, `${path}: ${r.text}`).toBe(200);
  return r.body as T;
}

/** What Wikimedia's check_policy_pages_immediately decides: a step with timeout 0 that pages a rotation group. */
function pagesRotationAtOnce(steps: Step[]): boolean {
  return steps.some((s) => s.timeout === 0 && s.entries.some((e) => e.executionType === 'rotation_group'));
}

describe('escalation policies (policies)', () => {
  it('lists several policies per team, each with its team', async () => {
    const { policies } = await get<{ policies: { policy: { slug: string }; team: { slug: string } }[] }>(
      '/api-public/v1/policies',
    );
    const byTeam = (team: string) => policies.filter((p) => p.team.slug === team).map((p) => p.policy.slug);
    expect(byTeam(DEMO_TEAM_SRE)).toEqual([DEMO_POLICY_SRE, DEMO_POLICY_BATPHONE, DEMO_POLICY_TICKETS]);
    expect(byTeam(DEMO_TEAM_PLATFORM)).toEqual([DEMO_POLICY_PLATFORM, DEMO_POLICY_PLATFORM_HOURS]);
    const team = await get<{ policies: { name: string; slug: string }[] }>(
      `/api-public/v1/team/${DEMO_TEAM_SRE}/policies`,
    );
    expect(team.policies.map((p) => p.name)).toEqual(['SRE Primary', 'SRE Batphone', 'SRE Tickets']);
  });

  it('filters by name, refusing a filter under three characters', async () => {
    const { policies } = await get<{ policies: { policy: { name: string } }[] }>('/api-public/v1/policies?filter=bat');
    expect(policies.map((p) => p.policy.name)).toEqual(['SRE Batphone']);
    const short = await vo(sim, 'GET', '/api-public/v1/policies?filter=ba');
    expect(short.status).toBe(400);
    expect(short.body).toEqual({ error: expect.any(String) });
  });

  it('gives the steps of a policy: a rotation now, another after 15 minutes, the batphone after 30 more', async () => {
    const p = await get<{ name: string; slug: string; steps: Step[] }>(`/api-public/v1/policies/${DEMO_POLICY_SRE}`);
    expect(p).not.toHaveProperty('team');
    expect(p.steps).toEqual([
      { timeout: 0, entries: [{ executionType: 'rotation_group', rotationGroup: { slug: 'rtg-sreprimary00001' } }] },
      { timeout: 15, entries: [{ executionType: 'rotation_group', rotationGroup: { slug: 'rtg-sresecondary0004' } }] },
      {
        timeout: 30,
        entries: [{ executionType: 'policy_routing', targetPolicy: { policySlug: DEMO_POLICY_BATPHONE } }],
      },
    ]);
    const platform = await get<{ steps: Step[] }>(`/api-public/v1/policies/${DEMO_POLICY_PLATFORM}`);
    expect(platform.steps[1]).toEqual({ timeout: 10, entries: [{ executionType: 'user', user: { username: 'sam' } }] });
  });

  it("answers Wikimedia's 'pages a rotation at once?' check: yes for primaries and the empty one, no for e-mail first", async () => {
    const verdicts: Record<string, boolean> = {};
    for (const slug of [DEMO_POLICY_SRE, DEMO_POLICY_BATPHONE, DEMO_POLICY_TICKETS, DEMO_POLICY_PLATFORM_HOURS])
      verdicts[slug] = pagesRotationAtOnce((await get<{ steps: Step[] }>(`/api-public/v1/policies/${slug}`)).steps);
    expect(verdicts).toEqual({
      [DEMO_POLICY_SRE]: true,
      [DEMO_POLICY_BATPHONE]: true,
      [DEMO_POLICY_TICKETS]: false,
      // Pages its rotation at once, but nobody is on it: the check passes and still nobody is woken.
      [DEMO_POLICY_PLATFORM_HOURS]: true,
    });
    const tickets = await get<{ steps: Step[] }>(`/api-public/v1/policies/${DEMO_POLICY_TICKETS}`);
    expect(tickets.steps[0]!.entries).toEqual([
      { executionType: 'email', email: { address: 'sre-tickets@klaxon.test' } },
    ]);
    expect((await vo(sim, 'GET', '/api-public/v1/policies/pol-nope000000000000')).status).toBe(404);
  });
});

describe('routing keys (routing-keys)', () => {
  it('maps keys to one or several policies, with one default route and no multi-responder flag on the wire', async () => {
    const { routingKeys } = await get<{
      routingKeys: { routingKey: string; isDefault: boolean; targets: { policySlug: string; policyName: string }[] }[];
    }>('/api-public/v1/org/routing-keys');
    const table = Object.fromEntries(routingKeys.map((k) => [k.routingKey, k.targets.map((t) => t.policySlug)]));
    expect(table).toEqual({
      sre: [DEMO_POLICY_SRE],
      platform: [DEMO_POLICY_PLATFORM],
      batphone: [DEMO_POLICY_BATPHONE],
      'platform-hours': [DEMO_POLICY_PLATFORM_HOURS],
      tickets: [DEMO_POLICY_TICKETS],
      'sre-platform': [DEMO_POLICY_SRE, DEMO_POLICY_PLATFORM],
      'major-incident': [DEMO_POLICY_SRE, DEMO_POLICY_PLATFORM],
      routingdefault: [DEMO_POLICY_SRE],
    });
    expect(routingKeys.filter((k) => k.isDefault).map((k) => k.routingKey)).toEqual(['routingdefault']);
    for (const k of routingKeys) expect(Object.keys(k).sort()).toEqual(['isDefault', 'routingKey', 'targets']);
  });
});

describe('who is on call (oncall-current)', () => {
  it('lists every policy of a team, the batphone with everybody on it', async () => {
    const { teamsOnCall } = await get<{ teamsOnCall: OnCallTeam[] }>('/api-public/v1/oncall/current');
    const who = (team: string) =>
      Object.fromEntries(
        teamsOnCall
          .find((t) => t.team.slug === team)!
          .oncallNow.map((p) => [p.escalationPolicy.slug, p.users.map((u) => u.onCalluser.username)]),
      );
    expect(who(DEMO_TEAM_SRE)).toEqual({
      [DEMO_POLICY_SRE]: ['carol'],
      [DEMO_POLICY_BATPHONE]: ['carol', 'dmitri', 'ana', 'lars', 'jo'],
      [DEMO_POLICY_TICKETS]: [],
    });
    expect(who(DEMO_TEAM_PLATFORM)).toEqual({ [DEMO_POLICY_PLATFORM]: ['priya'], [DEMO_POLICY_PLATFORM_HOURS]: [] });
  });

  it('lists the rotations of every step with oncallCurrentSteps: all', async () => {
    sim.control.setSwitches({ oncallCurrentSteps: 'all' });
    const { teamsOnCall } = await get<{ teamsOnCall: OnCallTeam[] }>('/api-public/v1/oncall/current');
    const sre = teamsOnCall.find((t) => t.team.slug === DEMO_TEAM_SRE)!.oncallNow;
    const users = (slug: string) =>
      sre.find((p) => p.escalationPolicy.slug === slug)!.users.map((u) => u.onCalluser.username);
    expect(users(DEMO_POLICY_SRE)).toEqual(['carol', 'dmitri']);
    expect(users(DEMO_POLICY_TICKETS)).toEqual(['carol']);
  });

  it('follows on-call changes by rotation group or by policy', async () => {
    sim.control.setOnCall('rtg-srebatphone00003', ['carol', 'lars']);
    sim.control.setOnCall(DEMO_POLICY_PLATFORM_HOURS, ['mei']);
    const { teamsOnCall } = await get<{ teamsOnCall: OnCallTeam[] }>('/api-public/v1/oncall/current');
    const flat = teamsOnCall.flatMap((t) =>
      t.oncallNow.map((p) => [p.escalationPolicy.slug, p.users.map((u) => u.onCalluser.username)]),
    );
    expect(Object.fromEntries(flat)).toMatchObject({
      [DEMO_POLICY_BATPHONE]: ['carol', 'lars'],
      [DEMO_POLICY_PLATFORM_HOURS]: ['mei'],
    });
    expect(() => sim.control.setOnCall(DEMO_POLICY_TICKETS, ['carol'])).not.toThrow(); // its second step's rotation
    expect(() => sim.control.setOnCall('rtg-nope', ['carol'])).toThrow(/No escalation policy or rotation group/);
  });
});

describe("who is on call at each step of a team's policies (team-schedule)", () => {
  interface Entry {
    onCallType: string;
    rotationName?: string;
    onCallUser?: { username: string };
    rolls: { start: string; end: string; isRoll: boolean }[];
  }
  interface TeamSchedule {
    team: { name: string; slug: string };
    schedules: { policy: { name: string; slug: string }; schedule: Entry[]; overrides: unknown[] }[];
  }
  const stepOf = async (team: string, step?: number) => {
    const q = step === undefined ? '' : `?step=${step}`;
    const s = await get<TeamSchedule>(`/api-public/v2/team/${team}/oncall/schedule${q}`);
    return Object.fromEntries(
      s.schedules.map((p) => [p.policy.slug, p.schedule.map((e) => [e.onCallType, e.onCallUser?.username ?? null])]),
    );
  };

  it('gives, per policy, who is on call in the entries of one step (the first by default)', async () => {
    const first = await get<TeamSchedule>(`/api-public/v2/team/${DEMO_TEAM_SRE}/oncall/schedule`);
    expect(first.team).toEqual({ name: 'SRE', slug: DEMO_TEAM_SRE });
    const primary = first.schedules.find((p) => p.policy.slug === DEMO_POLICY_SRE)!;
    expect(primary.schedule).toEqual([
      {
        onCallType: 'rotation_group',
        rotationName: 'SRE primary',
        shiftName: 'SRE primary shift',
        onCallUser: { username: 'carol' },
        rolls: [expect.objectContaining({ isRoll: false, onCallUser: { username: 'carol' } })],
      },
    ]);
    expect(await stepOf(DEMO_TEAM_SRE, 0)).toEqual({
      [DEMO_POLICY_SRE]: [['rotation_group', 'carol']],
      [DEMO_POLICY_BATPHONE]: ['carol', 'dmitri', 'ana', 'lars', 'jo'].map((u) => ['rotation_group', u]),
      [DEMO_POLICY_TICKETS]: [['email', null]],
    });
    expect(await stepOf(DEMO_TEAM_SRE, 1)).toEqual({
      [DEMO_POLICY_SRE]: [['rotation_group', 'dmitri']],
      [DEMO_POLICY_BATPHONE]: [],
      [DEMO_POLICY_TICKETS]: [['rotation_group', 'carol']],
    });
    expect((await stepOf(DEMO_TEAM_SRE, 2))[DEMO_POLICY_SRE]).toEqual([['policy_routing', null]]);
    expect(await stepOf(DEMO_TEAM_PLATFORM, 0)).toEqual({
      [DEMO_POLICY_PLATFORM]: [['rotation_group', 'priya']],
      // Business hours: the rotation is empty now, so its entry names nobody.
      [DEMO_POLICY_PLATFORM_HOURS]: [['rotation_group', null]],
    });
    expect((await stepOf(DEMO_TEAM_PLATFORM, 1))[DEMO_POLICY_PLATFORM]).toEqual([['user', 'sam']]);
  });

  it('follows on-call changes, refuses a step beyond 3 and answers 404 for an unknown team', async () => {
    sim.control.setOnCall('rtg-sresecondary0004', ['lars']);
    expect((await stepOf(DEMO_TEAM_SRE, 1))[DEMO_POLICY_SRE]).toEqual([['rotation_group', 'lars']]);
    expect((await vo(sim, 'GET', `/api-public/v2/team/${DEMO_TEAM_SRE}/oncall/schedule?step=4`)).status).toBe(400);
    const missing = await vo(sim, 'GET', '/api-public/v2/team/team-nope/oncall/schedule');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'Team not found' });
  });
});

describe('users (users)', () => {
  const V1User = {
    firstName: expect.any(String),
    lastName: expect.any(String),
    username: expect.any(String),
    email: expect.any(String),
    createdAt: expect.any(String),
    passwordLastUpdated: expect.any(String),
    verified: expect.any(Boolean),
    _selfUrl: expect.stringMatching(/^\/api-public\/v1\/user\//),
  };

  it('v1 lists users as an array of arrays (nested) or a flat array', async () => {
    const nested = await get<{ _selfUrl: string; users: unknown[][] }>('/api-public/v1/user');
    expect(nested._selfUrl).toBe('/api-public/v1/user');
    expect(nested.users).toHaveLength(1);
    expect(nested.users[0]!.length).toBe(10);
    for (const u of nested.users[0]!) expect(u).toStrictEqual(V1User);
    sim.control.setSwitches({ userListV1: 'flat' });
    const flat = await get<{ users: { username: string }[] }>('/api-public/v1/user');
    expect(flat.users.map((u) => u.username)).toContain('escalator_sysuser');
  });

  it('v1 gives one user and their teams; 404 for an unknown one', async () => {
    expect(await get('/api-public/v1/user/carol')).toStrictEqual({
      ...V1User,
      firstName: 'Carol',
      lastName: 'Okafor',
      username: 'carol',
      email: 'carol@klaxon.test',
    });
    const { teams } = await get<{ teams: { slug: string; name: string }[] }>('/api-public/v1/user/jo/teams');
    expect(teams.map((t) => [t.name, t.slug])).toEqual([['SRE', DEMO_TEAM_SRE]]);
    const missing = await vo(sim, 'GET', '/api-public/v1/user/mallory');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'User not found' });
  });

  it('v2 adds displayName (first and last name unless the user set another) and finds users by e-mail', async () => {
    const { users } = await get<{ users: { username: string; displayName: string }[] }>('/api-public/v2/user');
    const names = Object.fromEntries(users.map((u) => [u.username, u.displayName]));
    expect(names).toMatchObject({ carol: 'Carol Okafor', jo: 'Jo Kowalski', escalator_sysuser: 'Escalator System' });
    const byEmail = await get<{ users: { username: string }[] }>('/api-public/v2/user?email=PRIYA@klaxon.test');
    expect(byEmail.users.map((u) => u.username)).toEqual(['priya']);
  });

  it('sends no time zone anywhere: no public endpoint has one', async () => {
    for (const path of [
      '/api-public/v1/user',
      '/api-public/v1/user/carol',
      '/api-public/v2/user',
      `/api-public/v1/team/${DEMO_TEAM_SRE}/members`,
      '/api-public/v1/oncall/current',
      `/api-public/v2/team/${DEMO_TEAM_SRE}/oncall/schedule`,
    ])
      expect((await vo(sim, 'GET', path)).text).not.toMatch(/time_?zone/i);
  });

  it('lists the new people as team members with first and last names', async () => {
    const { members } = await get<{ members: { username: string; firstName: string; lastName: string }[] }>(
      `/api-public/v1/team/${DEMO_TEAM_PLATFORM}/members`,
    );
    expect(members.map((m) => `${m.firstName} ${m.lastName}`)).toEqual(['Priya Raman', 'Sam Lee', 'Mei Tanaka']);
  });
});

describe('the realistic demo incidents', () => {
  it('adds an UNACKED incident that pages nobody to the two demo incidents', async () => {
    const { incidents } = await get<{
      incidents: { incidentNumber: string; currentPhase: string; pagedUsers: string[]; routingKey: string }[];
    }>('/api-public/v1/incidents');
    expect(incidents.map((i) => [i.incidentNumber, i.currentPhase, i.routingKey, i.pagedUsers])).toEqual([
      ['1043', 'UNACKED', 'platform-hours', []],
      ['1042', 'UNACKED', 'sre', ['carol']],
      ['1041', 'ACKED', 'sre', []],
    ]);
  });

  it('switches back to the tidy org on reset', async () => {
    sim.control.reset('demo', 'tidy');
    const { policies } = await get<{ policies: unknown[] }>('/api-public/v1/policies');
    expect(policies).toHaveLength(2);
    sim.control.reset('demo');
    expect((await get<{ policies: unknown[] }>('/api-public/v1/policies')).policies).toHaveLength(2);
  });
});
