/**
 * Contract suite: the simulator's public API answers in the shapes docs/splunk-oncall.md describes
 * (the incident object, create-incident, ack-resolve, who is on call). Endpoint names are that page's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { alert, listIncidents, vo } from '#test/support/vo-client.js';

const isoSeconds = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'ISO-8601 UTC, second precision');
const teamSlug = z.string().regex(/^team-[A-Za-z0-9]{16}$/);
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
const PolicyRef = z
  .object({
    policy: z.object({ name: z.string(), slug: z.string(), _selfUrl: z.string().optional() }).strict(),
    team: z.object({ name: z.string(), slug: teamSlug }).strict().optional(),
  })
  .strict();
const Transition = z
  .object({
    name: z.enum(['ACKED', 'RESOLVED', 'UNACKED']),
    at: isoSeconds,
    by: z.string().optional(),
    message: z.string().optional(),
    manually: z.boolean().optional(),
    alertId: z.string().optional(),
  })
  .strict();

/**
 * docs/splunk-oncall.md#the-incident-object, key for key: a client looking up these exact names
 * finds them with these JSON types.
 */
const WireIncident = z
  .object({
    incidentNumber: z.string().regex(/^\d+$/),
    startTime: isoSeconds,
    currentPhase: z.enum(['UNACKED', 'ACKED', 'RESOLVED']),
    entityId: z.string(),
    entityDisplayName: z.string(),
    entityType: z.literal('SERVICE'),
    entityState: z.string(),
    routingKey: z.string(),
    alertCount: z.number().int(),
    lastAlertTime: isoSeconds,
    lastAlertId: uuid,
    firstAlertUuid: uuid,
    host: z.string(),
    service: z.string(),
    pagedTeams: z.array(teamSlug),
    pagedUsers: z.array(z.string()),
    pagedPolicies: z.array(PolicyRef),
    transitions: z.array(Transition),
    monitorName: z.string(),
    monitorType: z.string(),
    incidentLink: z.string().url(),
  })
  .strict();

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ rateLimit: false });
});
afterAll(async () => {
  await sim.close();
});

describe('GET /api-public/v1/incidents (list-incidents)', () => {
  it('wraps the demo incidents in {"incidents": [...]} with every field typed as documented', async () => {
    const r = await vo(sim, 'GET', '/api-public/v1/incidents');
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(Object.keys(r.body as object)).toEqual(['incidents']);
    const incidents = z.array(WireIncident).parse((r.body as { incidents: unknown }).incidents);
    expect(incidents).toHaveLength(3);
    const unacked = incidents.find((i) => i.entityDisplayName === 'Checkout latency above SLO')!;
    const acked = incidents.find((i) => i.currentPhase === 'ACKED')!;
    // The realistic org's third demo incident: open, on a policy whose rotation is empty, paging nobody.
    const unpaged = incidents.find((i) => i.entityDisplayName === 'Nightly export stalled')!;
    expect(unpaged).toMatchObject({ currentPhase: 'UNACKED', routingKey: 'platform-hours', pagedUsers: [] });
    expect(unacked.entityDisplayName).toBe('Checkout latency above SLO');
    expect(unacked.pagedUsers).toEqual(['carol']);
    expect(unacked.pagedTeams).toEqual(['team-sreKLX0000000001']);
    expect(unacked.pagedPolicies[0]).toMatchObject({
      policy: { name: 'SRE Primary', slug: 'pol-sreprimary00001' },
      team: { name: 'SRE', slug: 'team-sreKLX0000000001' },
    });
    expect(acked.entityDisplayName).toBe('Elevated 5xx on edge cache');
    expect(acked.pagedUsers).toEqual([]);
    expect(acked.transitions).toEqual([expect.objectContaining({ name: 'ACKED', by: 'dmitri', manually: true })]);
    // Both started within the last 30 minutes.
    for (const i of incidents) expect(Date.now() - Date.parse(i.startTime)).toBeLessThan(30 * 60_000);
    expect(unacked.incidentLink).toBe(
      `https://portal.victorops.com/client/klaxon-demo/popoutIncident?incidentName=${unacked.incidentNumber}`,
    );
  });
});

describe('GET /api-public/v1/incidents/{n} (get-incident)', () => {
  it('returns the bare incident object, not wrapped', async () => {
    const [first] = await listIncidents(sim);
    const r = await vo(sim, 'GET', `/api-public/v1/incidents/${first!.incidentNumber}`);
    expect(r.status).toBe(200);
    const inc = WireIncident.parse(r.body);
    expect(inc.incidentNumber).toBe(first!.incidentNumber);
  });

  it('answers 404 {"error":"Incident not found"} for an unknown number', async () => {
    const r = await vo(sim, 'GET', '/api-public/v1/incidents/999999');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'Incident not found' });
  });
});

describe('POST /api-public/v1/incidents (create-incident)', () => {
  it('creates a Manual incident and returns its number as a string with the entityId', async () => {
    const r = await vo(sim, 'POST', '/api-public/v1/incidents', {
      summary: 'Manual page: DNS down',
      details: 'NXDOMAIN everywhere',
      userName: 'carol',
      targets: [
        { type: 'EscalationPolicy', slug: 'pol-pltprimary00002' },
        { type: 'User', slug: 'sam' },
      ],
    });
    expect(r.status).toBe(200);
    const created = z
      .object({ incidentNumber: z.string().regex(/^\d+$/), entityId: uuid })
      .strict()
      .parse(r.body);
    const inc = WireIncident.parse((await vo(sim, 'GET', `/api-public/v1/incidents/${created.incidentNumber}`)).body);
    expect(inc).toMatchObject({
      entityId: created.entityId,
      entityDisplayName: 'Manual page: DNS down',
      monitorName: 'vouser-carol',
      monitorType: 'Manual',
      routingKey: 'routingdefault',
      currentPhase: 'UNACKED',
    });
    expect(inc.pagedUsers.sort()).toEqual(['priya', 'sam']);
    expect(inc.pagedPolicies.map((p) => p.policy.slug)).toEqual(['pol-pltprimary00002', 'directUserPolicySlug-sam']);
    expect(inc.pagedPolicies[1]).toEqual({
      policy: { name: 'Generated Direct User Policy for sam', slug: 'directUserPolicySlug-sam' },
    });
  });

  it('refuses a request naming an unknown user or target with 400 {"error":…}', async () => {
    const base = {
      summary: 's',
      details: 'd',
      userName: 'carol',
      targets: [{ type: 'EscalationPolicy', slug: 'pol-sreprimary00001' }],
    };
    for (const body of [
      { ...base, userName: 'nobody' },
      { ...base, targets: [{ type: 'EscalationPolicy', slug: 'pol-doesnotexist0000' }] },
      { ...base, summary: undefined },
      { ...base, targets: [] },
    ]) {
      const r = await vo(sim, 'POST', '/api-public/v1/incidents', body);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ error: expect.any(String) });
    }
  });
});

describe('PATCH /api-public/v1/incidents/ack and /resolve (ack-resolve)', () => {
  it('reports per-incident results, acks open ones and refuses closed ones', async () => {
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'contract/ack', entity_display_name: 'Ack me' });
    const inc = (await listIncidents(sim)).find((i) => i.entityId === 'contract/ack')!;
    const ack = await vo(sim, 'PATCH', '/api-public/v1/incidents/ack', {
      userName: 'dmitri',
      incidentNames: [inc.incidentNumber, '999999'],
      message: 'on it',
    });
    expect(ack.status).toBe(200);
    const results = z
      .object({
        results: z.array(
          z
            .object({ incidentNumber: z.string(), entityId: z.string(), cmdAccepted: z.boolean(), message: z.string() })
            .strict(),
        ),
      })
      .strict()
      .parse(ack.body).results;
    expect(results[0]).toEqual({
      incidentNumber: inc.incidentNumber,
      entityId: 'contract/ack',
      cmdAccepted: true,
      message: '',
    });
    expect(results[1]!.cmdAccepted).toBe(false);

    const acked = WireIncident.parse((await vo(sim, 'GET', `/api-public/v1/incidents/${inc.incidentNumber}`)).body);
    expect(acked.currentPhase).toBe('ACKED');
    expect(acked.pagedUsers).toEqual([]);
    expect(acked.transitions.at(-1)).toMatchObject({ name: 'ACKED', by: 'dmitri', message: 'on it', manually: true });

    const res = await vo(sim, 'PATCH', '/api-public/v1/incidents/resolve', {
      userName: 'dmitri',
      incidentNames: [inc.incidentNumber],
    });
    expect((res.body as { results: { cmdAccepted: boolean }[] }).results[0]!.cmdAccepted).toBe(true);
    const again = await vo(sim, 'PATCH', '/api-public/v1/incidents/resolve', {
      userName: 'dmitri',
      incidentNames: [inc.incidentNumber],
    });
    expect((again.body as { results: { cmdAccepted: boolean; message: string }[] }).results[0]).toMatchObject({
      cmdAccepted: false,
      message: 'Incident is not open',
    });
    const resolved = WireIncident.parse((await vo(sim, 'GET', `/api-public/v1/incidents/${inc.incidentNumber}`)).body);
    expect(resolved.currentPhase).toBe('RESOLVED');
    expect(resolved.transitions.map((t) => t.name)).toEqual(['ACKED', 'RESOLVED']);
  });

  it('answers 404 {"error":"User not found"} for an unknown user', async () => {
    const r = await vo(sim, 'PATCH', '/api-public/v1/incidents/ack', { userName: 'mallory', incidentNames: ['1042'] });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'User not found' });
  });
});

describe('on-call, teams and policies (oncall-current, teams, team-policies, policies)', () => {
  it('GET /oncall/current uses the production spelling oncallNow/onCalluser', async () => {
    const r = await vo(sim, 'GET', '/api-public/v1/oncall/current');
    expect(r.status).toBe(200);
    expect(r.text).not.toContain('onCallNow');
    const body = z
      .object({
        teamsOnCall: z.array(
          z
            .object({
              team: z.object({ name: z.string(), slug: teamSlug }).strict(),
              oncallNow: z.array(
                z
                  .object({
                    escalationPolicy: z.object({ name: z.string(), slug: z.string() }).strict(),
                    users: z.array(z.object({ onCalluser: z.object({ username: z.string() }).strict() }).strict()),
                  })
                  .strict(),
              ),
            })
            .strict(),
        ),
      })
      .strict()
      .parse(r.body);
    const sre = body.teamsOnCall.find((t) => t.team.name === 'SRE')!;
    expect(sre.oncallNow[0]!.escalationPolicy).toEqual({ name: 'SRE Primary', slug: 'pol-sreprimary00001' });
    expect(sre.oncallNow[0]!.users).toEqual([{ onCalluser: { username: 'carol' } }]);
    const platform = body.teamsOnCall.find((t) => t.team.name === 'Platform')!;
    expect(platform.oncallNow[0]!.users).toEqual([{ onCalluser: { username: 'priya' } }]);
  });

  it('GET /oncall/current can emit the spec spelling onCallNow/onCallUser', async () => {
    const spec = await startOnCallSimulator({ oncallFieldStyle: 'spec', rateLimit: false });
    try {
      const r = await vo(spec, 'GET', '/api-public/v1/oncall/current');
      const team = (r.body as { teamsOnCall: Record<string, unknown>[] }).teamsOnCall[0]!;
      expect(team).toHaveProperty('onCallNow');
      expect(team).not.toHaveProperty('oncallNow');
      expect((team.onCallNow as { users: unknown[] }[])[0]!.users[0]).toEqual({ onCallUser: { username: 'carol' } });
    } finally {
      await spec.close();
    }
  });

  it('GET /team returns a bare array of team details', async () => {
    const r = await vo(sim, 'GET', '/api-public/v1/team');
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body)).toBe(true);
    const teams = z
      .array(
        z
          .object({
            _selfUrl: z.string(),
            _membersUrl: z.string(),
            _policiesUrl: z.string(),
            _adminsUrl: z.string(),
            name: z.string(),
            slug: teamSlug,
            memberCount: z.number(),
            version: z.number(),
            isDefaultTeam: z.boolean(),
          })
          .strict(),
      )
      .parse(r.body);
    expect(teams.map((t) => [t.name, t.slug])).toEqual([
      ['SRE', 'team-sreKLX0000000001'],
      ['Platform', 'team-pltKLX0000000002'],
    ]);
  });

  it('GET /team/{team}/members lists members with first and last names', async () => {
    const r = await vo(sim, 'GET', '/api-public/v1/team/team-sreKLX0000000001/members');
    expect(r.status).toBe(200);
    const body = z
      .object({
        _selfUrl: z.string(),
        _teamUrl: z.string(),
        members: z.array(
          z
            .object({
              username: z.string(),
              firstName: z.string(),
              lastName: z.string(),
              verified: z.boolean(),
              version: z.number(),
            })
            .strict(),
        ),
      })
      .strict()
      .parse(r.body);
    expect(body.members.map((m) => `${m.firstName} ${m.lastName} (${m.username})`)).toEqual([
      'Carol Okafor (carol)',
      'Dmitri Ivanov (dmitri)',
      'Ana Souza (ana)',
      'Lars Nilsson (lars)',
      'Joanna Kowalski (jo)',
    ]);
    expect((await vo(sim, 'GET', '/api-public/v1/team/team-nope000000000000/members')).status).toBe(404);
  });

  it('GET /team/{team}/policies and GET /policies map policies to teams', async () => {
    const tp = await vo(sim, 'GET', '/api-public/v1/team/team-pltKLX0000000002/policies');
    expect(tp.body).toEqual({
      policies: [
        { name: 'Platform Primary', slug: 'pol-pltprimary00002' },
        { name: 'Platform Business Hours', slug: 'pol-pltbizhours00005' },
      ],
    });
    const all = await vo(sim, 'GET', '/api-public/v1/policies');
    const policies = z
      .object({ policies: z.array(PolicyRef) })
      .strict()
      .parse(all.body).policies;
    expect(policies.map((p) => [p.policy.slug, p.team?.slug])).toEqual([
      ['pol-sreprimary00001', 'team-sreKLX0000000001'],
      ['pol-srebatphone00003', 'team-sreKLX0000000001'],
      ['pol-sretickets000006', 'team-sreKLX0000000001'],
      ['pol-pltprimary00002', 'team-pltKLX0000000002'],
      ['pol-pltbizhours00005', 'team-pltKLX0000000002'],
    ]);
  });

  it('GET /org/routing-keys lists every key with its policies, and the default route', async () => {
    const r = await vo(sim, 'GET', '/api-public/v1/org/routing-keys');
    const keys = (
      r.body as { routingKeys: { routingKey: string; isDefault: boolean; targets: { policySlug: string }[] }[] }
    ).routingKeys;
    expect(keys.map((k) => [k.routingKey, k.isDefault, k.targets.map((t) => t.policySlug).join(' ')])).toEqual([
      ['sre', false, 'pol-sreprimary00001'],
      ['platform', false, 'pol-pltprimary00002'],
      ['batphone', false, 'pol-srebatphone00003'],
      ['platform-hours', false, 'pol-pltbizhours00005'],
      ['tickets', false, 'pol-sretickets000006'],
      ['sre-platform', false, 'pol-sreprimary00001 pol-pltprimary00002'],
      ['major-incident', false, 'pol-sreprimary00001 pol-pltprimary00002'],
      ['routingdefault', true, 'pol-sreprimary00001'],
    ]);
  });
});

describe('byUser ack/resolve and reroute (ack-resolve-by-user, reroute)', () => {
  it('acks every open incident the user was paged for, and reroutes to another policy', async () => {
    sim.control.reset('demo');
    const r = await vo(sim, 'PATCH', '/api-public/v1/incidents/byUser/ack', { userName: 'carol' });
    expect(r.status).toBe(200);
    const results = (r.body as { results: { incidentNumber: string; cmdAccepted: boolean }[] }).results;
    expect(results).toEqual([expect.objectContaining({ incidentNumber: '1042', cmdAccepted: true })]);

    const created = sim.control.createIncident({ title: 'Reroute me', routingKey: 'sre' });
    const rr = await vo(sim, 'POST', '/api-public/v1/incidents/reroute', {
      userName: 'carol',
      reroutes: [{ incidentNumber: created, targets: [{ type: 'EscalationPolicy', slug: 'pol-pltprimary00002' }] }],
    });
    expect(rr.body).toEqual({
      statuses: [
        {
          incidentNumber: created,
          success: true,
          message: expect.any(String),
          targetStatus: [{ slug: 'pol-pltprimary00002', success: true, message: expect.any(String) }],
        },
      ],
    });
    const inc = WireIncident.parse((await vo(sim, 'GET', `/api-public/v1/incidents/${created}`)).body);
    expect(inc.pagedTeams).toEqual(['team-pltKLX0000000002']);
    expect(inc.pagedUsers).toEqual(['priya']);
  });
});
