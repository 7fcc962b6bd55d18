import { type Clock, systemClock } from '../runtime/clock.js';

/**
 * Answers from a paging service that change rarely (routing keys, policies, who is on call), kept per
 * key: reused for `ttlMs`, asked for once however many callers wait (single flight), and when asking
 * fails, the last answer is served for up to `staleMs` more before the failure reaches the caller.
 * Every request still goes through the backend's one rate limiter; this only keeps their number down.
 */
export class CachedLookup<V> {
  private readonly answers = new Map<string, { value: V; at: number }>();
  private readonly inflight = new Map<string, Promise<V>>();
  private readonly clock: Clock;

  constructor(private readonly opts: { ttlMs: number; staleMs?: number; clock?: Clock }) {
    this.clock = opts.clock ?? systemClock;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.answers.get(key);
    const now = this.clock.now();
    if (hit && now - hit.at < this.opts.ttlMs) return Promise.resolve(hit.value);
    let p = this.inflight.get(key);
    if (!p) {
      p = load().then(
        (value) => {
          this.answers.set(key, { value, at: this.clock.now() });
          return value;
        },
        (e: unknown) => {
          const last = this.answers.get(key);
          if (last && this.clock.now() - last.at < this.opts.ttlMs + (this.opts.staleMs ?? 0)) return last.value;
          throw e;
        },
      );
      p.finally(() => this.inflight.delete(key)).catch(() => undefined);
      this.inflight.set(key, p);
    }
    return p;
  }
}
