/**
 * REST API v2 read-only routes about the account: who is on call, escalation policies, services,
 * users, maintenance windows. All paginate the same way (rest-common.ts).
 */
import { json, type Reply, type SimRequest } from '../simulator-kit/http-io.js';
import { matchesQuery, paginate, pdError, queryArray, timeParam } from './rest-common.js';
import type { Simulator } from './simulator.js';

function list<T>(req: SimRequest, key: string, items: T[], render: (t: T) => unknown): Reply {
  const p = paginate(req, items);
  if (!('page' in p)) return p;
  return json(200, { [key]: p.page.map(render), ...p.fields });
}

function one<T>(item: T | undefined, key: string, render: (t: T) => unknown, what: string, code: number): Reply {
  return item ? json(200, { [key]: render(item) }) : pdError(404, `${what} Not Found`, code);
}

export function handleDirectory(sim: Simulator, req: SimRequest): Reply | null {
  if (req.method !== 'GET') return null;
  const { path, query: q } = req;
  const w = sim.wire;
  let m: RegExpMatchArray | null;
  const id = () => decodeURIComponent(m![1]!);

  if (path === '/oncalls') return listOncalls(sim, req);
  if (path === '/escalation_policies') {
    const teams = queryArray(q, 'team_ids');
    const users = queryArray(q, 'user_ids');
    const items = sim.dir.org.policies.filter(
      (p) =>
        matchesQuery(q, p.name) &&
        (teams.length === 0 || p.teamIds.some((t) => teams.includes(t))) &&
        (users.length === 0 ||
          p.rules.some((r) => r.targets.some((t) => t.type === 'user_reference' && users.includes(t.id)))),
    );
    return list(req, 'escalation_policies', items, (p) => w.policy(p));
  }
  if ((m = path.match(/^\/escalation_policies\/([^/]+)$/)))
    return one(sim.dir.policy(id()), 'escalation_policy', (p) => w.policy(p), 'Escalation Policy', 5001);
  const service = (s: (typeof sim.dir.org.services)[number]) =>
    w.service(s, sim.serviceStatus(s.id), sim.lastIncidentAt(s.id));
  if (path === '/services') {
    const teams = queryArray(q, 'team_ids');
    const name = q.get('name');
    const items = sim.dir.org.services.filter(
      (s) =>
        matchesQuery(q, s.name) &&
        (name === null || s.name === name) &&
        (teams.length === 0 || s.teamIds.some((t) => teams.includes(t))),
    );
    return list(req, 'services', items, service);
  }
  if ((m = path.match(/^\/services\/([^/]+)$/))) return one(sim.dir.service(id()), 'service', service, 'Service', 5002);
  if (path === '/users') {
    const items = sim.dir.org.users.filter((u) => matchesQuery(q, u.name, u.email));
    return list(req, 'users', items, (u) => w.user(u));
  }
  if ((m = path.match(/^\/users\/([^/]+)$/))) return one(sim.dir.user(id()), 'user', (u) => w.user(u), 'User', 2100);
  if (path === '/maintenance_windows') {
    const services = queryArray(q, 'service_ids');
    const filter = q.get('filter') ?? 'all';
    if (!['past', 'future', 'ongoing', 'open', 'all'].includes(filter))
      return pdError(400, 'Invalid Input Provided', 2001, ['filter must be past, future, ongoing, open or all']);
    const now = sim.clock.now();
    const state = (x: { startMs: number; endMs: number }) =>
      x.endMs <= now ? 'past' : x.startMs > now ? 'future' : 'ongoing';
    const items = sim.dir.org.maintenanceWindows.filter(
      (x) =>
        matchesQuery(q, x.description) &&
        (services.length === 0 || x.serviceIds.some((s) => services.includes(s))) &&
        (filter === 'all' || state(x) === filter || (filter === 'open' && state(x) !== 'past')),
    );
    return list(req, 'maintenance_windows', items, (x) => w.maintenanceWindow(x));
  }
  if ((m = path.match(/^\/maintenance_windows\/([^/]+)$/)))
    return one(
      sim.dir.maintenanceWindow(id()),
      'maintenance_window',
      (x) => w.maintenanceWindow(x),
      'Maintenance Window',
      5001,
    );
  return null;
}

/**
 * `GET /oncalls`: every (policy, level, user) on call between `since` and `until` (default: now).
 * A user named directly in a rule is a permanent on-call (start and end null); a schedule yields
 * one entry per shift. `earliest=true` keeps the earliest entry per policy, level and user.
 */
function listOncalls(sim: Simulator, req: SimRequest): Reply {
  const q = req.query;
  const now = sim.clock.now();
  const since = timeParam(q, 'since') ?? now;
  const until = timeParam(q, 'until') ?? since;
  if (Number.isNaN(since) || Number.isNaN(until) || until < since)
    return pdError(400, "Invalid time values in 'since' and/or 'until' parameters", 2004);
  const policyIds = queryArray(q, 'escalation_policy_ids');
  const scheduleIds = queryArray(q, 'schedule_ids');
  const userIds = queryArray(q, 'user_ids');
  type Entry = {
    policyId: string;
    level: number;
    userId: string;
    scheduleId: string | null;
    start: number | null;
    end: number | null;
  };
  const entries: Entry[] = [];
  for (const p of sim.dir.org.policies) {
    if (policyIds.length > 0 && !policyIds.includes(p.id)) continue;
    p.rules.forEach((r, k) => {
      for (const t of r.targets) {
        if (t.type === 'user_reference') {
          if (scheduleIds.length === 0 || scheduleIds.includes('null'))
            entries.push({ policyId: p.id, level: k + 1, userId: t.id, scheduleId: null, start: null, end: null });
          continue;
        }
        if (scheduleIds.length > 0 && !scheduleIds.includes(t.id)) continue;
        const s = sim.dir.schedule(t.id);
        if (!s) continue;
        for (const shift of sim.dir.shiftsBetween(s, since, until))
          entries.push({
            policyId: p.id,
            level: k + 1,
            userId: shift.userId,
            scheduleId: s.id,
            start: shift.startMs,
            end: shift.endMs,
          });
      }
    });
  }
  let items = entries.filter((e) => userIds.length === 0 || userIds.includes(e.userId));
  if (q.get('earliest') === 'true') {
    const seen = new Set<string>();
    items = [...items]
      .sort((a, b) => (a.start ?? -Infinity) - (b.start ?? -Infinity))
      .filter((e) => {
        const k = `${e.policyId} ${e.level} ${e.userId}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
  }
  items.sort((a, b) => a.policyId.localeCompare(b.policyId) || a.level - b.level || (a.start ?? 0) - (b.start ?? 0));
  return list(req, 'oncalls', items, (e) =>
    sim.wire.oncall(e.policyId, e.level, e.userId, e.scheduleId, e.start, e.end),
  );
}
