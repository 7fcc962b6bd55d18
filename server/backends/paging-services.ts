import {
  parseIncidentKey,
  serviceName,
  type Incident,
  type IncidentBackend,
  type OnCallNow,
  type Page,
} from '#common/index.js';
import type { ServerConfig, TargetConfig } from '../config/index.js';
import type { Metrics } from '../http/metrics.js';
import type { Logger } from '../runtime/logger.js';
import type { PagingBackend, SendAlertOptions, SendAlertResult } from './paging-backend.js';
import { pagerDutyBackend } from './pagerduty/backend.js';
import { splunkOnCallBackend } from './splunk-oncall/backend.js';

/** One paging service this server uses, with what the rest of the server needs to know about it. */
export interface PagingService {
  id: IncidentBackend;
  /** How people name it ("On-Call", "PagerDuty"). */
  name: string;
  backend: PagingBackend;
  /** Its incident poll: one poller per service. */
  poll: { pollIntervalSeconds: number; recentWindowMinutes: number; teams: readonly string[] };
  /** The service's user that acknowledges for people it does not know, and the key that sets it. */
  serviceUser: string | null;
  serviceUserKey: string;
  /** Where Klaxon escalates this service's incidents (server/escalation/), and the keys that set it. */
  escalation: EscalationSettings;
  /** Whether a configured target pages through this service. */
  owns(target: TargetConfig): boolean;
}

/** A service's fallback escalation policy and user (both null: its incidents are never escalated). */
export interface EscalationSettings {
  policy: string | null;
  asUser: string | null;
  policyKey: string;
  asUserKey: string;
  /** The teams escalate-unpaged watches (empty: every incident Klaxon lists for this service). */
  unpagedTeams: readonly string[];
}

/** The calls delivery and page tracking make, each sent to the service the page or incident lives on. */
export type PagingRouter = Pick<PagingBackend, 'sendAlert' | 'getIncident' | 'findPageIncident'>;

/**
 * The paging services of one server (On-Call, PagerDuty, or both), chosen from its configuration:
 * the `oncall` block when a target pages On-Call (or PagerDuty is not configured), the `pagerduty`
 * block when present. Incidents and pages say which service they live on (`backend`); this is where
 * that is turned back into a backend.
 */
export class PagingServices {
  constructor(readonly all: readonly PagingService[]) {
    if (all.length === 0) throw new Error('a Klaxon server needs at least one paging service');
  }

  get(id: IncidentBackend | undefined): PagingService | null {
    return this.all.find((s) => s.id === (id ?? 'oncall')) ?? null;
  }

  /**
   * The service and number an incident key names. A bare number is On-Call's, as before PagerDuty; on
   * a server without On-Call it is the only service's. Null when no configured service has it.
   */
  resolve(key: string): { service: PagingService; number: string } | null {
    const parsed = parseIncidentKey(key);
    if (!parsed) return null;
    const service =
      parsed.backend === null
        ? (this.get('oncall') ?? (this.all.length === 1 ? this.all[0]! : null))
        : this.get(parsed.backend);
    return service ? { service, number: parsed.number } : null;
  }

  /** Sends delivery's and tracking's calls to the page's or incident's own service. */
  readonly router: PagingRouter = {
    sendAlert: (page: Page, routingKey: string, opts?: SendAlertOptions): Promise<SendAlertResult> =>
      this.forPage(page).sendAlert(page, routingKey, opts),
    findPageIncident: (page: Page): Promise<Incident | null> => this.forPage(page).findPageIncident(page),
    getIncident: async (key: string): Promise<Incident | null> => {
      const found = this.resolve(key);
      return found ? found.service.backend.getIncident(found.number) : null;
    },
  };

  /**
   * Who is on call now across the services: their teams side by side. A service that cannot tell
   * leaves its teams out and marks the answer stale; only when none can is it an error.
   */
  async onCallNow(): Promise<OnCallNow> {
    const answers = await Promise.allSettled(this.all.map((s) => s.backend.onCallNow()));
    const got = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    if (got.length === 0) throw (answers[0] as PromiseRejectedResult).reason;
    if (this.all.length === 1) return got[0]!;
    const times = got.map((o) => o.fetchedAt);
    return {
      teams: got.flatMap((o) => o.teams),
      fetchedAt: times.includes(null) ? null : times.sort()[0]!,
      stale: got.length < answers.length || got.some((o) => o.stale),
    };
  }

  private forPage(page: Page): PagingBackend {
    const service = this.get(page.backend);
    if (!service)
      throw new Error(
        `This page goes to ${serviceName(page.backend)}, which this Klaxon server is no longer configured for.`,
      );
    return service.backend;
  }
}

/**
 * The services the configuration describes. `backends` replaces a service's backend (tests inject
 * fakes); an On-Call backend given alone stands for On-Call whatever the configuration says.
 */
export function createPagingServices(
  config: ServerConfig,
  deps: {
    metrics: Pick<Metrics, 'upstreamCalls'>;
    logger: Logger;
    klaxonUrl: () => string | null;
    backends?: Partial<Record<IncidentBackend, PagingBackend>>;
  },
): PagingServices {
  const services: PagingService[] = [];
  const injected = deps.backends ?? {};
  if (injected.oncall || config.targets.some((t) => t.backend === 'oncall') || !config.pagerduty)
    services.push({
      id: 'oncall',
      name: serviceName('oncall'),
      backend: injected.oncall ?? splunkOnCallBackend(config, deps),
      poll: config.oncall,
      serviceUser: config.oncall.ackAsUser,
      serviceUserKey: 'oncall.ackAsUser',
      escalation: {
        policy: config.escalation.policy,
        asUser: config.escalation.asUser,
        policyKey: 'escalation.policy',
        asUserKey: 'escalation.asUser',
        unpagedTeams:
          config.escalation.unpaged.teams.length > 0 ? config.escalation.unpaged.teams : config.oncall.teams,
      },
      owns: (t) => t.backend === 'oncall',
    });
  if (config.pagerduty || injected.pagerduty) {
    const pd = config.pagerduty;
    services.push({
      id: 'pagerduty',
      name: serviceName('pagerduty'),
      backend: injected.pagerduty ?? pagerDutyBackend(config, deps),
      poll: {
        pollIntervalSeconds: pd?.pollIntervalSeconds ?? 10,
        recentWindowMinutes: pd?.recentWindowMinutes ?? 60,
        teams: [],
      },
      serviceUser: pd?.fromEmail ?? null,
      serviceUserKey: 'pagerduty.fromEmail',
      escalation: {
        policy: pd?.escalation.policy ?? null,
        // The acknowledging service user serves for escalations too unless another is named.
        asUser: pd ? (pd.escalation.asUser ?? pd.fromEmail) : null,
        policyKey: 'pagerduty.escalation.policy',
        asUserKey: pd?.escalation.asUser ? 'pagerduty.escalation.asUser' : 'pagerduty.fromEmail',
        unpagedTeams: [],
      },
      owns: (t) => t.backend === 'pagerduty',
    });
  }
  return new PagingServices(services);
}
