import type { IncidentBackend, TargetReach } from '#common/index.js';
import type { FoundProblem } from './target-problems.js';
import type { TargetCheck, TargetStatus, TargetsReadiness } from './target-status.js';

/**
 * The configured targets of every paging service as one: each service's targets are checked by its
 * own TargetStatus (their look-ups share that service's rate limit), answers are joined in the
 * configuration's order, and a mute is asked of the service the page or incident lives on: one
 * service's maintenance mode silences nothing on the other.
 */
export class TargetStatusSet {
  constructor(
    private readonly byService: ReadonlyMap<IncidentBackend, TargetStatus>,
    /** Target ids in the configuration's order. */
    private readonly order: readonly string[],
  ) {}

  private get all(): TargetStatus[] {
    return [...this.byService.values()];
  }

  private sorted<T>(items: T[], id: (t: T) => string): T[] {
    return items.sort((a, b) => this.order.indexOf(id(a)) - this.order.indexOf(id(b)));
  }

  start(): void {
    for (const t of this.all) t.start();
  }

  stop(): void {
    for (const t of this.all) t.stop();
  }

  async checkAll(): Promise<TargetCheck[]> {
    return this.sorted((await Promise.all(this.all.map((t) => t.checkAll()))).flat(), (c) => c.targetId);
  }

  async firstSetupProblem(waitMs?: number): Promise<FoundProblem | null> {
    const found = await Promise.all(this.all.map((t) => t.firstSetupProblem(waitMs)));
    return found.find((p) => p !== null) ?? null;
  }

  checks(): TargetCheck[] {
    return this.sorted(
      this.all.flatMap((t) => t.checks()),
      (c) => c.targetId,
    );
  }

  readiness(): TargetsReadiness {
    const parts = this.all.map((t) => t.readiness());
    const times = parts.map((p) => p.checkedAt);
    return {
      ok: parts.every((p) => p.ok),
      checkedAt: times.includes(null) ? null : times.sort()[0]!,
      problems: parts.flatMap((p) => p.problems),
      unchecked: parts.flatMap((p) => p.unchecked),
    };
  }

  async refreshMutes(): Promise<void> {
    await Promise.all(this.all.map((t) => t.refreshMutes()));
  }

  mutesAgeMs(): number {
    return Math.max(...this.all.map((t) => t.mutesAgeMs()));
  }

  /** Whether paging to `routingKey` on the incident's service is muted (`backend` absent: On-Call). */
  mutedNow(routingKey: string | null, backend?: IncidentBackend): boolean | null {
    return this.byService.get(backend ?? 'oncall')?.mutedNow(routingKey) ?? null;
  }

  async reach(): Promise<TargetReach[]> {
    return this.sorted((await Promise.all(this.all.map((t) => t.reach()))).flat(), (r) => r.targetId);
  }
}
