import type { EscalationOffer, Incident, IncidentBackend } from '#common/index.js';
import type { PagingService } from '../backends/paging-services.js';
import type { ServerConfig } from '../config/index.js';
import type { Metrics } from '../http/metrics.js';
import type { IncidentPresenter } from '../live/incident-presenter.js';
import type { IncidentsHub } from '../live/incidents-hub.js';
import type { Leadership } from '../cluster/leadership.js';
import type { ErrorReporter } from '../runtime/error-reports.js';
import type { Logger } from '../runtime/logger.js';
import type { EscalationRecord, KlaxonStore } from '../store/store.js';
import { EscalateNow } from './escalate-now.js';
import { EscalationTarget } from './escalation-target.js';
import { Escalator } from './escalator.js';
import { Rerouter } from './rerouter.js';

/** One paging service's escalations: its fallback policy and user (target) and its job. */
export interface ServiceEscalation {
  target: EscalationTarget;
  escalator: Escalator;
}

export interface Escalation {
  /** Per paging service of this server. */
  services: ReadonlyMap<IncidentBackend, ServiceEscalation>;
  escalateNow: EscalateNow;
  /**
   * What clients may offer ("Escalate now") for pages to each service, waiting at most `ms` for
   * the checks still in progress (just after start the policies are still being looked up).
   */
  offers(ms: number): Promise<Partial<Record<IncidentBackend, EscalationOffer>>>;
  /** Checks each service's policy and user, then starts its job (when an automatic escalation is on). */
  start(): void;
  stop(): Promise<void>;
}

/** A paging service as the escalations need it: its incidents and the presenter that shows them. */
export interface EscalationService {
  service: Pick<PagingService, 'id' | 'name' | 'backend' | 'escalation'>;
  /** This service's incidents only. */
  hub: Pick<IncidentsHub, 'snapshot' | 'allIncidents'>;
}

/**
 * Klaxon's escalations, wired: per paging service where to (target), the one sender (rerouter) and
 * the job, each service to its own fallback policy as its own user; "Escalate now" sends a page's
 * incident through the service the page went to.
 */
export function createEscalation(deps: {
  config: Pick<ServerConfig, 'escalation'>;
  services: readonly EscalationService[];
  store: KlaxonStore;
  /** Every incident by key, as the server shows it ("Escalate now" checks it is still unacknowledged). */
  hub: { findIncident(key: string): Incident | null };
  /** Shows escalations on incidents (each presenter knows its own service's keys). */
  presenters: readonly Pick<IncidentPresenter, 'noteEscalation' | 'escalationOf'>[];
  metrics: Metrics;
  logger: Logger;
  /** Where the escalator's unexpected failures are reported (runtime/error-reports.ts). */
  errorReports?: Pick<ErrorReporter, 'exception'>;
  /** Where the escalator runs and the fence of its writes (server/cluster/leadership.ts); default: one process, always. */
  leadership?: Pick<Leadership, 'runsHere' | 'fence' | 'stepDown'>;
  /** An escalation the paging service accepted (announced in chat: server/chat/announcer.ts). */
  onEscalated?: (record: EscalationRecord) => void;
}): Escalation {
  const e = deps.config.escalation;
  const services = new Map<IncidentBackend, ServiceEscalation & { rerouter: Rerouter; name: string }>();
  // Every job hears of every claim, so an incident "Escalate now" claimed is left alone by the job.
  const noteRecord = (record: EscalationRecord) => {
    for (const p of deps.presenters) p.noteEscalation(record);
    for (const s of services.values()) s.escalator.noteEscalated(record);
    if (record.status === 'done') deps.onEscalated?.(record);
  };
  for (const { service, hub } of deps.services) {
    const id = { id: service.id, name: service.name };
    const target = new EscalationTarget({
      config: e,
      settings: service.escalation,
      service: id,
      backend: service.backend,
      metrics: deps.metrics,
      logger: deps.logger,
    });
    const rerouter = new Rerouter({
      store: deps.store,
      backend: service.backend,
      service: id,
      metrics: deps.metrics,
      logger: deps.logger,
      onRecord: noteRecord,
      onTrouble: () => void target.check(),
    });
    const escalator = new Escalator({
      config: {
        dryRun: e.dryRun,
        unpaged: { ...e.unpaged, teams: service.escalation.unpagedTeams },
        pageUnackedMinutes: e.pageUnackedMinutes,
      },
      service: id,
      hub,
      store: deps.store,
      target,
      rerouter,
      metrics: deps.metrics,
      logger: deps.logger,
      ...(deps.errorReports ? { errorReports: deps.errorReports } : {}),
      ...(deps.leadership ? { leadership: deps.leadership } : {}),
    });
    services.set(service.id, { target, escalator, rerouter, name: service.name });
  }
  const escalateNow = new EscalateNow({
    config: e,
    store: deps.store,
    hub: deps.hub,
    serviceOf: (backend) => services.get(backend) ?? null,
    escalationOf: (key) => {
      for (const p of deps.presenters) {
        const r = p.escalationOf(key);
        if (r) return r;
      }
      return null;
    },
  });
  return {
    services,
    escalateNow,
    async offers(ms) {
      await Promise.all([...services.values()].map((s) => s.target.settled(ms)));
      const out: Partial<Record<IncidentBackend, EscalationOffer>> = {};
      for (const [id, s] of services) {
        const offer = s.target.offer();
        if (offer) out[id] = offer;
      }
      return out;
    },
    start() {
      for (const s of services.values()) {
        if (s.target.state().kind === 'off') continue;
        void s.target.check().finally(() => s.escalator.start());
      }
    },
    async stop() {
      await Promise.all([...services.values()].map((s) => s.escalator.stop()));
    },
  };
}
