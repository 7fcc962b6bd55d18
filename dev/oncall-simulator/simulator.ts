/**
 * One simulated On-Call organisation: clock, directory, incidents, maintenance mode, Rules Engine, and
 * the knobs (switches, faults, rate limits, consistency delay, webhook). The HTTP layer and the
 * in-process control both drive this.
 */
import { randomUUID } from 'node:crypto';
import { SimClock } from '../simulator-kit/clock.js';
import { FaultInjector } from './faults.js';
import { MaintenanceError, MaintenanceModes } from './maintenance.js';
import { DEFAULT_ROUTING_KEY, OrgDirectory } from './org.js';
import { PendingChanges } from './pending-changes.js';
import { RateLimiter } from './rate-limiter.js';
import { RequestLog } from '../simulator-kit/request-log.js';
import { validateRules } from './rules.js';
import { DEMO_INCIDENTS, demoOrg, type OrgProfile } from './seed.js';
import { toWire } from './incident.js';
import { IncidentStore, type ActionResult, type SimIncident } from './state.js';
import type { AlertRule, SeedName, SimulatorOptions, SimulatorControl, Switches, WireIncident } from './types.js';
import { WebhookSender } from './webhook.js';

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_SWITCHES: Switches = {
  oncallFieldStyle: 'observed',
  warningOpensIncident: true,
  restFailureStatus: 400,
  routingKeyCase: 'insensitive',
  readOnlyRefusal: 'auth-failed',
  oncallCurrentSteps: 'first',
  userListV1: 'nested',
  pagedUsersAfterAck: 'empty',
  multiResponderOutsiderAck: 'ignored',
  mutedPagedTeams: 'empty',
  maintenanceModeLimit: null,
};

const SWITCH_VALUES: { [K in keyof Switches]: readonly Switches[K][] | 'count' | 'boolean' } = {
  oncallFieldStyle: ['observed', 'spec'],
  warningOpensIncident: 'boolean',
  restFailureStatus: [200, 400],
  routingKeyCase: ['insensitive', 'sensitive'],
  readOnlyRefusal: ['auth-failed', 'read-only', 'unauthorized'],
  oncallCurrentSteps: ['first', 'all'],
  userListV1: ['nested', 'flat'],
  pagedUsersAfterAck: ['empty', 'kept'],
  multiResponderOutsiderAck: ['ignored', 'acks-all'],
  mutedPagedTeams: ['empty', 'routed'],
  maintenanceModeLimit: 'count',
};

/** Checks a partial set of switches, naming the first bad one. */
export function validateSwitches(v: unknown): Partial<Switches> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('switches must be an object');
  for (const [k, value] of Object.entries(v)) {
    const allowed = SWITCH_VALUES[k as keyof Switches] as unknown;
    if (allowed === undefined)
      throw new Error(`Unknown switch "${k}"; known: ${Object.keys(SWITCH_VALUES).join(', ')}`);
    const ok =
      allowed === 'boolean'
        ? typeof value === 'boolean'
        : allowed === 'count'
          ? value === null || (typeof value === 'number' && Number.isInteger(value) && value >= 0)
          : (allowed as unknown[]).includes(value);
    if (!ok)
      throw new Error(
        `Switch "${k}" cannot be ${JSON.stringify(value)}; use ${Array.isArray(allowed) ? allowed.join(' or ') : allowed === 'count' ? 'a whole number or null' : 'true or false'}`,
      );
  }
  return v as Partial<Switches>;
}

export class Simulator {
  readonly clock = new SimClock();
  readonly faults: FaultInjector;
  readonly limiter: RateLimiter;
  readonly requestLog = new RequestLog();
  readonly pending: PendingChanges;
  readonly webhook: WebhookSender;
  readonly switches: Switches;
  readonly maintenance: MaintenanceModes;
  rules: AlertRule[];
  orgProfile: OrgProfile;
  org: OrgDirectory;
  store: IncidentStore;
  retentionMs: number;
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
    const given = Object.fromEntries(
      Object.keys(DEFAULT_SWITCHES).flatMap((k) =>
        opts[k as keyof Switches] === undefined ? [] : [[k, opts[k as keyof Switches]]],
      ),
    );
    this.switches = { ...DEFAULT_SWITCHES, ...validateSwitches(given) };
    this.rules = validateRules(opts.rules ?? []);
    this.maintenance = new MaintenanceModes(
      (a, b) =>
        this.org.normaliseKey(a, this.switches.routingKeyCase) ===
        this.org.normaliseKey(b, this.switches.routingKeyCase),
      () => this.switches.maintenanceModeLimit ?? Number.POSITIVE_INFINITY,
    );
    this.orgProfile = opts.org ?? 'realistic';
    this.org = new OrgDirectory(demoOrg(this.orgProfile));
    this.store = this.newStore();
    this.clock.onAdvance(() => this.refresh());
    this.reset(opts.seed ?? 'demo');
  }

  private newStore(): IncidentStore {
    const store = new IncidentStore({
      clock: this.clock,
      org: this.org,
      switches: this.switches,
      muted: (key) => this.maintenance.mutes(key),
    });
    store.onChange((i, change) => this.webhook.notify(i, change, this.clock.now()));
    return store;
  }

  /** Applies due pending changes, then due escalation steps: what every read sees first. */
  refresh(): void {
    this.pending.flushDue();
    this.store.escalate();
  }

  /** Fresh org and incidents, no maintenance mode; the request log, faults, switches, rules and clock stay. */
  reset(seed: SeedName = 'demo', org: OrgProfile = this.orgProfile): void {
    if (seed !== 'demo' && seed !== 'empty')
      throw new ControlError(400, `Unknown seed "${String(seed)}"; use "demo" or "empty"`);
    if (org !== 'tidy' && org !== 'realistic')
      throw new ControlError(400, `Unknown org "${String(org)}"; use "tidy" or "realistic"`);
    this.pending.clear();
    this.limiter.reset();
    this.maintenance.clear();
    this.orgProfile = org;
    this.org = new OrgDirectory(demoOrg(org));
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
    const { acked, unacked, unpaged } = DEMO_INCIDENTS;
    // Seeded silently: the webhook reports changes, not the starting state.
    this.webhook.setTarget(null);
    try {
      const first = this.seedIncident(acked, now - acked.startedMinutesAgo * min);
      this.store.act('ack', String(first.number), acked.ackedBy, acked.ackMessage);
      first.transitions[0]!.at = now - acked.ackedMinutesAgo * min;
      this.seedIncident(unacked, now - unacked.startedMinutesAgo * min);
      if (this.orgProfile === 'realistic') this.seedIncident(unpaged, now - unpaged.startedMinutesAgo * min);
    } finally {
      this.webhook.setTarget(this.webhookTarget);
    }
  }

  private seedIncident(s: { title: string; entityId: string; routingKey: string }, at: number): SimIncident {
    const fields = {
      message_type: 'CRITICAL',
      entity_id: s.entityId,
      entity_display_name: s.title,
      monitoring_tool: 'prometheus',
    };
    const alert = this.store.storeAlert(s.routingKey, 'CRITICAL', fields, at);
    return this.store.open({
      at,
      entityId: s.entityId,
      title: s.title,
      entityState: 'CRITICAL',
      routingKey: s.routingKey,
      host: '',
      monitorName: 'prometheus',
      monitorType: 'REST',
      ...this.store.routed(s.routingKey),
      alertId: alert.uuid,
    });
  }

  toWire(i: SimIncident): WireIncident {
    return toWire(i, this.org.org.orgSlug);
  }

  wire(n: number): WireIncident | undefined {
    this.refresh();
    const i = this.store.get(n);
    return i ? this.toWire(i) : undefined;
  }

  listed(): WireIncident[] {
    this.refresh();
    return this.store.listed(this.retentionMs).map((i) => this.toWire(i));
  }

  /** As if a person acted in the On-Call app; throws a ControlError saying why it could not. */
  act(kind: 'ack' | 'resolve', incidentNumber: string, userName: string, message?: string): ActionResult {
    this.refresh();
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

  /** Creates an incident at once (no consistency delay), routed like a REST alert, maintenance mode included. */
  createIncident(a: { title: string; routingKey?: string; entityId?: string; details?: string }): string {
    if (typeof a.title !== 'string' || a.title.trim() === '')
      throw new ControlError(400, 'createIncident needs a non-empty "title"');
    this.refresh();
    const routingKey = this.org.normaliseKey(a.routingKey ?? DEFAULT_ROUTING_KEY, this.switches.routingKeyCase);
    const i = this.store.applyManual({
      title: a.title,
      details: a.details ?? '',
      userName: null,
      entityId: a.entityId ?? randomUUID(),
      routingKey,
      ...this.store.routed(routingKey),
      receivedAt: this.clock.now(),
    });
    return String(i.number);
  }

  setOnCall(slug: string, usernames: string[]): void {
    const policy = this.org.policy(slug);
    const rotation = policy ? this.org.rotationsOf(policy)[0] : this.org.rotation(slug);
    if (!rotation)
      throw new ControlError(
        404,
        policy
          ? `Escalation policy "${slug}" pages no rotation group`
          : `No escalation policy or rotation group "${slug}"`,
      );
    const unknown = usernames.filter((u) => !this.org.user(u));
    if (unknown.length > 0) throw new ControlError(400, `Unknown On-Call users: ${unknown.join(', ')}`);
    this.refresh();
    rotation.onCallNow = [...usernames];
  }

  startMaintenance(m: { routingKeys?: string[]; purpose?: string; startedBy?: string } = {}): string {
    this.refresh();
    try {
      return this.maintenance.start({
        routingKeys: m.routingKeys ?? [],
        purpose: m.purpose ?? '',
        startedBy: m.startedBy ?? this.org.org.users[0]!.username,
        at: this.clock.now(),
      }).instanceId;
    } catch (e) {
      if (e instanceof MaintenanceError) throw new ControlError(e.status, e.message);
      throw e;
    }
  }

  /** Ends one mode; triggered incidents it alone muted page from the start of their policies. */
  endMaintenance(instanceId: string): void {
    this.refresh();
    try {
      this.maintenance.end(instanceId);
    } catch (e) {
      if (e instanceof MaintenanceError) throw new ControlError(e.status, e.message);
      throw e;
    }
    this.store.unmute();
  }

  control(): SimulatorControl {
    return {
      reset: (seed, org) => this.reset(seed, org),
      setFaults: (f) => this.faults.set(f),
      requests: () => this.requestLog.entries(),
      clearRequests: () => this.requestLog.clear(),
      incidents: () => {
        this.refresh();
        return this.store.all().map((i) => this.toWire(i));
      },
      ack: (n, user, message) => void this.act('ack', n, user, message),
      resolve: (n, user) => void this.act('resolve', n, user),
      createIncident: (a) => this.createIncident(a),
      advance: (ms) => this.clock.advance(ms),
      freeze: () => this.clock.freeze(),
      unfreeze: () => {
        this.clock.unfreeze();
        this.refresh();
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
      setSwitches: (s) => {
        Object.assign(this.switches, validateSwitches(s));
        return { ...this.switches };
      },
      setRules: (rules) => {
        this.rules = validateRules(rules);
      },
      startMaintenance: (m) => this.startMaintenance(m),
      endMaintenance: (id) => this.endMaintenance(id),
      maintenance: () => this.maintenance.list(),
    };
  }
}
