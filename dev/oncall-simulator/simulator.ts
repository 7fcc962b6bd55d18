/**
 * One simulated On-Call organisation: clock, directory, incidents, and the knobs (faults, rate
 * limits, consistency delay, webhook). The HTTP layer and the in-process control both drive this.
 */
import { randomUUID } from 'node:crypto';
import { SimClock } from './clock.js';
import { FaultInjector } from './faults.js';
import { DEFAULT_ROUTING_KEY, OrgDirectory, type OrgPolicy } from './org.js';
import { PendingChanges } from './pending-changes.js';
import { RateLimiter } from './rate-limiter.js';
import { RequestLog } from './request-log.js';
import { DEMO_INCIDENTS, demoOrg } from './seed.js';
import { IncidentStore, type ActionResult } from './state.js';
import type { SeedName, SimulatorOptions, SimulatorControl, WireIncident } from './types.js';
import { WebhookSender } from './webhook.js';

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class Simulator {
  readonly clock = new SimClock();
  readonly faults: FaultInjector;
  readonly limiter: RateLimiter;
  readonly requestLog = new RequestLog();
  readonly pending: PendingChanges;
  readonly webhook: WebhookSender;
  org: OrgDirectory;
  store: IncidentStore;
  retentionMs: number;
  readonly oncallFieldStyle: 'observed' | 'spec';
  readonly restFailureStatus: 200 | 400;
  private readonly warningOpensIncident: boolean;
  readonly log: (msg: string) => void;
  webhookTarget: { url: string; headers?: Record<string, string> } | null;

  constructor(opts: SimulatorOptions) {
    this.log = opts.log ? (m) => console.log(`[oncall-simulator] ${m}`) : () => undefined;
    this.faults = new FaultInjector(opts.faults);
    this.limiter = new RateLimiter(opts.rateLimit === undefined ? { perSecond: 2 } : opts.rateLimit);
    this.pending = new PendingChanges(this.clock, opts.consistencyDelayMs ?? 0);
    this.webhookTarget = opts.webhook ?? null;
    this.webhook = new WebhookSender(
      opts.webhook ?? null,
      opts.webhook ? (m) => console.warn(`[oncall-simulator] ${m}`) : this.log,
    );
    this.retentionMs = (opts.resolvedRetentionMinutes ?? 60) * 60_000;
    this.oncallFieldStyle = opts.oncallFieldStyle ?? 'observed';
    this.restFailureStatus = opts.restFailureStatus ?? 400;
    this.warningOpensIncident = opts.warningOpensIncident ?? true;
    this.org = new OrgDirectory(demoOrg());
    this.store = this.newStore();
    this.clock.onAdvance(() => this.pending.flushDue());
    this.reset(opts.seed ?? 'demo');
  }

  private newStore(): IncidentStore {
    const store = new IncidentStore(this.clock, this.org, { warningOpensIncident: this.warningOpensIncident });
    store.onChange((i, change) => this.webhook.notify(i, change, this.clock.now()));
    return store;
  }

  /** Fresh org and incidents; the request log, faults and clock are left as they are. */
  reset(seed: SeedName = 'demo'): void {
    if (seed !== 'demo' && seed !== 'empty')
      throw new ControlError(400, `Unknown seed "${String(seed)}"; use "demo" or "empty"`);
    this.pending.clear();
    this.limiter.reset();
    this.org = new OrgDirectory(demoOrg());
    this.store = this.newStore();
    if (seed === 'empty') {
      this.store.clear(1);
      return;
    }
    this.store.clear(DEMO_INCIDENTS.firstNumber);
    this.seedDemoIncidents();
  }

  private seedDemoIncidents(): void {
    const now = this.clock.now();
    const min = 60_000;
    const sre = this.org.policy(this.org.route('sre').policySlugs[0]!)!;
    const { acked, unacked } = DEMO_INCIDENTS;
    // Seeded silently: the webhook reports changes, not the starting state.
    this.webhook.setTarget(null);
    try {
      this.insertSeed(acked.title, acked.entityId, now - acked.startedMinutesAgo * min, sre, ['carol']);
      const n1 = this.store.all()[0]!;
      this.store.act('ack', String(n1.number), acked.ackedBy, acked.ackMessage);
      n1.transitions[0]!.at = now - acked.ackedMinutesAgo * min;
      this.insertSeed(unacked.title, unacked.entityId, now - unacked.startedMinutesAgo * min, sre, sre.onCallNow);
    } finally {
      this.webhook.setTarget(this.webhookTarget);
    }
  }

  private insertSeed(title: string, entityId: string, at: number, policy: OrgPolicy, paged: string[]): void {
    const uuid = randomUUID();
    this.store.insert({
      number: this.store.allocateNumber(),
      startTime: at,
      phase: 'UNACKED',
      entityId,
      entityDisplayName: title,
      entityState: 'CRITICAL',
      routingKey: 'sre',
      alertCount: 1,
      lastAlertTime: at,
      lastAlertId: uuid,
      firstAlertUuid: uuid,
      host: '',
      service: title,
      pagedTeams: [policy.teamSlug],
      pagedUsers: [...paged],
      pagedPolicies: [this.org.policyRef(policy)],
      transitions: [],
      monitorName: 'prometheus',
      monitorType: 'REST',
      resolvedAt: null,
      ackUser: null,
    });
  }

  wire(n: number): WireIncident | undefined {
    this.pending.flushDue();
    const i = this.store.get(n);
    return i ? this.store.toWire(i, this.org.org.orgSlug) : undefined;
  }

  listed(): WireIncident[] {
    this.pending.flushDue();
    return this.store.listed(this.retentionMs).map((i) => this.store.toWire(i, this.org.org.orgSlug));
  }

  /** As if a person acted in the On-Call app; throws a ControlError saying why it could not. */
  act(kind: 'ack' | 'resolve', incidentNumber: string, userName: string, message?: string): ActionResult {
    this.pending.flushDue();
    if (!this.org.user(userName))
      throw new ControlError(
        404,
        `No On-Call user "${userName}"; known: ${this.org.org.users.map((u) => u.username).join(', ')}`,
      );
    const r = this.store.act(kind, incidentNumber, userName, message);
    if (!r.cmdAccepted)
      throw new ControlError(
        r.message === 'Incident not found' ? 404 : 409,
        `Incident ${incidentNumber}: ${r.message}`,
      );
    return r;
  }

  /** Creates an incident at once (no consistency delay), routed like a REST alert. */
  createIncident(a: { title: string; routingKey?: string; entityId?: string; details?: string }): string {
    if (typeof a.title !== 'string' || a.title.trim() === '')
      throw new ControlError(400, 'createIncident needs a non-empty "title"');
    this.pending.flushDue();
    const routingKey = (a.routingKey ?? DEFAULT_ROUTING_KEY).toLowerCase();
    const route = this.org.route(routingKey);
    const policies = route.policySlugs.map((s) => this.org.policy(s)).filter((p): p is OrgPolicy => !!p);
    const number = this.store.allocateNumber();
    this.store.applyManual({
      number,
      title: a.title,
      details: a.details ?? '',
      userName: null,
      entityId: a.entityId ?? randomUUID(),
      routingKey,
      policies: policies.map((p) => this.org.policyRef(p)),
      pagedTeams: [...new Set(policies.map((p) => p.teamSlug))],
      pagedUsers: this.org.pagedUsersFor(policies),
      receivedAt: this.clock.now(),
    });
    return String(number);
  }

  setOnCall(policySlug: string, usernames: string[]): void {
    const p = this.org.policy(policySlug);
    if (!p) throw new ControlError(404, `No escalation policy "${policySlug}"`);
    const unknown = usernames.filter((u) => !this.org.user(u));
    if (unknown.length > 0) throw new ControlError(400, `Unknown On-Call users: ${unknown.join(', ')}`);
    p.onCallNow = [...usernames];
  }

  control(): SimulatorControl {
    return {
      reset: (seed) => this.reset(seed),
      setFaults: (f) => this.faults.set(f),
      requests: () => this.requestLog.entries(),
      clearRequests: () => this.requestLog.clear(),
      incidents: () => {
        this.pending.flushDue();
        return this.store.all().map((i) => this.store.toWire(i, this.org.org.orgSlug));
      },
      ack: (n, user, message) => void this.act('ack', n, user, message),
      resolve: (n, user) => void this.act('resolve', n, user),
      createIncident: (a) => this.createIncident(a),
      advance: (ms) => this.clock.advance(ms),
      freeze: () => this.clock.freeze(),
      unfreeze: () => {
        this.clock.unfreeze();
        this.pending.flushDue();
      },
      now: () => this.clock.now(),
      setConsistencyDelay: (ms) => this.pending.setDelay(ms),
      setRateLimit: (r) => this.limiter.set(r),
      setWebhook: (w) => {
        this.webhookTarget = w;
        this.webhook.setTarget(w);
      },
      webhookDeliveries: () => this.webhook.history(),
      setOnCall: (slug, users) => this.setOnCall(slug, users),
      flushPending: () => this.pending.flushAll(),
    };
  }
}
