/**
 * The test and demo control plane under `/_sim/` (listed in README.md here). Not part of On-Call:
 * no VO auth, loopback callers only, never faulted, throttled or logged.
 */
import { validateFaults } from './faults.js';
import { isRecord, json, type Reply, type SimRequest } from '../simulator-kit/http-io.js';
import { validateRules } from './rules.js';
import { ControlError, validateSwitches, type Simulator } from './simulator.js';
import type { OrgProfile, RateLimitOptions, SeedName } from './types.js';

const bad = (message: string): Reply => json(400, { error: message });

export function handleControlApi(sim: Simulator, req: SimRequest): Reply {
  try {
    return (
      route(sim, req) ??
      json(404, { error: `No control endpoint ${req.method} ${req.path}; see dev/oncall-simulator/README.md` })
    );
  } catch (e) {
    if (e instanceof ControlError) return json(e.status, { error: e.message });
    return bad(e instanceof Error ? e.message : String(e));
  }
}

function route(sim: Simulator, req: SimRequest): Reply | null {
  const { method, path } = req;
  const c = sim.control();
  const b: Record<string, unknown> = isRecord(req.body) ? req.body : {};
  if (req.jsonError) return bad('Body is not valid JSON');
  let m: RegExpMatchArray | null;

  if (path === '/_sim/reset' && method === 'POST') {
    c.reset((b.seed as SeedName | undefined) ?? 'demo', b.org as OrgProfile | undefined);
    return json(200, { ok: true, org: sim.orgProfile, incidents: c.incidents() });
  }
  if (path === '/_sim/requests') {
    if (method === 'GET') {
      const p = req.query.get('path');
      const mth = req.query.get('method');
      const requests = c.requests().filter((r) => (!p || r.path === p) && (!mth || r.method === mth.toUpperCase()));
      return json(200, { requests });
    }
    if (method === 'DELETE') {
      c.clearRequests();
      return json(200, { ok: true });
    }
  }
  if (path === '/_sim/faults') {
    if (method === 'POST' || method === 'PUT') {
      c.setFaults(validateFaults(req.body ?? {}));
      return json(200, { faults: sim.faults.current });
    }
    if (method === 'GET') return json(200, { faults: sim.faults.current });
    if (method === 'DELETE') {
      c.setFaults({});
      return json(200, { faults: {} });
    }
  }
  if (path === '/_sim/incidents') {
    if (method === 'GET') return json(200, { incidents: c.incidents() });
    if (method === 'POST') {
      const title = b.title;
      if (typeof title !== 'string') return bad('title is required');
      const opt = (k: string): string | undefined => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
      const n = sim.createIncident({
        title,
        routingKey: opt('routingKey'),
        entityId: opt('entityId'),
        details: opt('details'),
      });
      return json(201, { incidentNumber: n, incident: sim.wire(Number(n)) });
    }
  }
  if ((m = path.match(/^\/_sim\/incidents\/(\d+)\/(ack|resolve)$/)) && method === 'POST') {
    if (typeof b.userName !== 'string') return bad('userName is required');
    sim.act(m[2] as 'ack' | 'resolve', m[1]!, b.userName, typeof b.message === 'string' ? b.message : undefined);
    return json(200, { incident: sim.wire(Number(m[1])) });
  }
  if (path === '/_sim/clock') {
    if (method === 'POST') {
      if (b.advanceMs !== undefined) {
        if (typeof b.advanceMs !== 'number') return bad('advanceMs must be a number of milliseconds');
        c.advance(b.advanceMs);
      }
      if (b.freeze === true) c.freeze();
      if (b.freeze === false) c.unfreeze();
    } else if (method !== 'GET') return null;
    return json(200, { now: new Date(c.now()).toISOString(), frozen: sim.clock.frozen });
  }
  if (path === '/_sim/consistency' && method === 'POST') {
    if (typeof b.delayMs !== 'number' || b.delayMs < 0) return bad('delayMs must be a non-negative number');
    c.setConsistencyDelay(b.delayMs);
    return json(200, { delayMs: b.delayMs });
  }
  if (path === '/_sim/flush' && method === 'POST') {
    c.flushPending();
    return json(200, { ok: true });
  }
  if (path === '/_sim/rate-limit' && method === 'POST') {
    if (b.enabled === false) c.setRateLimit(false);
    else if (typeof b.perSecond === 'number' && b.perSecond > 0) c.setRateLimit(b as unknown as RateLimitOptions);
    else return bad('Send {"perSecond": 2} or {"enabled": false}');
    return json(200, { rateLimit: sim.limiter.settings });
  }
  if (path === '/_sim/webhook') {
    if (method === 'POST') {
      if (b.url === null) c.setWebhook(null);
      else if (typeof b.url === 'string')
        c.setWebhook({ url: b.url, ...(isRecord(b.headers) ? { headers: b.headers as Record<string, string> } : {}) });
      else return bad('Send {"url": "http://…", "headers": {…}} or {"url": null}');
      return json(200, { ok: true });
    }
    if (method === 'GET') return json(200, { deliveries: c.webhookDeliveries() });
  }
  if (path === '/_sim/oncall' && method === 'POST') {
    const slug = b.policySlug ?? b.rotationSlug;
    if (typeof slug !== 'string' || !Array.isArray(b.usernames))
      return bad('Send {"policySlug": "pol-…" or "rotationSlug": "rtg-…", "usernames": ["carol"]}');
    c.setOnCall(slug, b.usernames.map(String));
    return json(200, { ok: true });
  }
  if (path === '/_sim/org' && method === 'GET') return json(200, { profile: sim.orgProfile, ...sim.org.org });
  if (path === '/_sim/switches') {
    if (method === 'GET') return json(200, { switches: sim.switches });
    if (method === 'POST') return json(200, { switches: c.setSwitches(validateSwitches(b)) });
  }
  if (path === '/_sim/rules') {
    if (method === 'GET') return json(200, { rules: sim.rules });
    if (method === 'POST') c.setRules(validateRules(b.rules));
    else if (method === 'DELETE') c.setRules([]);
    else return null;
    return json(200, { rules: sim.rules });
  }
  if (path === '/_sim/maintenance') {
    if (method === 'GET') return json(200, { activeInstances: c.maintenance() });
    if (method === 'POST') {
      const keys = b.routingKeys;
      if (keys !== undefined && (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')))
        return bad('routingKeys must be a list of routing keys (leave it out for global maintenance mode)');
      const opt = (k: string): string | undefined => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
      const instanceId = c.startMaintenance({
        ...(keys ? { routingKeys: keys as string[] } : {}),
        ...(opt('purpose') !== undefined ? { purpose: opt('purpose') } : {}),
        ...(opt('startedBy') !== undefined ? { startedBy: opt('startedBy') } : {}),
      });
      return json(201, { instanceId, activeInstances: c.maintenance() });
    }
  }
  if ((m = path.match(/^\/_sim\/maintenance\/([^/]+)$/)) && method === 'DELETE') {
    c.endMaintenance(decodeURIComponent(m[1]!));
    return json(200, { activeInstances: c.maintenance() });
  }
  return null;
}
