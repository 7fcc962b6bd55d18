/**
 * The test and demo control plane under `/_sim/` (listed in README.md here). Not part of
 * PagerDuty: no token, loopback callers only, never faulted, throttled or logged.
 */
import { validateFaults } from './faults.js';
import { isRecord, json, type Reply, type SimRequest } from '../simulator-kit/http-io.js';
import { ControlError, type Simulator } from './simulator.js';
import type {
  EventAction,
  MaintenanceWindowInput,
  PolicyInput,
  ScheduleInput,
  SeedName,
  ServiceInput,
  SimulatorControl,
  TriggerInput,
  UserInput,
  WebhookSubscriptionInput,
} from './types.js';

const bad = (message: string): Reply => json(400, { error: message });

export async function handleControlApi(sim: Simulator, c: SimulatorControl, req: SimRequest): Promise<Reply> {
  try {
    return (
      (await route(sim, c, req)) ??
      json(404, { error: `No control endpoint ${req.method} ${req.path}; see dev/pagerduty-simulator/README.md` })
    );
  } catch (e) {
    if (e instanceof ControlError) return json(e.status, { error: e.message });
    return bad(e instanceof Error ? e.message : String(e));
  }
}

async function route(sim: Simulator, c: SimulatorControl, req: SimRequest): Promise<Reply | null> {
  const { method, path } = req;
  if (req.jsonError) return bad('Body is not valid JSON');
  const b: Record<string, unknown> = isRecord(req.body) ? req.body : {};
  const post = method === 'POST';
  let m: RegExpMatchArray | null;

  if (path === '/_sim/reset' && post) {
    c.reset((b.seed as SeedName | undefined) ?? 'demo');
    return json(200, { ok: true, incidents: c.incidents() });
  }
  if (path === '/_sim/requests') {
    if (method === 'GET') {
      const p = req.query.get('path');
      const mth = req.query.get('method')?.toUpperCase();
      return json(200, { requests: c.requests().filter((r) => (!p || r.path === p) && (!mth || r.method === mth)) });
    }
    if (method === 'DELETE') return (c.clearRequests(), json(200, { ok: true }));
  }
  if (path === '/_sim/faults') {
    if (post || method === 'PUT') c.setFaults(validateFaults(req.body ?? {}));
    else if (method === 'DELETE') c.setFaults({});
    else if (method !== 'GET') return null;
    return json(200, { faults: sim.faults.current });
  }
  if (path === '/_sim/incidents' && method === 'GET') return json(200, { incidents: c.incidents() });
  if ((m = path.match(/^\/_sim\/incidents\/([^/]+)$/)) && method === 'GET') {
    const i = c.incident(m[1]!);
    return i ? json(200, { incident: i }) : json(404, { error: `No incident ${m[1]}` });
  }
  if ((m = path.match(/^\/_sim\/incidents\/([^/]+)\/(acknowledge|resolve|escalate)$/)) && post) {
    const [, id, action] = m as unknown as [string, string, string];
    if (action === 'escalate') c.escalate(id, Number(b.level));
    else {
      if (typeof b.userId !== 'string') return bad('Send {"userId": "P…"} (a user id or e-mail)');
      if (action === 'acknowledge') c.acknowledge(id, b.userId);
      else c.resolve(id, b.userId);
    }
    return json(200, { incident: c.incident(id) });
  }
  if (path === '/_sim/events') {
    if (post) return json(202, c.trigger(b as unknown as TriggerInput));
    if (method === 'GET') {
      const dedupKey = req.query.get('dedup_key') ?? undefined;
      const action = (req.query.get('action') as EventAction | null) ?? undefined;
      return json(200, { events: c.events({ ...(dedupKey ? { dedupKey } : {}), ...(action ? { action } : {}) }) });
    }
  }
  if (path === '/_sim/events/counts' && method === 'GET') {
    const dedupKey = req.query.get('dedup_key');
    if (!dedupKey) return bad('Add ?dedup_key=…');
    return json(200, { dedup_key: dedupKey, ...c.eventCounts(dedupKey) });
  }
  if (path === '/_sim/clock') {
    if (post) {
      const ms = b.advanceMs ?? (typeof b.advanceMinutes === 'number' ? b.advanceMinutes * 60_000 : undefined);
      if (ms !== undefined) {
        if (typeof ms !== 'number') return bad('advanceMs must be a number of milliseconds');
        c.advance(ms);
      }
      if (b.freeze === true) c.freeze();
      if (b.freeze === false) c.unfreeze();
    } else if (method !== 'GET') return null;
    return json(200, { now: new Date(c.now()).toISOString(), frozen: sim.clock.frozen });
  }
  if (path === '/_sim/rate-limit' && post) {
    if (b.enabled === false) c.setRateLimit(false);
    else c.setRateLimit(b as { restPerMinute?: number; eventsPerMinute?: number });
    return json(200, { rateLimit: sim.limiter.settings });
  }
  if (path === '/_sim/webhooks') {
    if (post) return json(201, { subscription: c.addWebhookSubscription(b as unknown as WebhookSubscriptionInput) });
    if (method === 'GET') return json(200, { subscriptions: c.webhookSubscriptions() });
  }
  if (path === '/_sim/webhooks/deliveries' && method === 'GET') {
    await c.webhooksSettled();
    return json(200, { deliveries: c.webhookDeliveries() });
  }
  if ((m = path.match(/^\/_sim\/webhooks\/([^/]+)\/secrets$/)) && post) {
    if (!Array.isArray(b.secrets)) return bad('Send {"secrets": ["new", "old"]}');
    c.rotateWebhookSecrets(m[1]!, b.secrets as string[]);
    return json(200, { subscriptions: c.webhookSubscriptions() });
  }
  if ((m = path.match(/^\/_sim\/webhooks\/([^/]+)$/)) && method === 'DELETE') {
    c.removeWebhookSubscription(m[1]!);
    return json(200, { ok: true });
  }
  if (post && path === '/_sim/users') return json(201, { user: c.addUser(b as unknown as UserInput) });
  if (post && path === '/_sim/schedules') return json(201, { schedule: c.addSchedule(b as unknown as ScheduleInput) });
  if (post && path === '/_sim/escalation_policies')
    return json(201, { escalation_policy: c.addEscalationPolicy(b as unknown as PolicyInput) });
  if (post && path === '/_sim/services') return json(201, { service: c.addService(b as unknown as ServiceInput) });
  if (post && path === '/_sim/maintenance_windows')
    return json(201, { maintenance_window: c.addMaintenanceWindow(b as unknown as MaintenanceWindowInput) });
  if (post && (m = path.match(/^\/_sim\/maintenance_windows\/([^/]+)\/end$/)))
    return (c.endMaintenanceWindow(m[1]!), json(200, { ok: true }));
  if (post && (m = path.match(/^\/_sim\/schedules\/([^/]+)\/oncall$/))) {
    if (!Array.isArray(b.userIds)) return bad('Send {"userIds": ["P…"]}');
    c.setOnCall(m[1]!, b.userIds.map(String));
    return json(200, { ok: true });
  }
  if (path === '/_sim/org' && method === 'GET') return json(200, c.org());
  return null;
}
