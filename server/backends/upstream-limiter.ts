import { type Clock, sleepOn, systemClock } from '../runtime/clock.js';

/** What `acquire` came to: the caller may send now, or no slot frees up before its deadline. */
export type Slot = { granted: true } | { granted: false; freeAt: number };

/**
 * One limiter for every call to a paging service's rate-limited API, whoever makes it (poller,
 * on-call lookups, acks, PagerDuty's events). On-Call documents 2 requests per second; we space
 * requests at least 1/rate apart (plus a small margin for network jitter) rather than allowing
 * bursts, so that a burst can never trip the upstream bucket however its capacity is set. `pause()`
 * stops everyone after a 429 or a throttling 403, because another request would only extend the
 * penalty.
 */
export class UpstreamLimiter {
  private readonly spacingMs: number;
  private nextSlotAt = 0;
  private pausedUntil = 0;
  private readonly clock: Clock;

  constructor(opts: { perSecond?: number; marginMs?: number; clock?: Clock } = {}) {
    const perSecond = opts.perSecond ?? 2;
    this.spacingMs = 1000 / perSecond + (opts.marginMs ?? 25);
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * Resolves when the caller may send one request; slots are handed out in call order. With a
   * `deadline` (epoch ms), a caller whose slot would come later takes none and is told when the
   * queue frees up instead (`granted: false`), at once: a page's delivery attempt must not send
   * after its lease could have run out (server/pages/delivery-worker.ts). A pause that begins
   * while the caller waits and ends after the deadline turns it away the same way.
   */
  async acquire(deadline = Infinity): Promise<Slot> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlotAt, this.pausedUntil);
    if (slot > deadline) return { granted: false, freeAt: slot };
    this.nextSlotAt = slot + this.spacingMs;
    await sleepOn(this.clock, slot - now);
    // A pause that began while we waited pushes us back too.
    const late = this.pausedUntil - this.clock.now();
    if (late > 0) {
      if (this.pausedUntil > deadline) return { granted: false, freeAt: Math.max(this.pausedUntil, this.nextSlotAt) };
      this.nextSlotAt = Math.max(this.nextSlotAt, this.pausedUntil + this.spacingMs);
      await sleepOn(this.clock, late);
    }
    return { granted: true };
  }

  /** Hold every caller until `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }
}
