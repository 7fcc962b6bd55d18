import { createHash, timingSafeEqual } from 'node:crypto';
import { pageEntityId, type Incident, type OnCallNow, type Page } from '#common/index.js';
import type { Metrics } from '../../http/metrics.js';
import { type Clock, systemClock } from '../../runtime/clock.js';
import type { Logger } from '../../runtime/logger.js';
import type { TimeSlicer } from '../../runtime/time-slice.js';
import type { ServerConfig } from '../../config/index.js';
import type {
  AckOutcome,
  ActiveMute,
  IncidentUpdate,
  PagingBackend,
  Person,
  PolicyRef,
  RerouteOutcome,
  SendAlertResult,
  TargetEscalation,
  WebhookCheck,
} from '../paging-backend.js';
import { alertBody } from './alert.js';
import { type EscalationApi, EscalationLookup } from './escalation.js';
import { OnCallClient } from './client.js';
import { IncidentCache } from './incident-cache.js';
import { OnCallNowService } from './on-call-now.js';
import { UserDirectory } from './user-directory.js';
import { readWebhookPayload } from './webhook-payload.js';

/** The parts of On-Call's API the backend uses (OnCallClient; tests script their own). */
export type OnCallApi = Pick<
  OnCallClient,
  | 'listIncidents'
  | 'getIncident'
  | 'ackIncidents'
  | 'sendAlert'
  | 'oncallCurrent'
  | 'teams'
  | 'teamMembers'
  | 'reroute'
  | 'userNames'
  | 'userExists'
> &
  EscalationApi;

export interface SplunkOnCallOptions {
  client: OnCallApi;
  config: {
    /** On-Call's organisation slug, for links to incidents when On-Call sends none. */
    orgSlug: string | null;
    /** Team slugs whose on-call people are shown; empty = every team. */
    teams: readonly string[];
    /** On-Call username → IANA zone (On-Call's API has no time zones). */
    timeZones: Readonly<Record<string, string>>;
    /** The outgoing webhook's shared secret (`oncall.webhookSecret`); null or absent: webhooks off. */
    webhookSecret?: string | null;
  };
  clock?: Clock;
  logger?: Logger;
}

/** Splunk On-Call (formerly VictorOps) as Klaxon's paging backend: its public API and its REST endpoint. */
export class SplunkOnCallBackend implements PagingBackend {
  private readonly client: OnCallApi;
  private readonly incidents: IncidentCache;
  private readonly onCall: OnCallNowService;
  private readonly escalation: EscalationLookup;
  private readonly webhookSecret: string | null;
  private readonly users: UserDirectory;
  private readonly orgSlug: string | null;
  private readonly clock: Clock;

  constructor(opts: SplunkOnCallOptions) {
    this.webhookSecret = opts.config.webhookSecret ?? null;
    this.client = opts.client;
    this.orgSlug = opts.config.orgSlug;
    this.clock = opts.clock ?? systemClock;
    const common = { ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.logger ? { logger: opts.logger } : {}) };
    this.incidents = new IncidentCache({ client: opts.client, orgSlug: opts.config.orgSlug, ...common });
    // The one list of display names (users v2, cached): who is woken, who is on call, who acknowledged.
    this.users = new UserDirectory({ client: opts.client, ...common });
    const displayNames = () => this.users.displayNames();
    this.escalation = new EscalationLookup({
      client: opts.client,
      timeZones: opts.config.timeZones,
      displayNames,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.onCall = new OnCallNowService({ client: opts.client, config: opts.config, displayNames, ...common });
  }

  async listIncidents(slicer?: TimeSlicer): Promise<Incident[]> {
    return this.incidents.normaliseList(await this.client.listIncidents(slicer), slicer);
  }

  async getIncident(number: string): Promise<Incident | null> {
    const wire = await this.client.getIncident(number);
    return wire ? this.incidents.normaliseOne(wire) : null;
  }

  /** On-Call cannot filter by entity id: the incident list it keeps (open and recently resolved) is searched. */
  async findPageIncident(page: Page): Promise<Incident | null> {
    const entityId = pageEntityId(page.id);
    const mine = (await this.listIncidents()).filter((i) => i.entityId === entityId);
    mine.sort((a, b) => Number(b.number) - Number(a.number));
    return mine[0] ?? null;
  }

  accountOf(person: Person): string | null {
    return person.username;
  }

  sendAlert(page: Page, routingKey: string): Promise<SendAlertResult> {
    return this.client.sendAlert(routingKey, alertBody(page));
  }

  async acknowledge(userName: string, incidentNumber: string, message: string): Promise<AckOutcome> {
    const results = await this.client.ackIncidents(userName, [incidentNumber], message);
    const r = results.find((x) => x.incidentNumber === incidentNumber) ?? results[0];
    return { accepted: r?.cmdAccepted ?? false, reason: r?.message || null };
  }

  onCallNow(): Promise<OnCallNow> {
    return this.onCall.get();
  }

  knowsUser(username: string): Promise<boolean | null> {
    return this.onCall.isOnCallUser(username);
  }

  escalationFor(routingKey: string): Promise<TargetEscalation> {
    return this.escalation.escalationFor(routingKey);
  }

  activeMutes(): Promise<ActiveMute[]> {
    return this.escalation.activeMutes();
  }

  userDisplayNames(): Promise<ReadonlyMap<string, string>> {
    return this.users.displayNames();
  }

  async userExists(username: string): Promise<boolean | null> {
    try {
      return await this.client.userExists(username);
    } catch {
      return null;
    }
  }

  async findPolicy(id: string): Promise<PolicyRef | null> {
    const policy = await this.client.policy(id);
    return policy ? { id: policy.slug, name: policy.name } : null;
  }

  async reroute(userName: string, incidentNumber: string, policyId: string): Promise<RerouteOutcome> {
    const statuses = await this.client.reroute(userName, incidentNumber, policyId);
    const s = statuses.find((x) => x.incidentNumber === incidentNumber) ?? statuses[0];
    if (!s) return { accepted: false, reason: 'On-Call gave no answer for the incident.' };
    const target = s.targets.find((t) => !t.success);
    return {
      accepted: s.success,
      reason: s.success ? null : s.message || (target ? `${target.slug}: ${target.message}` : null),
    };
  }

  readWebhook(body: unknown): IncidentUpdate | null {
    return readWebhookPayload(body, { orgSlug: this.orgSlug, now: () => this.clock.now() });
  }

  /** On-Call's outgoing webhook carries the shared secret in a header of our choosing. */
  checkWebhook(headers: Readonly<Record<string, string | string[] | undefined>>): WebhookCheck {
    if (!this.webhookSecret)
      return { ok: false, off: true, message: 'On-Call webhooks are not enabled on this Klaxon server.' };
    const given = headers[WEBHOOK_SECRET_HEADER];
    if (typeof given === 'string' && sameSecret(given, this.webhookSecret)) return { ok: true };
    return { ok: false, off: false, message: `Missing or wrong ${WEBHOOK_SECRET_HEADER} header.` };
  }
}

const WEBHOOK_SECRET_HEADER = 'x-klaxon-webhook-secret';

/** Constant-time comparison that does not leak the secret's length either. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The backend for the `oncall` block of the server configuration. */
export function splunkOnCallBackend(
  config: Pick<ServerConfig, 'oncall' | 'delivery'>,
  deps: { metrics?: Pick<Metrics, 'upstreamCalls'>; logger?: Logger; clock?: Clock } = {},
): SplunkOnCallBackend {
  const { oncall } = config;
  const client = new OnCallClient({
    apiBaseUrl: oncall.apiBaseUrl,
    apiId: oncall.apiId,
    apiKey: oncall.apiKey,
    restEndpointBaseUrl: oncall.restEndpointBaseUrl,
    restEndpointKey: oncall.restEndpointKey,
    timeoutMs: oncall.timeoutMs,
    // The REST endpoint is a different service from the public API: it gets the delivery timeout.
    alertTimeoutMs: config.delivery.timeoutMs,
    ...deps,
  });
  return new SplunkOnCallBackend({
    client,
    config: {
      orgSlug: oncall.orgSlug || null,
      teams: oncall.teams,
      timeZones: oncall.timeZones,
      webhookSecret: oncall.webhookSecret,
    },
    ...deps,
  });
}
