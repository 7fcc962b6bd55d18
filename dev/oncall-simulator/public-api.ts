/**
 * The public API under `/api-public/` (and reporting under `/api-reporting/`), docs/splunk-oncall.md#endpoints:
 * header auth, read-only keys, per-endpoint throttling, then the endpoints Klaxon and other clients use.
 */
import { randomUUID } from 'node:crypto';
import { isRecord, json, type Reply, type SimRequest } from './http-io.js';
import { DEFAULT_ROUTING_KEY, type OrgPolicy } from './org.js';
import type { Simulator } from './simulator.js';
import { directUserPolicy } from './state.js';
import type { PolicyRef } from './types.js';

const V1 = '/api-public/v1';
const err = (status: number, error: string): Reply => json(status, { error });

/** Auth and throttling; `null` means the request may go on to its endpoint. */
export function gatePublicApi(sim: Simulator, req: SimRequest): Reply | null {
  const id = header(req, 'x-vo-api-id');
  const key = header(req, 'x-vo-api-key');
  if (!id || !key) return err(401, 'Authentication parameters missing');
  const org = sim.org.org;
  const found = org.apiKeys.find((k) => k.key === key);
  if (id !== org.apiId || !found) return err(403, 'Authentication failed');
  if (found.readOnly && req.method !== 'GET')
    return err(403, 'This API key is read-only: it can make GET requests only');
  if (!sim.limiter.take(key, req.method, req.path)) {
    const r = sim.limiter.settings;
    const headers = r && r.sendRetryAfter ? { 'retry-after': '1' } : undefined;
    return r && r.legacy403
      ? json(403, { message: 'Too Many Requests' }, headers)
      : json(429, { message: 'Too Many Requests' }, headers);
  }
  return null;
}

function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function handlePublicApi(sim: Simulator, req: SimRequest): Reply | null {
  sim.pending.flushDue();
  const { method, path } = req;
  let m: RegExpMatchArray | null;

  if (path === `${V1}/incidents`) {
    if (method === 'GET') return json(200, { incidents: sim.listed() });
    if (method === 'POST') return createIncident(sim, req);
  }
  if ((m = path.match(/^\/api-public\/v1\/incidents\/(ack|resolve)$/)) && method === 'PATCH')
    return ackOrResolve(sim, req, m[1] as 'ack' | 'resolve', false);
  if ((m = path.match(/^\/api-public\/v1\/incidents\/byUser\/(ack|resolve)$/)) && method === 'PATCH')
    return ackOrResolve(sim, req, m[1] as 'ack' | 'resolve', true);
  if (path === `${V1}/incidents/reroute` && method === 'POST') return reroute(sim, req);
  if ((m = path.match(/^\/api-public\/v1\/incidents\/([^/]+)$/)) && method === 'GET') {
    const inc = /^\d+$/.test(m[1]!) ? sim.wire(Number(m[1])) : undefined;
    return inc ? json(200, inc) : err(404, 'Incident not found');
  }
  if ((m = path.match(/^\/api-public\/v1\/alerts\/([^/]+)$/)) && method === 'GET') return alertDetail(sim, m[1]!);
  if (path === `${V1}/oncall/current` && method === 'GET') return json(200, oncallCurrent(sim));
  if (path === `${V1}/team` && method === 'GET')
    return json(
      200,
      sim.org.org.teams.map((t) => teamDetail(sim, t.slug)),
    );
  if ((m = path.match(/^\/api-public\/v1\/team\/([^/]+)(\/members|\/policies)?$/)) && method === 'GET') {
    const team = sim.org.team(decodeURIComponent(m[1]!));
    if (!team) return err(404, 'Team not found');
    if (!m[2]) return json(200, teamDetail(sim, team.slug));
    if (m[2] === '/members') {
      return json(200, {
        _selfUrl: `${V1}/team/${team.slug}/members`,
        _teamUrl: `${V1}/team/${team.slug}`,
        members: team.members
          .map((u) => sim.org.user(u))
          .filter((u) => !!u)
          .map((u) => ({
            username: u.username,
            firstName: u.firstName,
            lastName: u.lastName,
            verified: true,
            version: 1,
          })),
      });
    }
    return json(200, {
      policies: sim.org.org.policies
        .filter((p) => p.teamSlug === team.slug)
        .map((p) => ({ name: p.name, slug: p.slug })),
    });
  }
  if (path === `${V1}/policies` && method === 'GET') {
    const filter = (req.query.get('filter') ?? '').toLowerCase();
    const policies = sim.org.org.policies.filter((p) => p.name.toLowerCase().includes(filter));
    return json(200, { policies: policies.map((p) => sim.org.policyRef(p)) });
  }
  if ((m = path.match(/^\/api-public\/v1\/policies\/([^/]+)$/)) && method === 'GET') {
    const p = sim.org.policy(decodeURIComponent(m[1]!));
    if (!p) return err(404, 'Policy not found');
    return json(200, {
      name: p.name,
      slug: p.slug,
      ignoreCustomPagingPolicies: false,
      steps: [
        { timeout: 0, entries: [{ executionType: 'rotation_group', rotationGroup: { slug: p.rotationGroupSlug } }] },
      ],
    });
  }
  if (path === `${V1}/org/routing-keys` && method === 'GET') {
    return json(200, {
      _selfUrl: `${V1}/org/routing-keys`,
      routingKeys: sim.org.org.routingKeys.map((r) => ({
        routingKey: r.routingKey,
        isDefault: r.isDefault,
        targets: r.policySlugs
          .map((s) => sim.org.policy(s))
          .filter((p) => !!p)
          .map((p) => ({ policyName: p.name, policySlug: p.slug, _teamUrl: `${V1}/team/${p.teamSlug}` })),
      })),
    });
  }
  if (path === '/api-reporting/v2/incidents' && method === 'GET') return reporting(sim, req);
  return null;
}

function teamDetail(sim: Simulator, slug: string) {
  const t = sim.org.team(slug)!;
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

/**
 * docs/splunk-oncall.md#oncall-current, in the key spelling production clients read
 * (`oncallNow`/`onCalluser`) unless told otherwise.
 */
function oncallCurrent(sim: Simulator) {
  const spec = sim.oncallFieldStyle === 'spec';
  const nowKey = spec ? 'onCallNow' : 'oncallNow';
  const userKey = spec ? 'onCallUser' : 'onCalluser';
  return {
    teamsOnCall: sim.org.org.teams.map((t) => ({
      team: { name: t.name, slug: t.slug },
      [nowKey]: sim.org.org.policies
        .filter((p) => p.teamSlug === t.slug)
        .map((p) => ({
          escalationPolicy: { name: p.name, slug: p.slug },
          users: p.onCallNow.map((u) => ({ [userKey]: { username: u } })),
        })),
    })),
  };
}

function ackOrResolve(sim: Simulator, req: SimRequest, kind: 'ack' | 'resolve', byUser: boolean): Reply {
  const b = req.body;
  if (!isRecord(b) || typeof b.userName !== 'string' || b.userName === '') return err(400, 'userName is required');
  if (b.message !== undefined && typeof b.message !== 'string') return err(400, 'message must be a string');
  let names: string[];
  if (byUser) names = [];
  else {
    if (
      !Array.isArray(b.incidentNames) ||
      b.incidentNames.length === 0 ||
      b.incidentNames.some((n) => typeof n !== 'string' && typeof n !== 'number')
    ) {
      return err(400, 'incidentNames must be a non-empty list of incident numbers');
    }
    names = b.incidentNames.map(String);
  }
  if (!sim.org.user(b.userName)) return err(404, 'User not found');
  if (byUser)
    names = sim.store
      .pagedTo(b.userName)
      .filter((i) => kind === 'resolve' || i.phase === 'UNACKED')
      .map((i) => String(i.number));
  const message = b.message as string | undefined;
  return json(200, { results: names.map((n) => sim.store.act(kind, n, b.userName as string, message)) });
}

/**
 * docs/splunk-oncall.md#create-incident: validated like the real service, then (after the
 * consistency delay) a Manual incident.
 */
function createIncident(sim: Simulator, req: SimRequest): Reply {
  const b = req.body;
  if (!isRecord(b)) return err(400, 'Request body must be a JSON object with summary, details, userName and targets');
  for (const f of ['summary', 'details', 'userName'] as const) {
    if (typeof b[f] !== 'string' || (f !== 'details' && (b[f] as string).trim() === ''))
      return err(400, `${f} is required`);
  }
  const userName = b.userName as string;
  if (!sim.org.user(userName)) return err(400, `User ${userName} not found`);
  if (!Array.isArray(b.targets) || b.targets.length === 0)
    return err(400, 'targets must list at least one User or EscalationPolicy');
  const policies: OrgPolicy[] = [];
  const users: string[] = [];
  for (const t of b.targets as unknown[]) {
    if (!isRecord(t) || typeof t.slug !== 'string') return err(400, 'Each target needs a type and a slug');
    if (t.type === 'EscalationPolicy') {
      const p = sim.org.policy(t.slug);
      if (!p) return err(400, `Escalation policy ${t.slug} not found`);
      policies.push(p);
    } else if (t.type === 'User') {
      if (!sim.org.user(t.slug)) return err(400, `User ${t.slug} not found`);
      users.push(t.slug);
    } else return err(400, `Unknown target type ${String(t.type)}; use User or EscalationPolicy`);
  }
  const number = sim.store.allocateNumber();
  const entityId = randomUUID();
  const receivedAt = sim.clock.now();
  const refs: PolicyRef[] = [...policies.map((p) => sim.org.policyRef(p)), ...users.map(directUserPolicy)];
  const pagedTeams = [
    ...new Set([...policies.map((p) => p.teamSlug), ...users.flatMap((u) => sim.org.teamsOf(u).map((t) => t.slug))]),
  ];
  const pagedUsers = [...new Set([...sim.org.pagedUsersFor(policies), ...users])];
  const title = b.summary as string;
  const details = b.details as string;
  sim.pending.schedule(() =>
    sim.store.applyManual({
      number,
      title,
      details,
      userName,
      entityId,
      routingKey: DEFAULT_ROUTING_KEY,
      policies: refs,
      pagedTeams,
      pagedUsers,
      receivedAt,
    }),
  );
  return json(200, { incidentNumber: String(number), entityId });
}

/** docs/splunk-oncall.md#reroute: replace (or, with addTargets, add to) who an open incident pages. */
function reroute(sim: Simulator, req: SimRequest): Reply {
  const b = req.body;
  if (!isRecord(b) || typeof b.userName !== 'string' || !Array.isArray(b.reroutes))
    return err(400, 'userName and reroutes are required');
  if (!sim.org.user(b.userName)) return err(404, 'User not found');
  const statuses = (b.reroutes as unknown[]).map((r) => {
    if (!isRecord(r) || !Array.isArray(r.targets))
      return {
        incidentNumber: '',
        success: false,
        message: 'Each reroute needs incidentNumber and targets',
        targetStatus: [],
      };
    const n = String(r.incidentNumber ?? '');
    const inc = /^\d+$/.test(n) ? sim.store.get(Number(n)) : undefined;
    const targets = (r.targets as unknown[]).filter(isRecord);
    const targetStatus = targets.map((t) => {
      const ok =
        t.type === 'EscalationPolicy'
          ? !!sim.org.policy(String(t.slug))
          : t.type === 'User'
            ? !!sim.org.user(String(t.slug))
            : false;
      return { slug: String(t.slug), success: ok, message: ok ? 'Target added' : 'Target not found' };
    });
    if (!inc || inc.phase === 'RESOLVED')
      return {
        incidentNumber: n,
        success: false,
        message: inc ? 'Incident is not open' : 'Incident not found',
        targetStatus,
      };
    const policies = targets
      .filter((t) => t.type === 'EscalationPolicy')
      .map((t) => sim.org.policy(String(t.slug)))
      .filter((p): p is OrgPolicy => !!p);
    const users = targets.filter((t) => t.type === 'User' && sim.org.user(String(t.slug))).map((t) => String(t.slug));
    sim.store.reroute(inc, policies, users, r.addTargets === true);
    return { incidentNumber: n, success: true, message: 'Incident rerouted', targetStatus };
  });
  return json(200, { statuses });
}

/** docs/splunk-oncall.md#alert-detail: the alert as received, with `raw` the original payload as a JSON string. */
function alertDetail(sim: Simulator, uuid: string): Reply {
  const a = sim.store.alert(uuid);
  if (!a) return err(404, 'Alert not found');
  const f = a.fields;
  const s = (k: string): string | undefined => (typeof f[k] === 'string' ? (f[k] as string) : undefined);
  const secs = (k: string): number => (typeof f[k] === 'number' ? (f[k] as number) : Math.floor(a.receivedAt / 1000));
  return json(200, {
    ackAuthor: s('ack_author'),
    ackMsg: s('ack_msg'),
    entityDisplayName: s('entity_display_name') ?? s('entity_id'),
    entityId: s('entity_id'),
    messageType: a.messageType,
    monitoringTool: s('monitoring_tool'),
    raw: JSON.stringify(f),
    stateMessage: s('state_message'),
    stateStartTime: secs('state_start_time'),
    timestamp: secs('timestamp'),
  });
}

/**
 * docs/splunk-oncall.md#incident-history, simplified: filters by phase (lower-case vocabulary,
 * default resolved), entityId, routingKey.
 */
function reporting(sim: Simulator, req: SimRequest): Reply {
  const q = req.query;
  const offset = Number(q.get('offset') ?? 0);
  const limit = Number(q.get('limit') ?? 20);
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > 100)
    return err(400, 'offset must be >= 0 and limit 1..100');
  const phaseWords: Record<string, string> = { resolved: 'RESOLVED', triggered: 'UNACKED', acknowledged: 'ACKED' };
  const phases = (q.get('currentPhase') ?? 'resolved')
    .split(',')
    .map((p) => phaseWords[p.trim().toLowerCase()])
    .filter(Boolean);
  const all = sim.store
    .all()
    .filter((i) => phases.includes(i.phase))
    .filter((i) => !q.get('entityId') || i.entityId === q.get('entityId'))
    .filter((i) => !q.get('routingKey') || i.routingKey === q.get('routingKey'))
    .filter((i) => !q.get('startedAfter') || i.startTime > Date.parse(q.get('startedAfter')!))
    .filter((i) => !q.get('startedBefore') || i.startTime < Date.parse(q.get('startedBefore')!));
  const page = all.slice(offset, offset + limit).map((i) => {
    const {
      incidentLink: _link,
      firstAlertUuid: _first,
      monitorName: _mn,
      monitorType: _mt,
      ...rest
    } = sim.store.toWire(i, sim.org.org.orgSlug);
    return rest;
  });
  return json(200, { offset, limit, total: all.length, incidents: page });
}
