// The one rate limiter of every paging service's API (server/backends/upstream-limiter.ts), on the
// manual clock: spacing, pauses, and the deadline a page's delivery attempt gives it.
import { describe, expect, it } from 'vitest';
import { UpstreamLimiter, type Slot } from '#server/backends/upstream-limiter.js';
import { ManualClock } from '#test/support/manual-clock.js';

/** Starts `acquire` and records when it settled, by the clock, and with what. */
function take(clock: ManualClock, limiter: UpstreamLimiter, deadline?: number) {
  const out: { at: number | null; slot: Slot | null } = { at: null, slot: null };
  void limiter.acquire(deadline).then((slot) => {
    out.at = clock.now();
    out.slot = slot;
  });
  return out;
}

describe('UpstreamLimiter', () => {
  it('spaces callers 1/rate apart, in call order', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const limiter = new UpstreamLimiter({ perSecond: 2, marginMs: 0, clock });
    const calls = [0, 1, 2].map(() => take(clock, limiter));
    await clock.advance(1000);
    expect(calls.map((c) => c.at! - t0)).toEqual([0, 500, 1000]);
    expect(calls.every((c) => c.slot?.granted)).toBe(true);
  });

  it('with a deadline: a slot later than it is not taken, and the caller hears at once when the queue frees up', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const limiter = new UpstreamLimiter({ perSecond: 2, marginMs: 0, clock });
    // Five callers that must send within 1.2 s: the first three fit (0, 0.5, 1 s), the others do not.
    const calls = [0, 1, 2, 3, 4].map(() => take(clock, limiter, t0 + 1200));
    await clock.advance(0);
    expect(calls[3]).toEqual({ at: t0, slot: { granted: false, freeAt: t0 + 1500 } });
    expect(calls[4]).toEqual({ at: t0, slot: { granted: false, freeAt: t0 + 1500 } });
    await clock.advance(1500);
    expect(calls.slice(0, 3).map((c) => [c.at! - t0, c.slot])).toEqual([
      [0, { granted: true }],
      [500, { granted: true }],
      [1000, { granted: true }],
    ]);
    // The turned-away callers took no slot: the next caller gets the one they were told of.
    const next = take(clock, limiter);
    await clock.advance(0);
    expect(next).toEqual({ at: t0 + 1500, slot: { granted: true } });
  });

  it('a pause (after a 429) holds every caller; with a deadline before its end a caller is turned away', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const limiter = new UpstreamLimiter({ perSecond: 2, marginMs: 0, clock });
    limiter.pause(2000);
    const bounded = take(clock, limiter, t0 + 1000);
    const unbounded = take(clock, limiter);
    await clock.advance(0);
    expect(bounded).toEqual({ at: t0, slot: { granted: false, freeAt: t0 + 2000 } });
    await clock.advance(2000);
    expect(unbounded).toEqual({ at: t0 + 2000, slot: { granted: true } });
  });

  it('a pause that begins while a caller waits turns it away when it ends after the deadline', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const limiter = new UpstreamLimiter({ perSecond: 2, marginMs: 0, clock });
    const first = take(clock, limiter);
    const second = take(clock, limiter, t0 + 1000); // its slot: 0.5 s, within the deadline
    await clock.advance(100);
    expect(first.slot).toEqual({ granted: true });
    limiter.pause(2000); // PagerDuty answered the first with a 429: nobody before 2.1 s
    await clock.advance(1000);
    expect(second).toEqual({ at: t0 + 500, slot: { granted: false, freeAt: t0 + 2100 } });
  });
});
