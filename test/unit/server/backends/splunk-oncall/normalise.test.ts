import { describe, expect, it } from 'vitest';
import { Incident, OnCallNow } from '#common/index.js';
import { normaliseIncident, portalLink } from '#server/backends/splunk-oncall/normalise.js';
import {
  readIncident,
  readIncidentList,
  readOnCallCurrent,
  readPhase,
  readTeamMembers,
  readTeams,
  readTime,
} from '#server/backends/splunk-oncall/wire.js';

const SRE = 'team-KXK4L1qPrbLWwa6w';
const ctx = {
  teamNames: new Map([
    [SRE, 'SRE'],
    ['team-other', 'Other'],
  ]),
  orgSlug: 'acme',
  fallbackTime: '2024-05-01T12:00:00.000Z',
};

// An acknowledged incident in the shape On-Call's incident list sends (a composite of real answers).
const acked = {
  incidentNumber: '1041',
  startTime: '2024-05-01T11:40:00Z',
  currentPhase: 'ACKED',
  entityId: '8ec50e06-4c90-4d4d-a2fd-2ffab1e69a63',
  entityDisplayName: 'DB replica lag',
  entityType: 'SERVICE',
  routingKey: 'routingdefault',
  alertCount: 3,
  lastAlertTime: '2020-12-22T19:02:09.62204Z',
  service: 'DB replica lag (service)',
  pagedTeams: [SRE],
  pagedUsers: [],
  pagedPolicies: [
    { policy: { name: 'SRE Primary', slug: 'pol-Ab12Cd34Ef56Gh78' }, team: { name: 'SRE team', slug: SRE } },
  ],
  transitions: [{ name: 'ACKED', at: '2024-05-01T11:43:57Z', by: 'bob', manually: true }],
};

function norm(wire: unknown) {
  const r = readIncident(wire);
  if (!r.ok) throw new Error(r.reason);
  return normaliseIncident(r.incident, ctx);
}

describe('reading On-Call wire data tolerantly', () => {
  it('parses timestamps with and without fractional seconds, offsets and epoch numbers', () => {
    expect(readTime('2020-03-24T19:30:34Z')).toBe('2020-03-24T19:30:34.000Z');
    expect(readTime('2020-12-22T19:02:09.62204Z')).toBe('2020-12-22T19:02:09.622Z');
    expect(readTime('2020-03-31T09:00:00-06:00')).toBe('2020-03-31T15:00:00.000Z');
    expect(readTime('2020-03-24T19:30:34+0000')).toBe('2020-03-24T19:30:34.000Z');
    expect(readTime(1588334403)).toBe('2020-05-01T12:00:03.000Z');
    expect(readTime(1588334403000)).toBe('2020-05-01T12:00:03.000Z');
    expect(readTime('yesterday')).toBeNull();
    expect(readTime(undefined)).toBeNull();
  });

  it('reads phases in any case, including the reporting vocabulary', () => {
    expect(readPhase('UNACKED')).toBe('UNACKED');
    expect(readPhase('unacked')).toBe('UNACKED');
    expect(readPhase('triggered')).toBe('UNACKED');
    expect(readPhase('Acknowledged')).toBe('ACKED');
    expect(readPhase('acked')).toBe('ACKED');
    expect(readPhase('resolved')).toBe('RESOLVED');
    expect(readPhase('exploded')).toBeNull();
  });

  it('keeps an incident with every optional field missing, and shows it as open', () => {
    const i = norm({ incidentNumber: '7' });
    expect(Incident.parse(i)).toEqual(i);
    expect(i).toMatchObject({
      number: '7',
      title: 'Incident #7',
      phase: 'UNACKED',
      startedAt: ctx.fallbackTime,
      teams: [],
      alertCount: 0,
      link: portalLink('acme', '7'),
    });
  });

  it('accepts a numeric incidentNumber but skips items without a usable one', async () => {
    const list = await readIncidentList({
      incidents: [{ incidentNumber: 12 }, { incidentNumber: 'abc' }, 'junk', null],
    });
    expect(list?.incidents.map((i) => i.incidentNumber)).toEqual(['12']);
    // Three unusable items, plus the missing phase of #12 (shown as open).
    expect(list?.problems).toHaveLength(4);
    expect(await readIncidentList({ incident: [] })).toBeNull();
    expect(await readIncidentList([])).toBeNull();
  });

  it('infers an unknown phase from the transitions and reports it', () => {
    const r = readIncident({
      incidentNumber: '5',
      currentPhase: 'MYSTERY',
      transitions: [{ name: 'acked', at: '2024-05-01T11:00:00Z', by: 'x' }],
    });
    expect(r.ok && r.incident.currentPhase).toBe('ACKED');
    expect(r.ok && r.warning).toMatch(/MYSTERY/);
  });

  it('reads the on-call list in both key spellings', () => {
    const team = { name: 'SRE', slug: SRE };
    const observed = {
      teamsOnCall: [
        {
          team,
          oncallNow: [
            {
              escalationPolicy: { name: 'SRE Primary', slug: 'pol-1' },
              users: [{ onCalluser: { username: 'bob' } }, { onCalluser: { username: 'carol' } }],
            },
          ],
        },
      ],
    };
    const spec = {
      teamsOnCall: [
        {
          team,
          onCallNow: [
            {
              escalationPolicy: { name: 'SRE Primary', slug: 'pol-1' },
              users: [{ onCallUser: { username: 'bob' } }, { onCallUser: { username: 'carol' } }],
            },
          ],
        },
      ],
    };
    const expected = [
      {
        team: { slug: SRE, name: 'SRE' },
        policies: [{ policy: { slug: 'pol-1', name: 'SRE Primary' }, usernames: ['bob', 'carol'] }],
      },
    ];
    expect(readOnCallCurrent(observed)).toEqual(expected);
    expect(readOnCallCurrent(spec)).toEqual(expected);
    // A team with nobody on call still appears.
    expect(readOnCallCurrent({ teamsOnCall: [{ team }] })).toEqual([
      { team: { slug: SRE, name: 'SRE' }, policies: [] },
    ]);
    expect(readOnCallCurrent({ teams: [] })).toBeNull();
  });

  it('reads the bare team array and team members', () => {
    expect(readTeams([{ name: 'SRE', slug: SRE, memberCount: 7 }, { nope: 1 }])).toEqual([{ slug: SRE, name: 'SRE' }]);
    expect(readTeams('no')).toBeNull();
    expect(readTeamMembers({ members: [{ username: 'bob', firstName: 'Bob', lastName: 'Brown' }, {}] })).toEqual([
      { username: 'bob', firstName: 'Bob', lastName: 'Brown' },
    ]);
  });
});

describe('normalising an incident for clients', () => {
  it('maps an acknowledged incident with title, team names, ack details and link', () => {
    const i = norm(acked);
    expect(Incident.safeParse(i).success).toBe(true);
    expect(i).toEqual({
      number: '1041',
      title: 'DB replica lag (service)',
      phase: 'ACKED',
      startedAt: '2024-05-01T11:40:00.000Z',
      lastAlertAt: '2020-12-22T19:02:09.622Z',
      teams: [{ slug: SRE, name: 'SRE team' }],
      pagedUsers: [],
      routingKey: 'routingdefault',
      entityId: '8ec50e06-4c90-4d4d-a2fd-2ffab1e69a63',
      alertCount: 3,
      link: portalLink('acme', '1041'),
      ackedBy: 'bob',
      ackedAt: '2024-05-01T11:43:57.000Z',
      resolvedBy: null,
      resolvedAt: null,
    });
  });

  it('takes the title from service, then entityDisplayName, then monitorName', () => {
    expect(norm({ incidentNumber: '1', service: 'S', entityDisplayName: 'E', monitorName: 'M' }).title).toBe('S');
    expect(norm({ incidentNumber: '1', service: '', entityDisplayName: 'E', monitorName: 'M' }).title).toBe('E');
    expect(norm({ incidentNumber: '1', monitorName: 'vouser-alice' }).title).toBe('vouser-alice');
  });

  it('names paged teams from the team list when the policy carries no team', () => {
    const i = norm({ incidentNumber: '2', pagedTeams: [SRE, 'team-other', 'team-unknown'] });
    expect(i.teams).toEqual([
      { slug: SRE, name: 'SRE' },
      { slug: 'team-other', name: 'Other' },
      { slug: 'team-unknown', name: 'team-unknown' },
    ]);
  });

  it('reports who resolved it and keeps the earlier ack', () => {
    const i = norm({
      ...acked,
      currentPhase: 'resolved',
      transitions: [...acked.transitions, { name: 'RESOLVED', at: '2024-05-01T12:30:00Z', by: 'carol' }],
    });
    expect(i).toMatchObject({
      phase: 'RESOLVED',
      ackedBy: 'bob',
      resolvedBy: 'carol',
      resolvedAt: '2024-05-01T12:30:00.000Z',
    });
  });

  it('drops a stale ack when the incident went back to UNACKED', () => {
    expect(norm({ ...acked, currentPhase: 'UNACKED' })).toMatchObject({
      phase: 'UNACKED',
      ackedBy: null,
      ackedAt: null,
    });
  });

  it("prefers On-Call's own incidentLink, and has no link without one or an org slug", () => {
    expect(norm({ ...acked, incidentLink: 'https://portal.example/i/1041' }).link).toBe(
      'https://portal.example/i/1041',
    );
    const r = readIncident({ incidentNumber: '3', incidentLink: 'javascript:alert(1)' });
    if (!r.ok) throw new Error('unexpected');
    expect(normaliseIncident(r.incident, { ...ctx, orgSlug: null }).link).toBeNull();
  });

  it('accepts the on-call contract shape end to end', () => {
    expect(OnCallNow.safeParse({ teams: [], fetchedAt: null, stale: true }).success).toBe(true);
  });
});
