/**
 * The public API's reads of the organisation (docs/splunk-oncall.md#who-is-on-call): who is on call
 * (now, and per policy step in a team's schedule), teams, users, escalation policies with their steps,
 * and routing keys. Auth and throttling happen before (public-api.ts).
 */
import { json, type Reply, type SimRequest } from '../simulator-kit/http-io.js';
import type { OrgPolicyEntry, OrgTeam, OrgUser } from './org.js';
import type { Simulator } from './simulator.js';

const V1 = '/api-public/v1';
const err = (status: number, error: string): Reply => json(status, { error });
// Users carry these in the API; the demo org has no history, so one fixed date does.
const ACCOUNT_CREATED = '2019-03-04T09:00:00Z';

export function handleOrgApi(sim: Simulator, req: SimRequest): Reply | null {
  if (req.method !== 'GET') return null;
  const { path } = req;
  const org = sim.org;
  let m: RegExpMatchArray | null;

  if (path === `${V1}/oncall/current`) return json(200, oncallCurrent(sim));
  if (path === `${V1}/team`) return json(200, org.org.teams.map(teamDetail));
  if ((m = path.match(/^\/api-public\/v1\/team\/([^/]+)(\/members|\/policies)?$/))) {
    const team = org.team(decodeURIComponent(m[1]!));
    if (!team) return err(404, 'Team not found');
    if (!m[2]) return json(200, teamDetail(team));
    if (m[2] === '/members')
      return json(200, {
        _selfUrl: `${V1}/team/${team.slug}/members`,
        _teamUrl: `${V1}/team/${team.slug}`,
        members: team.members
          .map((u) => org.user(u))
          .filter((u) => !!u)
          .map((u) => ({
            username: u.username,
            firstName: u.firstName,
            lastName: u.lastName,
            verified: true,
            version: 1,
          })),
      });
    return json(200, {
      policies: org.org.policies.filter((p) => p.teamSlug === team.slug).map((p) => ({ name: p.name, slug: p.slug })),
    });
  }
  if (path === `${V1}/user`) {
    const users = org.org.users.map(v1User);
    // Splunk's Go client reads this list as an array of arrays; the spec says a plain array.
    return json(200, { _selfUrl: `${V1}/user`, users: sim.switches.userListV1 === 'nested' ? [users] : users });
  }
  if ((m = path.match(/^\/api-public\/v1\/user\/([^/]+)(\/teams)?$/))) {
    // The spec asks for a literal '@' in user paths; a client that encodes it gets its decoded form here too.
    const u = org.user(decodeURIComponent(m[1]!));
    if (!u) return err(404, 'User not found');
    if (!m[2]) return json(200, v1User(u));
    return json(200, {
      teams: org.teamsOf(u.username).map((t) => {
        const { memberCount: _c, version: _v, isDefaultTeam: _d, ...simple } = teamDetail(t);
        return simple;
      }),
    });
  }
  if (path === '/api-public/v2/user') {
    const email = req.query.get('email')?.toLowerCase();
    const users = org.org.users.filter((u) => !email || u.email.toLowerCase() === email);
    return json(200, { users: users.map((u) => ({ ...v1User(u), displayName: org.displayName(u) })) });
  }
  if (path === `${V1}/policies`) {
    const filter = req.query.get('filter');
    if (filter !== null && filter.length < 3) return err(400, 'filter must be at least three characters long');
    const f = (filter ?? '').toLowerCase();
    const policies = org.org.policies.filter((p) => p.name.toLowerCase().includes(f));
    return json(200, { policies: policies.map((p) => org.policyRef(p)) });
  }
  if ((m = path.match(/^\/api-public\/v1\/policies\/([^/]+)$/))) {
    const p = org.policy(decodeURIComponent(m[1]!));
    if (!p) return err(404, 'Policy not found');
    // No team here: the spec sends callers to the policy list for that.
    return json(200, {
      name: p.name,
      slug: p.slug,
      ignoreCustomPagingPolicies: false,
      steps: p.steps.map((s) => ({ timeout: s.timeout, entries: s.entries.map(wireEntry) })),
    });
  }
  if ((m = path.match(/^\/api-public\/v2\/team\/([^/]+)\/oncall\/schedule$/))) {
    const team = org.team(decodeURIComponent(m[1]!));
    if (!team) return err(404, 'Team not found');
    const step = intParam(req.query.get('step'), 0, 3, 0);
    const daysForward = intParam(req.query.get('daysForward'), 0, 30, 14);
    if (step === null) return err(400, 'step must be a whole number from 0 to 3');
    if (daysForward === null) return err(400, 'daysForward must be a whole number from 0 to 30');
    return json(200, teamSchedule(sim, team, step, daysForward));
  }
  if (path === `${V1}/org/routing-keys`) {
    return json(200, {
      _selfUrl: `${V1}/org/routing-keys`,
      routingKeys: org.org.routingKeys.map((r) => ({
        routingKey: r.routingKey,
        isDefault: r.isDefault,
        targets: org.policiesOf(r).map((p) => ({
          policyName: p.name,
          policySlug: p.slug,
          _teamUrl: `${V1}/team/${p.teamSlug}`,
        })),
      })),
    });
  }
  return null;
}

/** A query parameter that must be a whole number within bounds; `fallback` when absent, null when invalid. */
function intParam(raw: string | null, min: number, max: number, fallback: number): number | null {
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

/**
 * docs/splunk-oncall.md#team-schedule: for each policy of the team, the entries of its step `step`
 * (0 = first) with who is on call in them now (`onCallUser`), as `TeamSchedule` in the specification.
 * A rotation with several people on call gives one entry each; an empty one, an entry with no user.
 * The simulator has no shifts or overrides: each person's one roll lasts the whole window asked for.
 */
function teamSchedule(sim: Simulator, team: OrgTeam, step: number, daysForward: number) {
  const org = sim.org;
  const now = sim.clock.now();
  const roll = (username: string | null) => ({
    start: new Date(now).toISOString(),
    end: new Date(now + Math.max(1, daysForward) * 86_400_000).toISOString(),
    isRoll: false,
    ...(username ? { onCallUser: { username } } : {}),
  });
  const entry = (onCallType: string, username: string | null, rotation?: string) => ({
    onCallType,
    ...(rotation ? { rotationName: rotation, shiftName: `${rotation} shift` } : {}),
    ...(username ? { onCallUser: { username } } : {}),
    rolls: username ? [roll(username)] : [],
  });
  return {
    team: { name: team.name, slug: team.slug },
    schedules: org.org.policies
      .filter((p) => p.teamSlug === team.slug)
      .map((p) => ({
        policy: { name: p.name, slug: p.slug },
        schedule: (p.steps[step]?.entries ?? []).flatMap((e) => {
          if (e.executionType === 'rotation_group') {
            const r = org.rotation(e.rotationSlug);
            const people = r?.onCallNow ?? [];
            return people.length > 0
              ? people.map((u) => entry(e.executionType, u, r?.label))
              : [entry(e.executionType, null, r?.label)];
          }
          if (e.executionType === 'user') return [entry('user', e.username)];
          return [entry(e.executionType, null)];
        }),
        overrides: [],
      })),
  };
}

function teamDetail(t: OrgTeam) {
  return {
    _selfUrl: `${V1}/team/${t.slug}`,
    _membersUrl: `${V1}/team/${t.slug}/members`,
    _policiesUrl: `${V1}/team/${t.slug}/policies`,
    _adminsUrl: `${V1}/team/${t.slug}/admins`,
    name: t.name,
    slug: t.slug,
    memberCount: t.members.length,
    version: 1,
    isDefaultTeam: t.isDefaultTeam,
  };
}

/** docs/splunk-oncall.md#users: names and e-mail, never a time zone (no endpoint has one). */
function v1User(u: OrgUser) {
  return {
    firstName: u.firstName,
    lastName: u.lastName,
    username: u.username,
    email: u.email,
    createdAt: ACCOUNT_CREATED,
    passwordLastUpdated: ACCOUNT_CREATED,
    verified: true,
    _selfUrl: `${V1}/user/${u.username}`,
  };
}

/** Entry sub-objects as Splunk's Terraform provider writes them (docs/splunk-oncall.md#policies). */
function wireEntry(e: OrgPolicyEntry) {
  switch (e.executionType) {
    case 'rotation_group':
      return { executionType: e.executionType, rotationGroup: { slug: e.rotationSlug } };
    case 'user':
      return { executionType: e.executionType, user: { username: e.username } };
    case 'policy_routing':
      return { executionType: e.executionType, targetPolicy: { policySlug: e.policySlug } };
    case 'email':
      return { executionType: e.executionType, email: { address: e.address } };
  }
}

/**
 * docs/splunk-oncall.md#oncall-current: every policy of every team, each with who is on call in its
 * rotations, in the key spelling production clients read (`oncallNow`/`onCalluser`) unless told otherwise.
 */
function oncallCurrent(sim: Simulator) {
  const spec = sim.switches.oncallFieldStyle === 'spec';
  const nowKey = spec ? 'onCallNow' : 'oncallNow';
  const userKey = spec ? 'onCallUser' : 'onCalluser';
  return {
    teamsOnCall: sim.org.org.teams.map((t) => ({
      team: { name: t.name, slug: t.slug },
      [nowKey]: sim.org.org.policies
        .filter((p) => p.teamSlug === t.slug)
        .map((p) => ({
          escalationPolicy: { name: p.name, slug: p.slug },
          users: sim.org.onCallNow(p, sim.switches.oncallCurrentSteps).map((u) => ({ [userKey]: { username: u } })),
        })),
    })),
  };
}
