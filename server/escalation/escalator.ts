import type { IncidentBackend, Page } from '#common/index.js';
import { FencedOut, SoloLeadership, type LeaderFence, type Leadership } from '../cluster/leadership.js';
import type { Metrics } from '../http/metrics.js';
import type { IncidentsHub } from '../live/incidents-hub.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import type { ErrorReporter } from '../runtime/error-reports.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import type { EscalationRecord, KlaxonStore } from '../store/store.js';
import { decideEscalations, observeNobodyPaged, type EscalationDecision } from './decide.js';
import type { EscalationTarget } from './escalation-target.js';
import type { Rerouter } from './rerouter.js';

export interface EscalatorConfig {
  dryRun: boolean;
  unpaged: { enabled: boolean; teams: readonly string[]; intervalSeconds: number; graceSeconds: number };
  pageUnackedMinutes: number | null;
}

/**
 * The automatic escalations of one paging service's incidents, as one singleton job per service (as
 * Wikimedia's escalate_unpaged runs every 15 s): its incidents unacknowledged with nobody being paged
 * for longer than a grace period, and Klaxon's own pages to it unacknowledged for too long, are sent on
 * to the service's fallback policy (rerouter.ts). It acts only
 * where `leadership.runsHere()`, only on fresh data (a poll no older than two poll intervals), never
 * twice for one incident (the store remembers across restarts and replicas), and not at all while
 * its user or policy is missing. In dry-run it logs and audits what it would do, once per incident.
 */
export class Escalator {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly leadership: Pick<Leadership, 'runsHere' | 'fence' | 'stepDown'>;
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private started = false;
  private closed = false;
  private nobodyPagedSince = new Map<string, number>();
  /** Incidents escalated before (from the store at start, then as this job and "Escalate now" claim them). */
  private readonly escalated = new Set<string>();
  private readonly dryRunReported = new Set<string>();
  private wasStale = false;

  constructor(
    private readonly deps: {
      config: EscalatorConfig;
      /** The service whose incidents and pages this job escalates. */
      service: { id: IncidentBackend; name: string };
      /** That service's incidents only (its fresh poll: `snapshot`, everything it listed: `allIncidents`). */
      hub: Pick<IncidentsHub, 'snapshot' | 'allIncidents'>;
      store: Pick<KlaxonStore, 'escalationsSince' | 'unfinishedPageIds' | 'getPage' | 'appendAudit'>;
      target: Pick<EscalationTarget, 'state' | 'check'>;
      rerouter: Pick<Rerouter, 'escalate'>;
      /** Where it runs (runsHere) and the fence its claims and settlements carry (server/cluster/leadership.ts). */
      leadership?: Pick<Leadership, 'runsHere' | 'fence' | 'stepDown'>;
      /** Unexpected failures of a run (runtime/error-reports.ts). */
      errorReports?: Pick<ErrorReporter, 'exception'>;
      metrics?: Pick<Metrics, 'escalatorSkips' | 'escalations'> | null;
      clock?: Clock;
      logger?: Logger;
    },
  ) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? silentLogger;
    this.leadership = deps.leadership ?? new SoloLeadership();
  }

  /** Whether any automatic escalation is switched on. */
  get enabled(): boolean {
    return this.deps.config.unpaged.enabled || this.deps.config.pageUnackedMinutes !== null;
  }

  /** Another part of the server claimed an escalation ("Escalate now"), by incident key: the job leaves that incident alone. */
  noteEscalated(record: EscalationRecord): void {
    this.escalated.add(record.incidentNumber);
  }

  start(): void {
    if (!this.enabled || this.started || this.closed) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One run now (the timer calls it; tests too). */
  runOnce(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.runOnce().finally(() => {
        if (!this.closed) this.schedule(this.deps.config.unpaged.intervalSeconds * 1000);
      });
    }, ms);
  }

  private loaded = false;

  private async run(): Promise<void> {
    try {
      if (!this.leadership.runsHere()) {
        this.skip('not_leader');
        return;
      }
      // The fence of the leadership this run decides under: once another replica is elected, its
      // claims and settlements are refused (FencedOut), so a stalled former leader cannot escalate.
      const fence = this.leadership.fence();
      let target = this.deps.target.state();
      if (target.kind === 'checking') target = await this.deps.target.check();
      if (target.kind !== 'ready') {
        this.skip('stopped');
        return;
      }
      if (!this.loaded) {
        for (const e of await this.deps.store.escalationsSince(new Date(0))) this.escalated.add(e.incidentNumber);
        this.loaded = true;
      }
      const decisions = await this.decide();
      for (const d of decisions) {
        // A failed escalation may have found the user or policy gone: then nothing more is sent.
        if (this.closed || this.deps.target.state().kind !== 'ready') return;
        await this.act(d, target, fence);
      }
    } catch (e) {
      if (e instanceof FencedOut) {
        this.leadership.stepDown(e.message);
        return;
      }
      this.log.warn({ err: (e as Error).message }, 'escalator run failed; it runs again at the next interval');
      this.deps.errorReports?.exception(e, { where: 'escalator' });
    }
  }

  private skip(reason: 'not_leader' | 'stopped' | 'stale'): void {
    this.deps.metrics?.escalatorSkips.inc({ service: this.deps.service.id, reason });
  }

  private async decide(): Promise<EscalationDecision[]> {
    const snapshot = this.deps.hub.snapshot();
    const fresh = !snapshot.stale && snapshot.fetchedAt !== null;
    const { config } = this.deps;
    if (!fresh) {
      this.skip('stale');
      if (!this.wasStale)
        this.log.warn(
          { ageSeconds: snapshot.ageSeconds },
          `escalator waits: ${this.deps.service.name} incident data is older than two poll intervals`,
        );
      this.wasStale = true;
      return [];
    }
    this.wasStale = false;
    const incidents = this.deps.hub.allIncidents();
    this.nobodyPagedSince = observeNobodyPaged(this.nobodyPagedSince, incidents, Date.parse(snapshot.fetchedAt!));
    const pending = config.pageUnackedMinutes === null ? [] : await this.pendingPages();
    return decideEscalations({
      incidents,
      fresh,
      now: this.clock.now(),
      nobodyPagedSince: this.nobodyPagedSince,
      escalated: (n) => this.escalated.has(n) || (config.dryRun && this.dryRunReported.has(n)),
      unpaged: {
        enabled: config.unpaged.enabled,
        teams: new Set(config.unpaged.teams),
        graceMs: config.unpaged.graceSeconds * 1000,
      },
      pages: config.pageUnackedMinutes === null ? null : { pending, afterMs: config.pageUnackedMinutes * 60_000 },
    });
  }

  /** Klaxon's delivered pages to this service still waiting for an acknowledgement. */
  private async pendingPages(): Promise<Page[]> {
    const pages: Page[] = [];
    for (const id of await this.deps.store.unfinishedPageIds()) {
      const rec = await this.deps.store.getPage(id);
      if (rec?.page.status !== 'delivered' || !rec.page.incidentNumber) continue;
      if ((rec.page.backend ?? 'oncall') === this.deps.service.id) pages.push(rec.page);
    }
    return pages;
  }

  private async act(
    d: EscalationDecision,
    target: { policy: { id: string; name: string }; asUser: string },
    fence: LeaderFence | null,
  ): Promise<void> {
    if (this.deps.config.dryRun) {
      this.dryRunReported.add(d.incidentNumber);
      this.log.info(
        {
          incident: d.incidentNumber,
          service: this.deps.service.id,
          reason: d.reason,
          policy: target.policy.id,
          dryRun: true,
        },
        `dry run: would escalate incident #${d.incidentNumber} to ${target.policy.name}`,
      );
      await this.deps.store.appendAudit({
        at: new Date(this.clock.now()),
        actorSub: null,
        actorName: null,
        action: 'escalation.dry_run',
        pageId: d.pageId,
        detail: { incident: d.incidentNumber, reason: d.reason, policy: target.policy.id, asUser: target.asUser },
      });
      this.deps.metrics?.escalations.inc({ service: this.deps.service.id, reason: d.reason, outcome: 'dry_run' });
      return;
    }
    this.escalated.add(d.incidentNumber);
    const outcome = await this.deps.rerouter
      .escalate(
        { incidentNumber: d.incidentNumber, reason: d.reason, pageId: d.pageId, afterMinutes: d.afterMinutes },
        target,
        fence,
      )
      .catch((e: unknown) => {
        // Fenced out before the claim: the new leader decides about this incident.
        if (e instanceof FencedOut) this.escalated.delete(d.incidentNumber);
        throw e;
      });
    // Nothing was processed: a later run may try again.
    if (outcome.kind === 'released') this.escalated.delete(d.incidentNumber);
    // A refusal may mean the user or policy is gone: check before the next escalation.
    if (outcome.kind === 'refused' || outcome.kind === 'failed') await this.deps.target.check();
  }
}
