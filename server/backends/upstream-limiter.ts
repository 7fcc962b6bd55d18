import { type Clock, sleepOn, systemClock } from '../runtime/clock.js';

/**
 * One limiter for every call to the On-Call public API, whoever makes it (poller, on-call lookups,
 * acks). On-Call documents 2 requests per second; we space requests at least 1/rate apart (plus a
 * small margin for network jitter) rather than allowing bursts, so that a burst can never trip the
 * upstream bucket however its capacity is set. `pause()` stops everyone after a 429 or a throttling
 * 403, because another request would only extend the penalty.
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

  /** Resolves when the caller may send one request; slots are handed out in call order. */
  async acquire(): Promise<void> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlotAt, this.pausedUntil);
    this.nextSlotAt = slot + this.spacingMs;
    await sleepOn(this.clock, slot - now);
    // A pause that began while we waited pushes us back too.
    const late = this.pausedUntil - this.clock.now();
    if (late > 0) {
      this.nextSlotAt = Math.max(this.nextSlotAt, this.pausedUntil + this.spacingMs);
      await sleepOn(this.clock, late);
    }
  }

  /** Hold every caller until `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }
}
