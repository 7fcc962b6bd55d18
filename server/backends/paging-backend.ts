import type { EscalationPlan, Incident, IncidentPhase, OnCallNow, Page } from '#common/index.js';
import type { TimeSlicer } from '../runtime/time-slice.js';

/**
 * What sending a page's alert came to; `retryable` tells delivery whether another attempt may succeed.
 * `notSentUntil`: nothing was sent, because the service's rate limit had no slot before the attempt's
 * `sendBy`; the queue frees up then (epoch ms). Such an attempt did not reach the service.
 */
export type SendAlertResult =
  | { ok: true; entityId: string }
  | { ok: false; retryable: boolean; error: string; status?: number; notSentUntil?: number };

/** Options of one attempt to send a page's alert. */
export interface SendAlertOptions {
  /**
   * The latest time (epoch ms) the alert may go out: after it, the attempt's delivery lease could run
   * out before the answer is recorded, and another attempt could send the page again. A backend
   * that would have to wait for a rate-limit slot beyond it sends nothing (`notSentUntil`).
   */
  sendBy?: number;
}

/** What the service said to an acknowledgement. */
export interface AckOutcome {
  accepted: boolean;
  /** The service's reason when it did not accept; null when it gave none. */
  reason: string | null;
}

/** What the service said to a request to send an incident on to an escalation policy. */
export interface RerouteOutcome {
  accepted: boolean;
  /** The service's reason when it did not accept; null when it gave none. */
  reason: string | null;
}

/** An escalation policy, as the service names it. */
export interface PolicyRef {
  id: string;
  name: string;
}

/**
 * An incident's state as the service's webhook reported it. The incidents hub applies it at once
 * (forward only) and the next poll confirms it.
 */
export interface IncidentUpdate {
  number: string;
  phase: IncidentPhase;
  /** When the change happened by the service's clock (epoch ms); null when the webhook does not say. */
  at: number | null;
  /** The service's sequence number for the change, when it sends one: a higher number is newer. */
  sequence: number | null;
  /** The incident as far as the webhook tells (`provisional`: paged users and teams are not known). */
  incident: Incident;
}

/**
 * What the service says about one target (the routing key a page is sent to) and whom a page to it
 * wakes. Vendor-neutral: PagerDuty's integration key → service → escalation policy fits the same shape.
 */
export interface TargetEscalation {
  /**
   * `exact`: the service knows the key as written; `case_only`: only in another letter case (whether
   * that still routes is the service's business, and may be undocumented); `unknown`: it does not know
   * it, and pages to it go to the service's default route (`policies` are then that route's).
   */
  match: 'exact' | 'case_only' | 'unknown';
  /** The key as the service spells it, or the default route's key for `unknown`; null when there is none. */
  routesAs: string | null;
  /** The escalation policies a page starts, each with who its steps page now, in order of time. */
  policies: EscalationPlan[];
}

/** Paging muted now (maintenance mode, a maintenance window): for everything, or for some routing keys. */
export interface ActiveMute {
  scope: 'everything' | 'routing_keys';
  /** The routing keys muted (empty for `everything`), spelt as the service lists them. */
  routingKeys: string[];
  since: string | null;
  by: string | null;
  purpose: string | null;
}

/** Who a request comes from, as far as a paging service can know them. */
export interface Person {
  username: string | null;
  email: string | null;
}

/** What a webhook delivery came to: `off` (this service's webhooks are not configured), `refused` (not authentic). */
export type WebhookCheck = { ok: true } | { ok: false; off: boolean; message: string };

/**
 * A paging service Klaxon works with: Splunk On-Call (`splunk-oncall/`) and PagerDuty (`pagerduty/`),
 * each in its own folder; one server may use both (`paging-services.ts`). Everything outside
 * `server/backends/` talks to a service through this interface only. Calls fail with an UpstreamError
 * (`upstream-error.ts`), whose message a person can act on; `sendAlert` answers with a result instead,
 * because delivery decides what to do next. Each backend keeps to its service's rate limits itself.
 */
export interface PagingBackend {
  /**
   * Every incident the service lists now (open, acknowledged, recently resolved), normalised to
   * the contract's `Incident`. An incident that did not change since the last call comes back as
   * the same object, so callers can tell "unchanged" cheaply. Long lists yield to the event loop
   * through `slicer`.
   */
  listIncidents(slicer?: TimeSlicer): Promise<Incident[]>;
  /** One incident, listed or not; null when the service does not know the number. */
  getIncident(number: string): Promise<Incident | null>;
  /**
   * The incident a page opened (its entity id is `pageEntityId(page.id)`), listed or not; the newest
   * when a page was sent again after its first incident was resolved; null when there is none.
   */
  findPageIncident(page: Page): Promise<Incident | null>;
  /**
   * Sends a page's alert to the service. Idempotent: sending the same page again adds to the
   * incident the first attempt opened (its `entityId` is `pageEntityId(page.id)`), never a second one.
   * Never sends after `opts.sendBy`.
   */
  sendAlert(page: Page, routingKey: string, opts?: SendAlertOptions): Promise<SendAlertResult>;
  /**
   * The name this service may know a person by, for `knowsUser` and `acknowledge`: On-Call's username,
   * PagerDuty's user e-mail. Null when the person has none.
   */
  accountOf(person: Person): string | null;
  /** Acknowledges an incident as `userName`. UpstreamError `not_found`: the service does not know that user. */
  acknowledge(userName: string, incidentNumber: string, message: string): Promise<AckOutcome>;
  /** Who is on call now; cached by the backend, marked `stale` while the service fails. */
  onCallNow(): Promise<OnCallNow>;
  /** Whether the service has a user with this name; null when it cannot tell right now. */
  knowsUser(username: string): Promise<boolean | null>;
  /**
   * Who a page to `routingKey` wakes at once and later if nobody acknowledges, per escalation policy,
   * and whether the service knows the key at all (the target check is built on it). Cached: policies
   * change rarely, who is on call is asked again every minute. Throws an UpstreamError when the service
   * cannot tell; callers then fall back to the team-wide view, labelled as uncertain.
   */
  escalationFor(routingKey: string): Promise<TargetEscalation>;
  /** Paging muted now, one entry per active mute. Cached for seconds. Throws an UpstreamError when it cannot tell. */
  activeMutes(): Promise<ActiveMute[]>;
  /** Whether a webhook delivery (its headers and raw body) comes from the service; checked before it is used. */
  checkWebhook(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: Buffer): WebhookCheck;
  /**
   * Every user's display name by username. Cached (one request per several minutes, within the rate
   * limit); the last answer is served while the service fails; empty until the first answer.
   */
  userDisplayNames(): Promise<ReadonlyMap<string, string>>;
  /** Whether any user (people and service users alike) has this name; null when the service cannot tell now. */
  userExists(username: string): Promise<boolean | null>;
  /** The escalation policy with this id; null when the service has none. UpstreamError when it cannot tell. */
  findPolicy(id: string): Promise<PolicyRef | null>;
  /**
   * Sends an open incident on to an escalation policy (which then pages), as `userName`. A write:
   * never retried here. UpstreamError `not_found`: the service does not know that user.
   */
  reroute(userName: string, incidentNumber: string, policyId: string): Promise<RerouteOutcome>;
  /**
   * The incident state carried by the body of the service's webhook (already authenticated); null
   * when it carries none Klaxon can use (the call is then only a reason to poll at once).
   */
  readWebhook(body: unknown): IncidentUpdate | null;
}
