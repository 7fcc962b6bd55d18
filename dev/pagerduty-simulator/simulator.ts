/**
 * One simulated PagerDuty account: clock, directory, incidents, received events, webhooks, and the
 * knobs (faults, rate limits). The HTTP layer and the in-process control both drive this class.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SimClock } from '../simulator-kit/clock.js';
import { FaultInjector } from './faults.js';
import {
  IncidentStore,
  type Agent,
  type IncidentEventType,
  type SimIncident,
  type TriggerDetails,
} from './incidents.js';
import { OrgDirectory, ROUTING_KEY_PATTERN, type Org } from './org.js';
import { RateLimiter } from './rate-limiter.js';
import { RequestLog } from '../simulator-kit/request-log.js';
import { DEMO_INCIDENTS, DEMO_SERVICE_SRE, demoOrg } from './seed.js';
import type { EventAction, EventOutcome, ReceivedEvent, SeedName, SimulatorOptions } from './types.js';
import { WebhookSender } from './webhook.js';
import { Wire } from './wire.js';

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A validated Events API v2 alert event. */
export interface AlertEvent {
  routingKey: string;
  action: EventAction;
  dedupKey?: string;
  details?: Omit<TriggerDetails, 'dedupKey'>;
  body: unknown;
}

export class Simulator {
  readonly clock = new SimClock();
  readonly faults: FaultInjector;
  readonly limiter: RateLimiter;
  readonly requestLog = new RequestLog();
  readonly webhook: WebhookSender;
  readonly unknownRoutingKey: 'accept' | 'reject';
  readonly nobodyOnCall: 'unassigned' | 'drop';
  readonly log: (msg: string) => void;
  /** Set once the server listens; `self` links point here. */
  baseUrl = 'http://127.0.0.1';
  dir!: OrgDirectory;
  store!: IncidentStore;
  wire!: Wire;
  events: ReceivedEvent[] = [];

  constructor(opts: SimulatorOptions) {
    this.log = opts.log ? (m) => console.log(`[pagerduty-simulator] ${m}`) : () => undefined;
    this.faults = new FaultInjector(opts.faults);
    this.limiter = new RateLimiter(opts.rateLimit);
    this.unknownRoutingKey = opts.unknownRoutingKey ?? 'accept';
    this.nobodyOnCall = opts.nobodyOnCall ?? 'unassigned';
    this.webhook = new WebhookSender(
      (m) => console.warn(`[pagerduty-simulator] ${m}`),
      opts.webhookAttempts ?? 3,
      opts.webhookRetryDelayMs ?? 200,
    );
    this.clock.onAdvance(() => this.store.tick());
    this.reset(opts.seed ?? 'demo');
  }

  /** Fresh account and incidents; the request log, faults, webhook subscriptions and clock stay. */
  reset(seed: SeedName = 'demo'): void {
    if (seed !== 'demo' && seed !== 'empty')
      throw new ControlError(400, `Unknown seed "${String(seed)}"; use "demo" or "empty"`);
    this.limiter.reset();
    this.events = [];
    const now = this.clock.now();
    const org: Org =
      seed === 'demo'
        ? demoOrg(now)
        : { ...demoOrg(now), users: [], teams: [], schedules: [], policies: [], services: [], maintenanceWindows: [] };
    this.dir = new OrgDirectory(org);
    this.wire = new Wire(this.dir, () => this.baseUrl);
    this.store = new IncidentStore(this.clock, this.dir, seed === 'demo' ? DEMO_INCIDENTS.firstNumber : 1);
    if (seed === 'demo') this.seedDemoIncidents(now);
    this.store.onChange((type, i, agent, atMs) => this.announce(type, i, agent, atMs));
  }

  private seedDemoIncidents(now: number): void {
    const min = 60_000;
    const sre = this.dir.service(DEMO_SERVICE_SRE)!;
    const agent: Agent = { type: 'service_reference', id: sre.id };
    const { acked, triggered } = DEMO_INCIDENTS;
    const a = this.store.open(
      sre,
      { title: acked.title, dedupKey: acked.dedupKey },
      agent,
      now - acked.startedMinutesAgo * min,
    );
    this.store.acknowledge(a, { type: 'user_reference', id: acked.ackedBy }, now - acked.ackedMinutesAgo * min);
    this.store.open(
      sre,
      { title: triggered.title, dedupKey: triggered.dedupKey },
      agent,
      now - triggered.startedMinutesAgo * min,
    );
  }

  /** Escalations that came due while nobody looked (wall time passes too). */
  tick(): void {
    this.store.tick();
  }

  private announce(type: IncidentEventType, i: SimIncident, agent: Agent | null, atMs: number): void {
    const client = i.details.client;
    this.webhook.notify(
      {
        eventType: type,
        serviceId: i.serviceId,
        teamIds: this.dir.service(i.serviceId)?.teamIds ?? [],
        event: {
          event_type: type,
          resource_type: 'incident',
          occurred_at: new Date(atMs).toISOString(),
          agent: agent ? this.wire.agentRef(agent) : null,
          client: type === 'incident.triggered' && client ? { name: client } : null,
          data: this.wire.webhookIncident(i),
        },
      },
      new Date(atMs).toISOString(),
    );
  }

  /**
   * Applies one alert event as PagerDuty documents (docs/pagerduty.md#dedup-key): a trigger on an
   * open dedup key of the same routing key adds to that incident; after it is resolved, a trigger
   * opens a new one; acknowledge/resolve with nothing open are dropped. Returns the 202 body, or
   * null for an unknown routing key when the simulator is set to reject those.
   */
  applyEvent(e: AlertEvent): { status: string; message: string; dedup_key: string } | null {
    this.store.tick();
    const service = this.dir.serviceByKey(e.routingKey);
    const dedupKey = e.dedupKey ?? randomUUID().replace(/-/g, '');
    const record = (outcome: EventOutcome, i?: SimIncident) => {
      this.events.push({
        at: new Date(this.clock.now()).toISOString(),
        routingKey: e.routingKey,
        action: e.action,
        dedupKey,
        outcome,
        ...(i ? { incidentId: i.id, incidentNumber: i.number } : {}),
        body: e.body,
      });
      this.log(`event ${e.action} ${dedupKey}: ${outcome}`);
    };
    const accepted = { status: 'success', message: 'Event processed', dedup_key: dedupKey };
    if (!service) {
      if (this.unknownRoutingKey === 'reject') return null;
      record('dropped: unknown routing key');
      return accepted;
    }
    if (service.disabled) {
      record('dropped: service disabled');
      return accepted;
    }
    const agent: Agent = { type: 'service_reference', id: service.id };
    const open = this.store.findOpen(service.id, dedupKey);
    // In maintenance a service's integrations are switched off: no new incident, and open ones
    // cannot be resolved through the Events API (docs/pagerduty.md#maintenance-windows).
    if (this.dir.inMaintenance(service.id, this.clock.now())) {
      record('dropped: service in maintenance', open);
      return accepted;
    }
    if (e.action === 'trigger') {
      if (open) {
        this.store.retrigger(open, { ...e.details!, dedupKey }, agent);
        record('deduplicated', open);
      } else if (this.nobodyOnCall === 'drop' && !this.dir.anyoneOnCall(service.policyId, this.clock.now())) {
        record('dropped: nobody on call');
      } else {
        record('created', this.store.open(service, { ...e.details!, dedupKey }, agent));
      }
      return accepted;
    }
    if (!open) {
      record('dropped: no open incident');
      return accepted;
    }
    const changed = e.action === 'acknowledge' ? this.store.acknowledge(open, agent) : this.store.resolve(open, agent);
    record(
      changed ? (e.action === 'acknowledge' ? 'acknowledged' : 'resolved') : 'dropped: already in that state',
      open,
    );
    return accepted;
  }

  /** Service status as documented: maintenance, critical (triggered), warning (acknowledged), active. */
  serviceStatus(serviceId: string): string {
    const s = this.dir.service(serviceId);
    if (s?.disabled) return 'disabled';
    if (this.dir.inMaintenance(serviceId, this.clock.now())) return 'maintenance';
    const open = this.store.all().filter((i) => i.serviceId === serviceId);
    if (open.some((i) => i.status === 'triggered')) return 'critical';
    if (open.some((i) => i.status === 'acknowledged')) return 'warning';
    return 'active';
  }

  lastIncidentAt(serviceId: string): number | null {
    const times = this.store
      .all()
      .filter((i) => i.serviceId === serviceId)
      .map((i) => i.createdAtMs);
    return times.length ? Math.max(...times) : null;
  }

  findIncident(idOrNumber: string | number): SimIncident | undefined {
    const all = this.store.all();
    return all.find((i) => i.id === idOrNumber || String(i.number) === String(idOrNumber));
  }

  newIntegrationKey(): string {
    return randomBytes(16).toString('hex');
  }

  isRoutingKeyWellFormed(k: string): boolean {
    return ROUTING_KEY_PATTERN.test(k);
  }
}
