/**
 * REST API v2 incident routes: list with filters, get, log entries, and the updates a responder
 * makes (acknowledge, resolve, reopen, escalate, reassign), which need `From: <a user's e-mail>`.
 */
import { isRecord, json, type Reply, type SimRequest } from '../simulator-kit/http-io.js';
import type { SimIncident } from './incidents.js';
import { invalidInput, paginate, pdError, queryArray, timeParam, type Caller } from './rest-common.js';
import type { Simulator } from './simulator.js';

const STATUSES: readonly string[] = ['triggered', 'acknowledged', 'resolved'];
const DAY = 86_400_000;
const MAX_BULK = 250;

const notFound = (): Reply => pdError(404, 'Incident Not Found', 5001);

export function handleIncidents(sim: Simulator, req: SimRequest, caller: Caller): Reply | null {
  const { method, path } = req;
  let m: RegExpMatchArray | null;
  if (path === '/incidents' && method === 'GET') return listIncidents(sim, req);
  if (path === '/incidents' && method === 'PUT') return updateMany(sim, req, caller);
  if ((m = path.match(/^\/incidents\/([^/]+)$/))) {
    const i = sim.store.get(decodeURIComponent(m[1]!));
    if (method === 'GET') return i ? json(200, { incident: sim.wire.incident(i) }) : notFound();
    if (method === 'PUT') return updateOne(sim, req, caller, i);
  }
  if ((m = path.match(/^\/incidents\/([^/]+)\/log_entries$/)) && method === 'GET') {
    const i = sim.store.get(decodeURIComponent(m[1]!));
    if (!i) return notFound();
    const p = paginate(req, i.log);
    if (!('page' in p)) return p;
    return json(200, { log_entries: p.page.map((e) => sim.wire.logEntry(i, e)), ...p.fields });
  }
  return null;
}

function listIncidents(sim: Simulator, req: SimRequest): Reply {
  const q = req.query;
  const statuses = queryArray(q, 'statuses');
  const bad = statuses.filter((s) => !STATUSES.includes(s));
  if (bad.length > 0)
    return invalidInput(`Statuses must be triggered, acknowledged or resolved, got ${bad.join(', ')}`);
  const urgencies = queryArray(q, 'urgencies');
  const serviceIds = queryArray(q, 'service_ids');
  const userIds = queryArray(q, 'user_ids');
  const key = q.get('incident_key');
  let items = sim.store.all();
  if (q.get('date_range') !== 'all') {
    const now = sim.clock.now();
    const since = timeParam(q, 'since');
    const until = timeParam(q, 'until');
    if (Number.isNaN(since) || Number.isNaN(until))
      return pdError(400, "Invalid time values in 'since' and/or 'until' parameters", 2004);
    const to = until ?? now;
    const from = since ?? to - 30 * DAY;
    if (from > to || to - from > 183 * DAY) return pdError(400, 'Invalid Query Date Range', 2005);
    items = items.filter((i) => i.createdAtMs >= from && i.createdAtMs < to + 1000);
  }
  items = items.filter(
    (i) =>
      (statuses.length === 0 || statuses.includes(i.status)) &&
      (urgencies.length === 0 || urgencies.includes(i.urgency)) &&
      (serviceIds.length === 0 || serviceIds.includes(i.serviceId)) &&
      (userIds.length === 0 || i.assignments.some((a) => userIds.includes(a.userId))) &&
      (key === null || i.incidentKey === key),
  );
  const [field, dir] = (q.get('sort_by') ?? 'created_at:asc').split(':');
  const sign = dir === 'desc' ? -1 : 1;
  const value = (i: SimIncident) => (field === 'incident_number' ? i.number : i.createdAtMs);
  items.sort((a, b) => sign * (value(a) - value(b) || a.number - b.number));
  const p = paginate(req, items);
  if (!('page' in p)) return p;
  return json(200, { incidents: p.page.map((i) => sim.wire.incident(i)), ...p.fields });
}

/** The `From` user, or the refusal PagerDuty gives without one. */
function requester(sim: Simulator, req: SimRequest, caller: Caller): { userId: string } | Reply {
  if (caller.readOnly) return pdError(403, 'Access Denied', 2010, ['This API token is read-only']);
  const from = req.headers.from;
  if (typeof from !== 'string' || from.trim() === '')
    return pdError(400, 'You must specify a user\'s email address in the "From" header to perform this action', 2016);
  if (!/^[^@\s]+@[^@\s]+$/.test(from.trim())) return pdError(400, 'Malformed "From" header', 1028);
  const user = sim.dir.userByEmail(from);
  if (!user) return pdError(400, 'Requester User Not Found', 1008, [`No user has the e-mail ${from.trim()}`]);
  return { userId: user.id };
}

type Update = Record<string, unknown>;

/** Checks one update without applying it, so a bulk request fails whole or succeeds whole. */
function check(sim: Simulator, i: SimIncident, u: Update): Reply | null {
  if (u.type !== undefined && u.type !== 'incident' && u.type !== 'incident_reference')
    return invalidInput('type must be incident or incident_reference');
  if (u.status !== undefined && (typeof u.status !== 'string' || !STATUSES.includes(u.status)))
    return pdError(400, 'Invalid Status Provided', 1003, ['status must be triggered, acknowledged or resolved']);
  if (u.escalation_level !== undefined) {
    const rules = sim.dir.policy(i.policyId)!.rules.length;
    if (
      !Number.isInteger(u.escalation_level) ||
      (u.escalation_level as number) < 1 ||
      (u.escalation_level as number) > rules
    )
      return pdError(400, 'Cannot Escalate', 1006, [`escalation_level must be 1 to ${rules} for this policy`]);
    if (i.status === 'resolved' && u.status === undefined) return pdError(400, 'Incident Already Resolved', 1001);
  }
  if (u.escalation_policy !== undefined) {
    const ep = u.escalation_policy;
    if (!isRecord(ep) || typeof ep.id !== 'string' || !sim.dir.policy(ep.id))
      return pdError(400, 'Escalation Policy Not Found', 1014);
  }
  if (u.status === undefined && u.escalation_level === undefined && u.escalation_policy === undefined)
    return invalidInput('Nothing to update: send status, escalation_level or escalation_policy');
  return null;
}

function apply(sim: Simulator, i: SimIncident, u: Update, userId: string): void {
  const agent = { type: 'user_reference' as const, id: userId };
  if (isRecord(u.escalation_policy)) sim.store.delegate(i, String(u.escalation_policy.id), agent);
  if (typeof u.escalation_level === 'number') sim.store.escalateTo(i, u.escalation_level, agent);
  if (u.status === 'acknowledged') sim.store.acknowledge(i, agent);
  else if (u.status === 'resolved') sim.store.resolve(i, agent);
  else if (u.status === 'triggered') sim.store.retriggerStatus(i, agent);
}

function updateOne(sim: Simulator, req: SimRequest, caller: Caller, i: SimIncident | undefined): Reply {
  const who = requester(sim, req, caller);
  if ('status' in who) return who;
  if (!i) return notFound();
  if (req.jsonError || !isRecord(req.body) || !isRecord(req.body.incident))
    return invalidInput('The body must be {"incident": {"type": "incident_reference", "status": …}}');
  const u = req.body.incident;
  const refused = check(sim, i, u);
  if (refused) return refused;
  apply(sim, i, u, who.userId);
  return json(200, { incident: sim.wire.incident(i) });
}

function updateMany(sim: Simulator, req: SimRequest, caller: Caller): Reply {
  const who = requester(sim, req, caller);
  if ('status' in who) return who;
  if (req.jsonError || !isRecord(req.body) || !Array.isArray(req.body.incidents))
    return invalidInput('The body must be {"incidents": [{"id": "P…", "type": "incident_reference", "status": …}]}');
  const updates = req.body.incidents as unknown[];
  if (updates.length > MAX_BULK)
    return pdError(413, 'Request Entity Too Large', 2001, [`At most ${MAX_BULK} incidents may be updated at a time`]);
  const pairs: [SimIncident, Update][] = [];
  for (const u of updates) {
    if (!isRecord(u) || typeof u.id !== 'string') return invalidInput('Each incident needs an "id"');
    const i = sim.store.get(u.id);
    if (!i) return notFound();
    const refused = check(sim, i, u);
    if (refused) return refused;
    pairs.push([i, u]);
  }
  for (const [i, u] of pairs) apply(sim, i, u, who.userId);
  return json(200, {
    incidents: pairs.map(([i]) => sim.wire.incident(i)),
    limit: pairs.length,
    offset: 0,
    more: false,
    total: null,
  });
}
