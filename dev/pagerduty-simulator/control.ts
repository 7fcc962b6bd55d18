/**
 * The in-process control object (`sim.control`), also behind the HTTP control API: inspect,
 * seed the account, act as a person in the PagerDuty app, move the clock, inject faults.
 * Bad input throws a ControlError whose message says what to send instead.
 */
import { ROUTING_KEY_PATTERN, type EscalationTarget } from './org.js';
import { ControlError, type Simulator } from './simulator.js';
import type { EventAction, SimulatorControl } from './types.js';

function need(cond: unknown, message: string): asserts cond {
  if (!cond) throw new ControlError(400, message);
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isoMs(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  need(Number.isFinite(ms), `${name} must be an ISO-8601 time, got "${v}"`);
  return ms;
}

/**
 * The simulator's control surface (what tests and the demo script do to the fake PagerDuty). Long on
 * purpose: one short method per operation in one object literal, so the whole surface reads as one
 * table next to `SimulatorControl`; splitting it would scatter that table over files.
 */
export function createControl(sim: Simulator): SimulatorControl {
  const incidentOr404 = (id: string) => {
    sim.tick();
    const i = sim.findIncident(id);
    if (!i) throw new ControlError(404, `No incident "${id}" (use its id or number)`);
    return i;
  };
  const userOr404 = (id: string) => {
    const u = sim.dir.user(id) ?? sim.dir.userByEmail(id);
    if (!u)
      throw new ControlError(
        404,
        `No user "${id}"; known: ${sim.dir.org.users.map((x) => `${x.id} (${x.email})`).join(', ')}`,
      );
    return u;
  };
  const checkTargets = (targets: EscalationTarget[]) => {
    need(
      Array.isArray(targets) && targets.length > 0,
      'Each rule needs "targets": [{"type":"user_reference","id":"P…"}]',
    );
    for (const t of targets) {
      if (t.type === 'user_reference') need(sim.dir.user(t.id), `No user ${t.id}`);
      else if (t.type === 'schedule_reference') need(sim.dir.schedule(t.id), `No schedule ${t.id}`);
      else need(false, `A target's type is user_reference or schedule_reference, got "${String(t.type)}"`);
    }
  };
  const id = (given: string | undefined, letter: string, exists: (id: string) => unknown) => {
    if (given !== undefined) need(!exists(given), `The id ${given} is taken`);
    return given ?? sim.dir.newId(letter);
  };

  return {
    reset: (seed) => sim.reset(seed),
    setFaults: (f) => sim.faults.set(f),
    requests: () => sim.requestLog.entries(),
    clearRequests: () => sim.requestLog.clear(),
    incidents: () => {
      sim.tick();
      return sim.store.all().map((i) => sim.wire.incident(i));
    },
    incident: (idOrNumber) => {
      sim.tick();
      const i = sim.findIncident(idOrNumber);
      return i ? sim.wire.incident(i) : undefined;
    },
    events: (filter = {}) =>
      sim.events.filter(
        (e) =>
          (filter.dedupKey === undefined || e.dedupKey === filter.dedupKey) &&
          (filter.action === undefined || e.action === filter.action),
      ),
    eventCounts: (dedupKey) => {
      const counts: Record<EventAction, number> = { trigger: 0, acknowledge: 0, resolve: 0 };
      for (const e of sim.events) if (e.dedupKey === dedupKey) counts[e.action] += 1;
      return { ...counts, incidents: sim.store.all().filter((i) => i.incidentKey === dedupKey).length };
    },
    trigger: (t) => {
      need(typeof t.routingKey === 'string' && typeof t.summary === 'string', 'Send {"routingKey", "summary"}');
      const r = sim.applyEvent({
        routingKey: t.routingKey,
        action: 'trigger',
        ...(t.dedupKey !== undefined ? { dedupKey: t.dedupKey } : {}),
        details: { title: t.summary, source: t.source ?? 'pagerduty-simulator', severity: t.severity ?? 'critical' },
        body: { control: t },
      });
      if (!r) throw new ControlError(400, `No service has routing key ${t.routingKey}`);
      return r;
    },
    acknowledge: (incidentId, userId) => {
      const i = incidentOr404(incidentId);
      const u = userOr404(userId);
      if (i.status === 'resolved') throw new ControlError(409, `Incident ${i.id} is resolved`);
      sim.store.acknowledge(i, { type: 'user_reference', id: u.id });
    },
    resolve: (incidentId, userId) => {
      const i = incidentOr404(incidentId);
      const u = userOr404(userId);
      if (i.status === 'resolved') throw new ControlError(409, `Incident ${i.id} is already resolved`);
      sim.store.resolve(i, { type: 'user_reference', id: u.id });
    },
    escalate: (incidentId, level) => {
      const i = incidentOr404(incidentId);
      const rules = sim.dir.policy(i.policyId)!.rules.length;
      need(Number.isInteger(level) && level >= 1 && level <= rules, `level must be 1 to ${rules}`);
      need(i.status !== 'resolved', `Incident ${i.id} is resolved`);
      sim.store.escalateTo(i, level, null);
    },
    advance: (ms) => sim.clock.advance(ms),
    freeze: () => sim.clock.freeze(),
    unfreeze: () => sim.clock.unfreeze(),
    now: () => sim.clock.now(),
    setRateLimit: (r) => sim.limiter.set(r),
    addWebhookSubscription: (s) => {
      try {
        return sim.webhook.add(s);
      } catch (e) {
        throw new ControlError(400, e instanceof Error ? e.message : String(e));
      }
    },
    rotateWebhookSecrets: (subId, secrets) => {
      try {
        sim.webhook.rotate(subId, secrets);
      } catch (e) {
        throw new ControlError(400, e instanceof Error ? e.message : String(e));
      }
    },
    removeWebhookSubscription: (subId) => sim.webhook.remove(subId),
    webhookSubscriptions: () => sim.webhook.subscriptions(),
    webhookDeliveries: () => sim.webhook.history(),
    webhooksSettled: () => sim.webhook.settled(),
    addUser: (u) => {
      need(typeof u.name === 'string' && typeof u.email === 'string', 'A user needs "name" and "email"');
      need(/^[^@\s]+@[^@\s]+$/.test(u.email), `"${u.email}" is not an e-mail address`);
      need(!sim.dir.userByEmail(u.email), `A user with e-mail ${u.email} exists`);
      const timeZone = u.timeZone ?? 'Etc/UTC';
      need(validZone(timeZone), `Unknown time zone "${timeZone}" (use an IANA name such as Europe/Berlin)`);
      const user = {
        id: id(u.id, 'U', (x) => sim.dir.user(x)),
        name: u.name,
        email: u.email,
        timeZone,
        role: u.role ?? ('user' as const),
        color: 'green',
      };
      sim.dir.org.users.push(user);
      return sim.wire.user(user);
    },
    addSchedule: (s) => {
      need(typeof s.name === 'string' && Array.isArray(s.userIds), 'A schedule needs "name" and "userIds"');
      for (const u of s.userIds) need(sim.dir.user(u), `No user ${u}`);
      const shiftHours = s.shiftHours ?? 24;
      need(shiftHours > 0, 'shiftHours must be positive');
      const timeZone = s.timeZone ?? 'Etc/UTC';
      need(validZone(timeZone), `Unknown time zone "${timeZone}"`);
      const schedule = {
        id: id(s.id, 'S', (x) => sim.dir.schedule(x)),
        name: s.name,
        timeZone,
        userIds: [...s.userIds],
        rotationStartMs: isoMs(s.rotationStart, 'rotationStart') ?? sim.clock.now(),
        shiftHours,
      };
      sim.dir.org.schedules.push(schedule);
      return { id: schedule.id };
    },
    addEscalationPolicy: (p) => {
      need(
        typeof p.name === 'string' && Array.isArray(p.rules) && p.rules.length > 0,
        'A policy needs "name" and "rules"',
      );
      for (const r of p.rules) {
        need(Number.isInteger(r.delayMinutes) && r.delayMinutes >= 0, 'delayMinutes must be a whole number ≥ 0');
        checkTargets(r.targets);
      }
      for (const t of p.teamIds ?? []) need(sim.dir.team(t), `No team ${t}`);
      const policy = {
        id: id(p.id, 'P', (x) => sim.dir.policy(x)),
        name: p.name,
        description: p.description ?? '',
        numLoops: p.numLoops ?? 0,
        teamIds: p.teamIds ?? [],
        rules: p.rules.map((r) => ({ id: sim.dir.newId('R'), delayMinutes: r.delayMinutes, targets: r.targets })),
      };
      sim.dir.org.policies.push(policy);
      return sim.wire.policy(policy);
    },
    addService: (s) => {
      need(typeof s.name === 'string', 'A service needs "name"');
      need(sim.dir.policy(s.escalationPolicyId), `No escalation policy ${s.escalationPolicyId}`);
      const integrationKey = s.integrationKey ?? sim.newIntegrationKey();
      need(ROUTING_KEY_PATTERN.test(integrationKey), 'integrationKey must be 32 letters or digits');
      need(!sim.dir.serviceByKey(integrationKey), `Integration key ${integrationKey} is taken`);
      const service = {
        id: id(s.id, 'V', (x) => sim.dir.service(x)),
        name: s.name,
        description: s.description ?? '',
        policyId: s.escalationPolicyId,
        integrationKey,
        integrationId: sim.dir.newId('I'),
        urgency: s.urgency ?? ('high' as const),
        teamIds: s.teamIds ?? [],
        createdAtMs: sim.clock.now(),
        disabled: false,
      };
      sim.dir.org.services.push(service);
      return { id: service.id, integrationKey };
    },
    addMaintenanceWindow: (w) => {
      need(Array.isArray(w.serviceIds) && w.serviceIds.length > 0, 'A maintenance window needs "serviceIds"');
      for (const s of w.serviceIds) need(sim.dir.service(s), `No service ${s}`);
      const startMs = isoMs(w.start, 'start') ?? sim.clock.now();
      const endMs = isoMs(w.end, 'end') ?? startMs + (w.durationMinutes ?? 60) * 60_000;
      need(endMs > startMs, 'The window must end after it starts');
      const window = {
        id: id(w.id, 'M', (x) => sim.dir.maintenanceWindow(x)),
        sequenceNumber: sim.dir.org.maintenanceWindows.length + 1,
        description: w.description ?? 'Maintenance',
        startMs,
        endMs,
        serviceIds: [...w.serviceIds],
        createdByUserId: null,
      };
      sim.dir.org.maintenanceWindows.push(window);
      return sim.wire.maintenanceWindow(window);
    },
    endMaintenanceWindow: (windowId) => {
      const w = sim.dir.maintenanceWindow(windowId);
      if (!w) throw new ControlError(404, `No maintenance window ${windowId}`);
      w.endMs = Math.min(w.endMs, sim.clock.now());
    },
    setOnCall: (scheduleId, userIds) => {
      const s = sim.dir.schedule(scheduleId);
      if (!s) throw new ControlError(404, `No schedule ${scheduleId}`);
      need(Array.isArray(userIds) && userIds.length > 0, '"userIds" must name at least one user');
      for (const u of userIds) need(sim.dir.user(u), `No user ${u}`);
      s.userIds = [...userIds];
      s.rotationStartMs = sim.clock.now();
    },
    org: () => structuredClone(sim.dir.org),
  };
}
