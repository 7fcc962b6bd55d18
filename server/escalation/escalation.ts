import type { PagingBackend } from '../backends/paging-backend.js';
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

export interface Escalation {
  target: EscalationTarget;
  escalator: Escalator;
  escalateNow: EscalateNow;
  /** Checks the policy and user, then starts the job (when an automatic escalation is on). */
  start(): void;
  stop(): Promise<void>;
}

/** Klaxon's escalations, wired: where to (target), the one sender (rerouter), the job and "Escalate now". */
export function createEscalation(deps: {
  config: Pick<ServerConfig, 'escalation' | 'oncall'>;
  store: KlaxonStore;
  backend: PagingBackend;
  hub: Pick<IncidentsHub, 'snapshot' | 'allIncidents' | 'findIncident'>;
  presenter: IncidentPresenter;
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
  const target = new EscalationTarget({ config: e, backend: deps.backend, metrics: deps.metrics, logger: deps.logger });
  const rerouter = new Rerouter({
    store: deps.store,
    backend: deps.backend,
    metrics: deps.metrics,
    logger: deps.logger,
    onRecord(record) {
      deps.presenter.noteEscalation(record);
      escalator.noteEscalated(record);
      if (record.status === 'done') deps.onEscalated?.(record);
    },
    onTrouble: () => void target.check(),
  });
  const escalator = new Escalator({
    config: {
      dryRun: e.dryRun,
      unpaged: { ...e.unpaged, teams: e.unpaged.teams.length > 0 ? e.unpaged.teams : deps.config.oncall.teams },
      pageUnackedMinutes: e.pageUnackedMinutes,
    },
    hub: deps.hub,
    store: deps.store,
    target,
    rerouter,
    metrics: deps.metrics,
    logger: deps.logger,
    ...(deps.errorReports ? { errorReports: deps.errorReports } : {}),
    ...(deps.leadership ? { leadership: deps.leadership } : {}),
  });
  const escalateNow = new EscalateNow({
    config: e,
    store: deps.store,
    hub: deps.hub,
    target,
    rerouter,
    escalationOf: (n) => deps.presenter.escalationOf(n),
  });
  return {
    target,
    escalator,
    escalateNow,
    start() {
      if (target.state().kind === 'off') return;
      void target.check().finally(() => escalator.start());
    },
    stop: () => escalator.stop(),
  };
}
