/**
 * Fixed one-minute windows per REST token and per Events API routing key, at the documented
 * defaults (960 REST requests a minute per token, about 120 events a minute per integration key:
 * docs/pagerduty.md#rate-limits). Windows run on the wall clock: throttling protects a real
 * service in real time and must keep working while the simulated clock is frozen.
 */
import type { RateLimits } from './types.js';

export const DEFAULT_RATE_LIMITS: RateLimits = { restPerMinute: 960, eventsPerMinute: 120 };

interface Window {
  startedAt: number;
  used: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (the `ratelimit-reset` header). */
  resetSeconds: number;
}

export class RateLimiter {
  private windows = new Map<string, Window>();
  private limits: RateLimits | false;

  constructor(limits: Partial<RateLimits> | false | undefined) {
    this.limits = limits === false ? false : { ...DEFAULT_RATE_LIMITS, ...(limits ?? {}) };
  }

  get settings(): RateLimits | false {
    return this.limits;
  }

  set(limits: Partial<RateLimits> | false): void {
    this.limits = limits === false ? false : { ...DEFAULT_RATE_LIMITS, ...limits };
    this.windows.clear();
  }

  /** Counts one request; null when limits are off. */
  take(surface: 'rest' | 'events', key: string): RateDecision | null {
    if (!this.limits) return null;
    const limit = surface === 'rest' ? this.limits.restPerMinute : this.limits.eventsPerMinute;
    const id = `${surface} ${key}`;
    const now = performance.now();
    let w = this.windows.get(id);
    if (!w || now - w.startedAt >= 60_000) {
      w = { startedAt: now, used: 0 };
      this.windows.set(id, w);
    }
    const resetSeconds = Math.max(1, Math.ceil((w.startedAt + 60_000 - now) / 1000));
    if (w.used >= limit) return { allowed: false, limit, remaining: 0, resetSeconds };
    w.used += 1;
    return { allowed: true, limit, remaining: limit - w.used, resetSeconds };
  }

  reset(): void {
    this.windows.clear();
  }
}

export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return {
    'ratelimit-limit': String(d.limit),
    'ratelimit-remaining': String(d.remaining),
    'ratelimit-reset': String(d.resetSeconds),
  };
}
