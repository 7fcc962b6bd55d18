import type { TargetMuting, TargetReach } from '#common/index.js';
import type { ActiveMute, PagingBackend, TargetEscalation } from '../backends/paging-backend.js';
import { UpstreamError } from '../backends/upstream-error.js';
import type { TargetConfig } from '../config/index.js';
import type { Metrics } from '../http/metrics.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import type { ErrorReporter } from '../runtime/error-reports.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import { type FoundProblem, isSetupProblem, mutingFor, targetProblem } from './target-problems.js';

export interface TargetStatusDeps {
  backend: Pick<PagingBackend, 'escalationFor' | 'activeMutes'>;
  targets: readonly TargetConfig[];
  /** How often every target is checked again (`targetChecks.intervalSeconds`). */
  intervalMs: number;
  metrics?: Pick<Metrics, 'targetProblems' | 'targetMuted' | 'targetChecks'> | null;
  logger?: Logger;
  /** Checks that failed for another reason than the paging service (which `/readyz` and the metrics show). */
  errorReports?: Pick<ErrorReporter, 'exception'>;
  clock?: Clock;
  /** How long a dialog's look-up waits for the paging service before answering with what is known. */
  reachWaitMs?: number;
  /** Which of `targets` page through `backend` (the others belong to another service); default: all. */
  owns?: (target: TargetConfig) => boolean;
  /** How people name the paging service, in messages (default On-Call). */
  serviceName?: string;
}

/** The last check of one target. */
export interface TargetCheck {
  targetId: string;
  /** `targets.<i>.routingKey`: what an operator edits. */
  configKey: string;
  routingKey: string;
  checkedAt: string | null;
  escalation: TargetEscalation | null;
  problem: FoundProblem | null;
  /** Why the target could not be checked (the paging service failed); null when it was. */
  error: string | null;
}

/** What `/readyz` says about targets (detail only: a target problem does not make Klaxon unready). */
export interface TargetsReadiness {
  ok: boolean;
  checkedAt: string | null;
  problems: { target: string; kind: string; detail: string }[];
  unchecked: { target: string; error: string }[];
}

/** An error's message without its full stop, to sit in brackets inside another sentence. */
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\.$/, '');

/** The answer of `p`, or `fallback()` once `ms` have passed (`p` goes on, filling the caches). */
function within<T>(p: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(fallback()), ms);
    t.unref?.();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * The configured page targets as the paging service sees them: checked at start and every
 * `intervalMs` (does each routing key exist, and does it wake someone at once?), reported in the log,
 * on `/readyz` and in metrics, and told to the person opening the page dialog together with whom a
 * page wakes now and later and whether paging is muted (maintenance mode).
 */
export class TargetStatus {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly last = new Map<string, TargetCheck>();
  private mutes: { value: ActiveMute[]; at: number } | null = null;
  private mutesError: string | null = null;
  private timer: unknown = null;
  private running = false;
  private checking: Promise<TargetCheck[]> | null = null;
  /** The targets of this service (`targets.<i>` keys still count every configured target). */
  private readonly targets: readonly TargetConfig[];

  constructor(private readonly deps: TargetStatusDeps) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? silentLogger;
    const owns = deps.owns ?? (() => true);
    this.targets = deps.targets.filter(owns);
    deps.targets.forEach((t, i) => {
      if (!owns(t)) return;
      this.last.set(t.id, {
        targetId: t.id,
        configKey: `targets.${i}.routingKey`,
        routingKey: t.routingKey,
        checkedAt: null,
        escalation: null,
        problem: null,
        error: 'not checked yet',
      });
    });
  }

  /** Checks now (in the background), then every interval. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      void this.checkAll().finally(() => this.schedule(this.deps.intervalMs));
    }, ms);
  }

  /** Every target once (one at a time: the lookups share the paging service's rate limit). */
  checkAll(): Promise<TargetCheck[]> {
    this.checking ??= this.runChecks().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  /**
   * The start-time check for `targetChecks.atStart: refuse`: the first set-up problem, or null. A
   * paging service that cannot be asked refuses nothing (an outage must not keep Klaxon down, when
   * people most need its fallback contacts); it is logged and checked again on the interval.
   */
  async firstSetupProblem(waitMs = 30_000): Promise<FoundProblem | null> {
    const checks = await within(this.checkAll(), waitMs, () => {
      this.log.warn({ waitedMs: waitMs }, 'the page target check at start is taking too long; starting anyway');
      return this.checks();
    });
    return checks.map((c) => c.problem).find((p): p is FoundProblem => p !== null && isSetupProblem(p)) ?? null;
  }

  private async runChecks(): Promise<TargetCheck[]> {
    await this.refreshMutes().catch(() => undefined);
    for (const t of this.targets) {
      const before = this.last.get(t.id)!;
      let next: TargetCheck;
      try {
        const escalation = await this.deps.backend.escalationFor(t.routingKey);
        const problem = targetProblem(t.routingKey, before.configKey, escalation, this.deps.serviceName);
        next = { ...before, checkedAt: this.isoNow(), escalation, problem, error: null };
      } catch (e) {
        next = { ...before, error: errorText(e) };
        if (!(e instanceof UpstreamError))
          this.deps.errorReports?.exception(e, { where: 'target-status', extra: { target: t.id } });
      }
      this.report(before, next);
      this.last.set(t.id, next);
    }
    this.exportMetrics();
    return this.checks();
  }

  private report(before: TargetCheck, next: TargetCheck): void {
    const outcome = next.error ? 'failed' : next.problem ? 'problem' : 'ok';
    this.deps.metrics?.targetChecks.inc({ outcome });
    const ctx = { target: next.targetId, routingKey: next.routingKey };
    if (next.error && next.error !== before.error)
      this.log.warn({ ...ctx, error: next.error }, 'could not check a page target; checking again later');
    if (next.problem && next.problem.detail !== before.problem?.detail)
      this.log.warn({ ...ctx, problem: next.problem.kind }, `page target problem: ${next.problem.detail}`);
    if (!next.error && !next.problem && (before.problem || before.checkedAt === null))
      this.log.info(ctx, 'page target checked: it exists and wakes someone at once');
  }

  private exportMetrics(): void {
    const m = this.deps.metrics;
    if (!m) return;
    m.targetProblems.reset();
    m.targetMuted.reset();
    for (const c of this.last.values()) {
      if (c.problem) m.targetProblems.set({ target: c.targetId, problem: c.problem.kind }, 1);
      const muting = this.mutingOf(c.routingKey);
      m.targetMuted.set({ target: c.targetId }, muting.state === 'muted' ? 1 : 0);
    }
  }

  checks(): TargetCheck[] {
    return [...this.last.values()];
  }

  readiness(): TargetsReadiness {
    const checks = this.checks();
    const times = checks.map((c) => c.checkedAt).filter((t): t is string => t !== null);
    return {
      ok: checks.every((c) => !c.error && !c.problem),
      checkedAt: times.length === checks.length && times.length > 0 ? times.sort()[0]! : null,
      problems: checks.flatMap((c) =>
        c.problem ? [{ target: c.targetId, kind: c.problem.kind, detail: c.problem.detail }] : [],
      ),
      unchecked: checks.flatMap((c) => (c.error ? [{ target: c.targetId, error: c.error }] : [])),
    };
  }

  /** Asks the paging service which mutes are active (its own cache keeps this to one request per few seconds). */
  async refreshMutes(): Promise<void> {
    try {
      this.mutes = { value: await this.deps.backend.activeMutes(), at: this.clock.now() };
      this.mutesError = null;
    } catch (e) {
      this.mutesError = errorText(e);
      throw e;
    } finally {
      this.exportMetrics();
    }
  }

  /** Milliseconds since mutes were last read (Infinity: never). */
  mutesAgeMs(): number {
    return this.mutes ? this.clock.now() - this.mutes.at : Infinity;
  }

  /** Whether paging to `routingKey` is muted as of the last look; null when that is not known. */
  mutedNow(routingKey: string | null): boolean | null {
    if (!this.mutes || routingKey === null) return null;
    return mutingFor(routingKey, this.mutes.value).state === 'muted';
  }

  private mutingOf(routingKey: string): TargetMuting {
    if (this.mutesError || !this.mutes)
      return {
        state: 'unknown',
        reason: `Klaxon could not ask ${this.deps.serviceName ? `${this.deps.serviceName} whether this target's service is in a maintenance window` : 'On-Call whether it is in maintenance mode'}${this.mutesError ? ` (${this.mutesError})` : ''}.`,
      };
    return mutingFor(routingKey, this.mutes.value);
  }

  /**
   * Whom a page to each target wakes, for the page dialog. Looks again (the backend's caches make that
   * cheap) but waits at most `reachWaitMs`, then answers with the last check; with nothing known the
   * answer is `uncertain`, and clients show who is on call in the target's teams, labelled so.
   */
  async reach(): Promise<TargetReach[]> {
    const wait = this.deps.reachWaitMs ?? 3000;
    const mutes = within(
      this.refreshMutes().then(() => true),
      wait,
      () => false,
    ).catch(() => false);
    const out = await Promise.all(
      this.targets.map(async (t): Promise<TargetReach> => {
        const before = this.last.get(t.id)!;
        let escalation: TargetEscalation | null;
        let uncertainty: string | null = null;
        try {
          escalation = await within(this.deps.backend.escalationFor(t.routingKey), wait, () => before.escalation);
          // Slow rather than failed: the look-ups share the service's few requests a second.
          if (!escalation) uncertainty = 'Klaxon is still looking up whom this target pages.';
        } catch (e) {
          escalation = null;
          uncertainty = `Klaxon could not look up this target's escalation policy (${errorText(e)}).`;
        }
        await mutes;
        const muting = this.mutingOf(t.routingKey);
        if (!escalation)
          return {
            targetId: t.id,
            certainty: 'uncertain',
            uncertainty,
            policies: [],
            muting,
            problem: before.problem ? { kind: before.problem.kind, message: before.problem.message } : null,
          };
        const problem = targetProblem(t.routingKey, before.configKey, escalation, this.deps.serviceName);
        return {
          targetId: t.id,
          certainty: 'exact',
          uncertainty: null,
          policies: escalation.policies,
          muting,
          problem: problem ? { kind: problem.kind, message: problem.message } : null,
        };
      }),
    );
    return out;
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
