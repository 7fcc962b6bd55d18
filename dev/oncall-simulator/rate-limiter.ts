/**
 * Per-key, per-endpoint token buckets: 2 req/s on the public API, once a minute on reporting
 * (docs/splunk-oncall.md#rate-limits-and-throttling). Buckets run on the wall clock: throttling
 * protects a real service in real time, and must keep working while the simulated clock is frozen.
 */
import type { RateLimitOptions } from './types.js';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const REPORTING_PATH = '/api-reporting/v2/incidents';

/** `/api-public/v1/incidents/1042` and `/incidents/1043` share a bucket, like one endpoint. */
export function endpointPath(path: string): string {
  return path
    .replace(/^(\/api-public\/v\d\/incidents)\/\d+(?=\/|$)/, '$1/{incidentNumber}')
    .replace(/^(\/api-public\/v\d\/team)\/[^/]+/, '$1/{team}')
    .replace(/^(\/api-public\/v\d\/policies)\/[^/]+/, '$1/{policy}')
    .replace(/^(\/api-public\/v\d\/alerts)\/[^/]+/, '$1/{uuid}')
    .replace(/^(\/api-public\/v\d\/user)\/[^/]+/, '$1/{user}');
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(private options: RateLimitOptions | false) {}

  get settings(): RateLimitOptions | false {
    return this.options;
  }

  set(options: RateLimitOptions | false): void {
    this.options = options;
    this.buckets.clear();
  }

  /** Takes a token; false when the caller is over the limit for this endpoint. */
  take(apiKey: string, method: string, path: string): boolean {
    if (!this.options) return true;
    const endpoint = endpointPath(path);
    // The reporting API allows one call a minute; everything else the configured rate.
    const [capacity, perMs] =
      endpoint === REPORTING_PATH ? [1, 1 / 60_000] : [this.options.perSecond, this.options.perSecond / 1000];
    const id = `${apiKey} ${method} ${endpoint}`;
    const now = performance.now();
    const b = this.buckets.get(id) ?? { tokens: capacity, updatedAt: now };
    b.tokens = Math.min(capacity, b.tokens + (now - b.updatedAt) * perMs);
    b.updatedAt = now;
    this.buckets.set(id, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  reset(): void {
    this.buckets.clear();
  }
}
