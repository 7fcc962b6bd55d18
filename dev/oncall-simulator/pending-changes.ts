/**
 * Eventual consistency: a REST alert or a manual incident is accepted at once but becomes visible
 * only after a delay. A change is due when either the wall clock or the simulated clock has moved on
 * by the delay, so tests can both wait in real time and jump ahead with `advance`.
 */
import type { SimClock } from '../simulator-kit/clock.js';

interface Pending {
  dueSim: number;
  dueReal: number;
  apply: () => void;
}

export class PendingChanges {
  private queue: Pending[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly clock: SimClock,
    private delayMs: number,
  ) {}

  setDelay(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  /** Runs `apply` now when there is no delay, else once it is due (in arrival order). */
  schedule(apply: () => void): void {
    if (this.delayMs <= 0 && this.queue.length === 0) {
      apply();
      return;
    }
    this.queue.push({ dueSim: this.clock.now() + this.delayMs, dueReal: Date.now() + this.delayMs, apply });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.flushDue();
    }, this.delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Applies every change that is due, oldest first; later ones wait so order is kept. */
  flushDue(): void {
    const simNow = this.clock.now();
    const realNow = Date.now();
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.dueSim > simNow && head.dueReal > realNow) break;
      this.queue.shift();
      head.apply();
    }
  }

  flushAll(): void {
    const q = this.queue;
    this.queue = [];
    for (const p of q) p.apply();
  }

  clear(): void {
    this.queue = [];
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  get size(): number {
    return this.queue.length;
  }
}
