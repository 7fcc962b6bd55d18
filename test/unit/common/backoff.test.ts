import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '#common/backoff.js';

describe('backoff (page delivery, the incidents poller, desktop reconnects)', () => {
  const rule = { baseMs: 1000, maxMs: 8000, minMs: 50 };

  it('doubles its ceiling with every failure, up to the maximum', () => {
    const top = (n: number) => backoffDelayMs(n, rule, () => 1);
    expect([top(1), top(2), top(3), top(4), top(10)]).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('never goes below its floor, so a low draw cannot spin against a failing service', () => {
    expect(backoffDelayMs(4, rule, () => 0)).toBe(50);
    expect(backoffDelayMs(4, { baseMs: 1000, maxMs: 30_000, minMs: 500 }, () => 0)).toBe(500);
    // A floor above the ceiling is capped by it: the first retry of a 10 s poller waits 10 s.
    expect(backoffDelayMs(1, { baseMs: 10_000, maxMs: 60_000, minMs: 10_000 }, () => 0.5)).toBe(10_000);
  });

  it('spreads retries over the whole range (jitter)', () => {
    expect(backoffDelayMs(4, rule, () => 0.5)).toBe(4025);
    const draws = Array.from({ length: 200 }, () => backoffDelayMs(4, rule));
    expect(Math.max(...draws)).toBeLessThanOrEqual(8000);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(50);
    expect(new Set(draws).size).toBeGreaterThan(100);
  });
});
