/**
 * Public types of the PagerDuty simulator: options, faults, the control interface tests and the
 * demo drive, and the records it keeps (requests, events, webhook deliveries).
 */
import type { Faults as KitFaults } from '../simulator-kit/faults.js';
import type { RequestLogEntry } from '../simulator-kit/request-log.js';
import type { EscalationTarget } from './org.js';

export type SeedName = 'demo' | 'empty';

/**
 * Fault injection knobs (`../simulator-kit/faults.ts`). PagerDuty's answers: `errorRate` 500 with
 * PagerDuty's error body (code 2000), 502/503 with a proxy's text (default 500); `rateLimitRate` 429
 * (REST: error code 2020 and `ratelimit-*` headers; Events: its 429 body); `malformedRate` 200 (REST)
 * or 202 (Events) with a truncated, unparseable JSON body.
 */
export type Faults = KitFaults<500 | 502 | 503>;

export interface RateLimits {
  /** REST requests per token per minute (PagerDuty documents 960). */
  restPerMinute: number;
  /** Events per routing key per minute (PagerDuty documents about 120). */
  eventsPerMinute: number;
}

export interface SimulatorOptions {
  host?: string;
  port?: number;
  seed?: SeedName;
  /** `false` turns both limits off; a partial object overrides the documented defaults. */
  rateLimit?: Partial<RateLimits> | false;
  /**
   * An Events API routing key that is well formed but belongs to no service: `accept` (default)
   * answers 202 and drops the event; `reject` answers 400. docs/pagerduty.md#what-the-public-documents-leave-open.
   */
  unknownRoutingKey?: 'accept' | 'reject';
  /**
   * A trigger to a service whose escalation policy has nobody on call at any level: `unassigned`
   * (default) opens the incident with no assignee; `drop` opens none (202, and the event is dropped).
   * PagerDuty's own answers differ (docs/pagerduty.md#what-the-public-documents-leave-open).
   */
  nobodyOnCall?: 'unassigned' | 'drop';
  faults?: Faults;
  /** Webhook v3 deliveries: attempts per event for 429/5xx/network failures (default 3), wall-clock gap between them. */
  webhookAttempts?: number;
  webhookRetryDelayMs?: number;
  log?: boolean;
}

export type { RequestLogEntry };

export type EventAction = 'trigger' | 'acknowledge' | 'resolve';

/** What became of one accepted Events API v2 event. */
export type EventOutcome =
  | 'created'
  | 'deduplicated'
  | 'acknowledged'
  | 'resolved'
  | 'dropped: no open incident'
  | 'dropped: already in that state'
  | 'dropped: service in maintenance'
  | 'dropped: service disabled'
  | 'dropped: nobody on call'
  | 'dropped: unknown routing key';

export interface ReceivedEvent {
  at: string;
  routingKey: string;
  action: EventAction;
  dedupKey: string;
  outcome: EventOutcome;
  incidentId?: string;
  incidentNumber?: number;
  /** The request body as sent. */
  body: unknown;
}

export interface WebhookSubscriptionInput {
  url: string;
  /** Event types to deliver (default: every incident event the simulator emits). */
  events?: string[];
  /** `service_reference` or `team_reference` with an id, or `account_reference` (default). */
  filter?: { type: 'service_reference' | 'team_reference' | 'account_reference'; id?: string };
  /** Signing secrets, newest first; several while a secret is being rotated. Default: one generated secret. */
  secrets?: string[];
  customHeaders?: { name: string; value: string }[];
}

export interface WebhookSubscription extends Required<Omit<WebhookSubscriptionInput, 'filter'>> {
  id: string;
  filter: { type: 'service_reference' | 'team_reference' | 'account_reference'; id?: string };
}

export interface WebhookDelivery {
  subscriptionId: string;
  /** `X-Webhook-Id`: the same on every attempt of one delivery. */
  webhookId: string;
  eventType: string;
  url: string;
  at: string;
  attempts: number;
  /** Last HTTP status, or 0 when the request failed. */
  status: number;
  error?: string;
  /** The raw body that was signed and sent. */
  body: string;
  signature: string;
}

export interface UserInput {
  id?: string;
  name: string;
  email: string;
  timeZone?: string;
  role?: 'admin' | 'user' | 'limited_user' | 'observer' | 'owner' | 'read_only_user';
}

export interface ScheduleInput {
  id?: string;
  name: string;
  userIds: string[];
  /** Default 24; the rotation starts at the current simulated time unless `rotationStart` (ISO) is given. */
  shiftHours?: number;
  rotationStart?: string;
  timeZone?: string;
}

export interface PolicyInput {
  id?: string;
  name: string;
  description?: string;
  numLoops?: number;
  teamIds?: string[];
  rules: { delayMinutes: number; targets: EscalationTarget[] }[];
}

export interface ServiceInput {
  id?: string;
  name: string;
  escalationPolicyId: string;
  /** Generated (32 hex characters) when omitted. */
  integrationKey?: string;
  urgency?: 'high' | 'low';
  description?: string;
  teamIds?: string[];
}

export interface MaintenanceWindowInput {
  id?: string;
  serviceIds: string[];
  description?: string;
  /** ISO times; default from now (simulated) for `durationMinutes` (default 60). */
  start?: string;
  end?: string;
  durationMinutes?: number;
}

export interface TriggerInput {
  routingKey: string;
  summary: string;
  dedupKey?: string;
  source?: string;
  severity?: 'critical' | 'error' | 'warning' | 'info';
}

export interface SimulatorControl {
  reset(seed?: SeedName): void;
  setFaults(f: Faults): void;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  /** Every incident, as `GET /incidents/{id}` shows it. */
  incidents(): Record<string, unknown>[];
  incident(idOrNumber: string | number): Record<string, unknown> | undefined;
  /** Events received by `POST /v2/enqueue` (valid ones), optionally only those with this dedup key / action. */
  events(filter?: { dedupKey?: string; action?: EventAction }): ReceivedEvent[];
  /** How many events of each action arrived for a dedup key, and how many incidents carry it. */
  eventCounts(dedupKey: string): Record<EventAction, number> & { incidents: number };
  /** As if the Events API received this trigger (same dedup and maintenance rules); returns the response body. */
  trigger(t: TriggerInput): { status: string; message: string; dedup_key: string };
  /** As if a user acted in the PagerDuty app. Throws an Error saying why when refused. */
  acknowledge(incidentId: string, userId: string): void;
  resolve(incidentId: string, userId: string): void;
  escalate(incidentId: string, level: number): void;
  advance(ms: number): void;
  freeze(): void;
  unfreeze(): void;
  now(): number;
  setRateLimit(r: Partial<RateLimits> | false): void;
  addWebhookSubscription(s: WebhookSubscriptionInput): WebhookSubscription;
  /** Replace the signing secrets (newest first): two secrets give two `v1=` signatures. */
  rotateWebhookSecrets(subscriptionId: string, secrets: string[]): void;
  removeWebhookSubscription(id: string): void;
  webhookSubscriptions(): WebhookSubscription[];
  webhookDeliveries(): WebhookDelivery[];
  /** Resolves once every queued webhook delivery has finished (tests await it instead of sleeping). */
  webhooksSettled(): Promise<void>;
  addUser(u: UserInput): Record<string, unknown>;
  addSchedule(s: ScheduleInput): { id: string };
  addEscalationPolicy(p: PolicyInput): Record<string, unknown>;
  addService(s: ServiceInput): { id: string; integrationKey: string };
  addMaintenanceWindow(w: MaintenanceWindowInput): Record<string, unknown>;
  /** Ends a window now (simulated clock). */
  endMaintenanceWindow(id: string): void;
  /** Replace a schedule's rotation with these users, the first on call from now. */
  setOnCall(scheduleId: string, userIds: string[]): void;
  /** The account as plain data (users with time zones, tokens, routing keys). */
  org(): unknown;
}

export interface RunningPagerDutySimulator {
  /** Base URL of both APIs (PagerDuty serves them from api.pagerduty.com and events.pagerduty.com). */
  url: string;
  /** `${url}/v2/enqueue` */
  eventsUrl: string;
  apiToken: string;
  readOnlyApiToken: string;
  control: SimulatorControl;
  close(): Promise<void>;
}
