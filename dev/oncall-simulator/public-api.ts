/**
 * The public API under `/api-public/` (and reporting under `/api-reporting/`), docs/splunk-oncall.md#endpoints:
 * header auth, read-only keys, per-endpoint throttling, then the incident endpoints here and the
 * organisation and maintenance-mode endpoints in org-api.ts and maintenance-api.ts.
 */
import { randomUUID } from 'node:crypto';
import { isRecord, json, type Reply, type SimRequest } from '../simulator-kit/http-io.js';
import { handleMaintenanceApi } from './maintenance-api.js';
import { DEFAULT_ROUTING_KEY } from './org.js';
import { handleOrgApi } from './org-api.js';
import type { Targets } from './paging.js';
import type { Simulator } from './simulator.js';

const V1 = '/api-public/v1';
const err = (status: number, error: string): Reply => json(status, { error });

/** What a read-only key gets for a write; which one the real service sends is unknown (types.ts `Switches`). */
const READ_ONLY_REFUSALS = {
  'auth-failed': () => err(403, 'Authentication failed'),
  'read-only': () => err(403, 'This API key is read-only: it can make GET requests only'),
  unauthorized: () => err(401, 'Unauthorized'),
} as const;

/** Auth and throttling; `null` means the request may go on to its endpoint. */
export function gatePublicApi(sim: Simulator, req: SimRequest): Reply | null {
  const id = header(req, 'x-vo-api-id');
  const key = header(req, 'x-vo-api-key');
  if (!id || !key) return err(401, 'Authentication parameters missing');
  const org = sim.org.org;
  const found = org.apiKeys.find((k) => k.key === key);
  if (id !== org.apiId || !found) return err(403, 'Authentication failed');
  if (found.readOnly && req.method !== 'GET') return READ_ONLY_REFUSALS[sim.switches.readOnlyRefusal]();
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
  sim.refresh();
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
  if (path === '/api-reporting/v2/incidents' && method === 'GET') return reporting(sim, req);
  return handleOrgApi(sim, req) ?? handleMaintenanceApi(sim, req);
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
  if (b.isMultiResponder !== undefined && typeof b.isMultiResponder !== 'boolean')
    return err(400, 'isMultiResponder must be true or false');
  const targets: Targets = { policies: [], users: [] };
  for (const t of b.targets as unknown[]) {
    if (!isRecord(t) || typeof t.slug !== 'string') return err(400, 'Each target needs a type and a slug');
    if (t.type === 'EscalationPolicy') {
      if (!sim.org.policy(t.slug)) return err(400, `Escalation policy ${t.slug} not found`);
      targets.policies.push(t.slug);
    } else if (t.type === 'User') {
      if (!sim.org.user(t.slug)) return err(400, `User ${t.slug} not found`);
      targets.users.push(t.slug);
    } else return err(400, `Unknown target type ${String(t.type)}; use User or EscalationPolicy`);
  }
  const number = sim.store.allocateNumber();
  const entityId = randomUUID();
  const receivedAt = sim.clock.now();
  const title = b.summary as string;
  const details = b.details as string;
  const multiResponder = b.isMultiResponder === true;
  sim.pending.schedule(
    () =>
      void sim.store.applyManual({
        number,
        title,
        details,
        userName,
        entityId,
        routingKey: DEFAULT_ROUTING_KEY,
        targets,
        multiResponder,
        receivedAt,
      }),
  );
  return json(200, { incidentNumber: String(number), entityId });
}

/**
 * docs/splunk-oncall.md#reroute: replace who an open incident pages or, with `addTargets`, page these
 * too and require an acknowledgement from each. The body Wikimedia's escalate_unpaged sends
 * (`incidentNumber` as a string, `EscalationPolicy` targets) is the common case.
 */
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
    const valid = targets.filter((_, k) => targetStatus[k]!.success);
    // Rerouting to nothing would silence the incident; refuse it instead.
    if (valid.length === 0) return { incidentNumber: n, success: false, message: 'No valid targets', targetStatus };
    const slugs = (type: string) => valid.filter((t) => t.type === type).map((t) => String(t.slug));
    sim.store.reroute(inc, { policies: slugs('EscalationPolicy'), users: slugs('User') }, r.addTargets === true);
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
    const { incidentLink: _link, firstAlertUuid: _first, monitorName: _mn, monitorType: _mt, ...rest } = sim.toWire(i);
    return rest;
  });
  return json(200, { offset, limit, total: all.length, incidents: page });
}
