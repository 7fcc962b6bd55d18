/**
 * Public types of the Splunk On-Call simulator (the interface other parts code against) and the
 * wire shapes it emits. Wire shapes follow docs/splunk-oncall.md (the incident object, who is on call).
 */

import type { Faults as KitFaults } from '../simulator-kit/faults.js';
import type { RequestLogEntry as KitRequestLogEntry } from '../simulator-kit/request-log.js';
import type { OnCallSteps, RoutingKeyCase } from './org.js';
import type { OrgProfile } from './seed.js';

export type SeedName = 'demo' | 'empty';
export type { OrgProfile };

/**
 * Fault injection knobs (`../simulator-kit/faults.ts`). On-Call's answers: `errorRate` 500 text/plain
 * `Internal Server Error` or 503 text/plain `no healthy upstream` (default: 503 and 500 alternately,
 * 503 first); `rateLimitRate` 429 `{"message":"Too Many Requests"}`; `malformedRate` 200 with a
 * truncated, unparseable JSON body.
 */
export type Faults = KitFaults<500 | 503>;

export interface RateLimitOptions {
  perSecond: number;
  /**
   * Answer throttled requests with the legacy 403 instead of 429
   * (docs/splunk-oncall.md#rate-limits-and-throttling).
   */
  legacy403?: boolean;
  /** Add `Retry-After: 1` to throttled responses (the real service is not known to send it). */
  sendRetryAfter?: boolean;
}

/**
 * How the simulator answers where the real service's answer is not known (docs/splunk-oncall.md,
 * "Unknown without a live account"): one switch per open question, so Klaxon can be tested under every
 * plausible answer. Set at start (`SimulatorOptions`), or later with `control.setSwitches` or
 * `POST /_sim/switches`.
 */
export interface Switches {
  /** `observed` (default): `oncallNow`/`onCalluser` as production clients read; `spec`: `onCallNow`/`onCallUser`. */
  oncallFieldStyle: 'observed' | 'spec';
  /** Whether a REST `WARNING` opens an incident (org setting); default true. */
  warningOpensIncident: boolean;
  /** HTTP status of a REST endpoint `result: failure` for a bad body; default 400. */
  restFailureStatus: 200 | 400;
  /** `insensitive` (default, current docs) or `sensitive` (a 2017 help page): how routing keys match. */
  routingKeyCase: RoutingKeyCase;
  /**
   * What a read-only API key gets for a write: `auth-failed` (default) 403 `{"error":"Authentication failed"}`,
   * the same as a wrong key; `read-only` 403 with a message naming the read-only key; `unauthorized` 401.
   */
  readOnlyRefusal: 'auth-failed' | 'read-only' | 'unauthorized';
  /** Which steps' rotations `oncall/current` lists for a policy: `first` (default) or `all`. */
  oncallCurrentSteps: OnCallSteps;
  /** `GET /api-public/v1/user`: `nested` (default) `users: [[…]]` as Splunk's Go client reads, or `flat` as the spec says. */
  userListV1: 'nested' | 'flat';
  /** `pagedUsers` once an incident is acknowledged or resolved: `empty` (default) or `kept` (who was being paged). */
  pagedUsersAfterAck: 'empty' | 'kept';
  /**
   * An acknowledgement of a multi-responder incident by someone it paged for none of its targets:
   * `ignored` (default: accepted, but the incident stays UNACKED) or `acks-all`.
   */
  multiResponderOutsiderAck: 'ignored' | 'acks-all';
  /** `pagedTeams` of an incident muted by maintenance mode: `empty` (default, nobody paged) or `routed`. */
  mutedPagedTeams: 'empty' | 'routed';
  /** Most maintenance modes active at once; one more answers 420. Default null: no limit. */
  maintenanceModeLimit: number | null;
}

export interface SimulatorOptions extends Partial<Switches> {
  host?: string;
  port?: number;
  seed?: SeedName;
  /** `realistic` (default): batphone, multi-step policies, multi-target keys; `tidy`: one policy per team (seed.ts). */
  org?: OrgProfile;
  /** REST alerts and manual incidents (`create-incident`) take effect only after this delay (eventual consistency). */
  consistencyDelayMs?: number;
  /** Token bucket per endpoint (method + normalised path) per API key; `false` turns it off. */
  rateLimit?: RateLimitOptions | false;
  /** Resolved incidents stay in `GET /incidents` this long (simulated clock). */
  resolvedRetentionMinutes?: number;
  webhook?: { url: string; headers?: Record<string, string> };
  faults?: Faults;
  log?: boolean;
  /** Rules Engine transformations applied to every REST alert before it is processed (rules.ts). */
  rules?: AlertRule[];
}

/**
 * A Rules Engine transformation (docs/splunk-oncall.md#what-real-organisations-add): when the alert
 * field `when.field` matches the wildcard `when.matches` (`*` = anything, whole value, case-sensitive),
 * set each field of `set`; `${{field}}` in a value is replaced by that field's value. Rules run in
 * order, each on the result of the one before, on REST alerts only.
 */
export interface AlertRule {
  when: { field: string; matches: string };
  set: Record<string, string>;
}

/** One active maintenance mode, as `GET /api-public/v1/maintenancemode` lists it. */
export interface WireMaintenanceMode {
  instanceId: string;
  isGlobal: boolean;
  /** Epoch milliseconds. */
  startedAt: number;
  startedBy: string;
  purpose: string;
  targets: { type: 'RoutingKeys'; names: string[] }[];
}

/** An answered request; the On-Call simulator logs no headers or query. */
export type RequestLogEntry = Omit<KitRequestLogEntry, 'from' | 'query' | 'headers'>;

export interface WebhookDelivery {
  at: string;
  url: string;
  payload: WebhookPayload;
  /** HTTP status, or 0 when the request failed. */
  status: number;
  error?: string;
}

/**
 * An "Any-Incident" outgoing-webhook template after substitution: every value is a string
 * (docs/splunk-oncall.md#outgoing-webhooks).
 */
export interface WebhookPayload {
  incident: string;
  phase: string;
  /** `${{STATE.CURRENT_ALERT_PHASE}}`: the same phase here. */
  alert_phase: string;
  entity_id: string;
  title: string;
  ack_user: string;
  alert_count: string;
  routing_key: string;
  /** The first team paged (empty when none). */
  team: string;
  /** Epoch milliseconds of the incident's start, as a string. */
  started_at: string;
  /** Increases with every webhook this simulator sends, as a string. */
  sequence: string;
  /** Epoch milliseconds of the change, as a string. */
  ts: string;
}

export interface SimulatorControl {
  /** Fresh incidents (and a fresh org: `org` picks the profile, default the current one). */
  reset(seed?: SeedName, org?: OrgProfile): void;
  setFaults(f: Faults): void;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  incidents(): WireIncident[];
  ack(incidentNumber: string, userName: string, message?: string): void;
  resolve(incidentNumber: string, userName: string): void;
  createIncident(a: { title: string; routingKey?: string; entityId?: string }): string;
  advance(ms: number): void;
  freeze(): void;
  unfreeze(): void;
  // More operations, for tests that need them:
  /** Current simulated time (epoch ms). */
  now(): number;
  setConsistencyDelay(ms: number): void;
  setRateLimit(r: RateLimitOptions | false): void;
  setWebhook(w: { url: string; headers?: Record<string, string> } | null): void;
  webhookDeliveries(): WebhookDelivery[];
  /**
   * Replace who is on call now in a rotation group: a `rtg-…` slug, or a policy's slug for the first
   * rotation group it pages (usernames must exist).
   */
  setOnCall(slug: string, usernames: string[]): void;
  /** Apply every pending (eventually consistent) change now. */
  flushPending(): void;
  /** Change some switches; the others keep their values. Returns them all. */
  setSwitches(s: Partial<Switches>): Switches;
  /** Replace the Rules Engine transformations (an empty list turns it off). */
  setRules(rules: AlertRule[]): void;
  /** Start maintenance mode as a person in the On-Call app would; no routing keys = global. Returns its id. */
  startMaintenance(m?: { routingKeys?: string[]; purpose?: string; startedBy?: string }): string;
  /** End one maintenance mode: triggered incidents it muted start paging from their policies' first step. */
  endMaintenance(instanceId: string): void;
  maintenance(): WireMaintenanceMode[];
}

export interface RunningSimulator {
  url: string;
  apiId: string;
  apiKey: string;
  readOnlyApiKey: string;
  restEndpointKey: string;
  restEndpointBaseUrl: string;
  orgSlug: string;
  control: SimulatorControl;
  close(): Promise<void>;
}

export type Phase = 'UNACKED' | 'ACKED' | 'RESOLVED';

export interface PolicyRef {
  policy: { name: string; slug: string; _selfUrl?: string };
  team?: { name: string; slug: string };
}

export interface WireTransition {
  name: Phase;
  at: string;
  by?: string;
  message?: string;
  manually?: boolean;
  alertId?: string;
}

/** One incident exactly as `GET /api-public/v1/incidents` returns it (docs/splunk-oncall.md#the-incident-object). */
export interface WireIncident {
  incidentNumber: string;
  startTime: string;
  currentPhase: Phase;
  entityId: string;
  entityDisplayName: string;
  entityType: string;
  entityState: string;
  routingKey: string;
  alertCount: number;
  lastAlertTime: string;
  lastAlertId: string;
  firstAlertUuid: string;
  host: string;
  service: string;
  pagedTeams: string[];
  pagedUsers: string[];
  pagedPolicies: PolicyRef[];
  transitions: WireTransition[];
  monitorName: string;
  monitorType: string;
  incidentLink: string;
}
