import { pageEntityId, type Incident, type OnCallNow, type Page } from '#common/index.js';
import type { ServerConfig } from '../../config/index.js';
import type { Metrics } from '../../http/metrics.js';
import type { Clock } from '../../runtime/clock.js';
import type { Logger } from '../../runtime/logger.js';
import type { TimeSlicer } from '../../runtime/time-slice.js';
import type {
  AckOutcome,
  ActiveMute,
  IncidentUpdate,
  PolicyRef,
  RerouteOutcome,
  PagingBackend,
  Person,
  SendAlertOptions,
  SendAlertResult,
  TargetEscalation,
  WebhookCheck,
} from '../paging-backend.js';
import { UpstreamError } from '../upstream-error.js';
import { PagerDutyClient } from './client.js';
import { triggerEvent } from './events.js';
import { PagerDutyIncidents } from './incidents.js';
import { PagerDutyOrg, type PagerDutyTarget } from './org.js';
import { findPolicy, readWebhook, userExists } from './people-and-policies.js';
import { validPagerDutySignature } from './webhook-signature.js';

export interface PagerDutyOptions {
  client: PagerDutyClient;
  targets: readonly PagerDutyTarget[];
  /** `pagerduty.serviceIds`: only these services' incidents are listed; empty: every service. */
  serviceIds: readonly string[];
  recentWindowMinutes: number;
  /** `pagerduty.webhookSecrets`: the v3 subscription's secrets (several while one is rotated). */
  webhookSecrets: readonly string[];
  /** Where responders get back to Klaxon (`client_url` of each event); null: not known yet. */
  klaxonUrl: () => string | null;
  clock?: Clock;
}

/** What a refused update's error body means for the person acknowledging. */
function refusal(e: UpstreamError): AckOutcome | null {
  if (e.kind !== 'http' || e.status !== 400) return null;
  return { accepted: false, reason: e.opts.detail || 'PagerDuty gave no reason' };
}

/**
 * PagerDuty as Klaxon's paging backend (docs/pagerduty.md): pages through the Events API v2 (the
 * dedup key is the page's entity id), everything else through the REST API v2. People are matched to
 * PagerDuty users by e-mail, and act with PagerDuty's `From` header as that user.
 */
export class PagerDutyBackend implements PagingBackend {
  private readonly client: PagerDutyClient;
  private readonly incidents: PagerDutyIncidents;
  private readonly org: PagerDutyOrg;

  constructor(private readonly opts: PagerDutyOptions) {
    this.client = opts.client;
    const clock = opts.clock ? { clock: opts.clock } : {};
    this.org = new PagerDutyOrg({ client: opts.client, targets: opts.targets, ...clock });
    this.incidents = new PagerDutyIncidents({
      client: opts.client,
      serviceIds: opts.serviceIds,
      recentWindowMinutes: opts.recentWindowMinutes,
      routingKeyOf: (id) => this.org.routingKeyOf(id),
      ...clock,
    });
  }

  listIncidents(slicer?: TimeSlicer): Promise<Incident[]> {
    return this.incidents.list(slicer);
  }

  getIncident(number: string): Promise<Incident | null> {
    return this.incidents.get(number);
  }

  findPageIncident(page: Page): Promise<Incident | null> {
    return this.incidents.byDedupKey(pageEntityId(page.id));
  }

  sendAlert(page: Page, routingKey: string, opts: SendAlertOptions = {}): Promise<SendAlertResult> {
    return this.client.enqueue(triggerEvent(page, routingKey, this.opts.klaxonUrl()), opts);
  }

  accountOf(person: Person): string | null {
    return person.email;
  }

  /**
   * `PUT /incidents/{id}` with `From: <userName>` (an e-mail). PagerDuty takes no message with an
   * acknowledgement; who acknowledged through Klaxon is kept by Klaxon. UpstreamError `not_found`: no
   * PagerDuty user has that e-mail (PagerDuty's 400 "Requester User Not Found", code 1008).
   */
  async acknowledge(userName: string, incidentNumber: string): Promise<AckOutcome> {
    return this.update(userName, incidentNumber, { status: 'acknowledged' });
  }

  /** Moves an open incident to `level` of its escalation policy (the next one when omitted), as `userName`. */
  async escalate(userName: string, incidentNumber: string, level?: number): Promise<AckOutcome> {
    let next = level;
    if (next === undefined) {
      const id = await this.idOf(incidentNumber);
      const body = await this.client.get('pd_incident', `/incidents/${encodeURIComponent(id)}`);
      const current = (body as { incident?: { escalation_level?: unknown } }).incident?.escalation_level;
      next = (typeof current === 'number' ? current : 1) + 1;
    }
    return this.update(userName, incidentNumber, { escalation_level: next });
  }

  /** Reassigns an open incident to another escalation policy (which then pages), as `userName`. */
  reroute(userName: string, incidentNumber: string, policyId: string): Promise<RerouteOutcome> {
    return this.update(userName, incidentNumber, {
      escalation_policy: { id: policyId, type: 'escalation_policy_reference' },
    });
  }

  private async update(from: string, incidentNumber: string, change: Record<string, unknown>): Promise<AckOutcome> {
    const id = await this.idOf(incidentNumber);
    try {
      await this.client.put(
        'pd_update',
        `/incidents/${encodeURIComponent(id)}`,
        { incident: { type: 'incident_reference', ...change } },
        from,
      );
      return { accepted: true, reason: null };
    } catch (e) {
      if (!(e instanceof UpstreamError)) throw e;
      // PagerDuty answers an unknown From user with 400 code 1008 (docs/pagerduty.md#acknowledging-with-from).
      if (e.status === 400 && /Requester User Not Found/i.test(e.opts.detail ?? ''))
        throw new UpstreamError('not_found', `PagerDuty has no user with the e-mail ${from}.`, 'pd_update', {
          status: 400,
          retryable: false,
          detail: e.opts.detail,
        });
      const refused = refusal(e);
      if (refused) return refused;
      throw e;
    }
  }

  private async idOf(incidentNumber: string): Promise<string> {
    let id = this.incidents.idOf(incidentNumber);
    if (!id) {
      await this.incidents.list();
      id = this.incidents.idOf(incidentNumber);
    }
    if (!id)
      throw new UpstreamError('http', `PagerDuty lists no incident #${incidentNumber}.`, 'pd_update', {
        status: 404,
        retryable: false,
      });
    return id;
  }

  onCallNow(): Promise<OnCallNow> {
    return this.org.onCallNow();
  }

  async knowsUser(email: string): Promise<boolean | null> {
    try {
      return (await this.org.users()).byEmail.has(email.toLowerCase());
    } catch {
      return null;
    }
  }

  /** Every user's display name by e-mail (the name Klaxon knows PagerDuty users by). */
  async userDisplayNames(): Promise<ReadonlyMap<string, string>> {
    const { byEmail } = await this.org.users();
    return new Map([...byEmail].map(([email, u]) => [email, u.name]));
  }

  /** Whether a PagerDuty user has this e-mail; null when PagerDuty cannot tell now. */
  userExists(email: string): Promise<boolean | null> {
    return userExists(this.org, email);
  }

  /** The escalation policy with this id; null when PagerDuty has none. */
  findPolicy(id: string): Promise<PolicyRef | null> {
    return findPolicy(this.org, id);
  }

  /** The incident state an authenticated v3 webhook delivery carries; null when none Klaxon can use. */
  readWebhook(body: unknown): IncidentUpdate | null {
    return readWebhook(body, (id) => this.org.routingKeyOf(id));
  }

  escalationFor(routingKey: string): Promise<TargetEscalation> {
    return this.org.escalationFor(routingKey);
  }

  activeMutes(): Promise<ActiveMute[]> {
    return this.org.activeMutes();
  }

  checkWebhook(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: Buffer): WebhookCheck {
    if (this.opts.webhookSecrets.length === 0)
      return { ok: false, off: true, message: 'PagerDuty webhooks are not enabled on this Klaxon server.' };
    const header = headers['x-pagerduty-signature'];
    if (validPagerDutySignature(rawBody, typeof header === 'string' ? header : undefined, this.opts.webhookSecrets))
      return { ok: true };
    return { ok: false, off: false, message: 'Missing or wrong X-PagerDuty-Signature header.' };
  }
}

/** The backend for the `pagerduty` block of the server configuration and the targets on PagerDuty. */
export function pagerDutyBackend(
  config: Pick<ServerConfig, 'pagerduty' | 'delivery' | 'targets' | 'publicUrl'>,
  deps: {
    metrics?: Pick<Metrics, 'upstreamCalls'>;
    logger?: Logger;
    clock?: Clock;
    klaxonUrl?: () => string | null;
  } = {},
): PagerDutyBackend {
  const pd = config.pagerduty!;
  const client = new PagerDutyClient({
    apiBaseUrl: pd.apiBaseUrl,
    eventsUrl: pd.eventsUrl,
    apiToken: pd.apiToken,
    timeoutMs: pd.timeoutMs,
    // The Events API is a different service from the REST API: it gets the delivery timeout.
    eventTimeoutMs: config.delivery.timeoutMs,
    restPerMinute: pd.restRequestsPerMinute,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  return new PagerDutyBackend({
    client,
    targets: config.targets.flatMap((t) =>
      t.backend === 'pagerduty' && t.service ? [{ routingKey: t.routingKey, serviceId: t.service }] : [],
    ),
    serviceIds: pd.serviceIds,
    recentWindowMinutes: pd.recentWindowMinutes,
    webhookSecrets: pd.webhookSecrets,
    klaxonUrl: deps.klaxonUrl ?? (() => config.publicUrl),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
}
