import * as jose from 'jose';
import { type Clock, sleepOn, systemClock } from '../runtime/clock.js';

/** The provider's keys could not be fetched (and none are cached). */
export class ProviderKeysUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderKeysUnavailable';
  }
}

export interface ProviderKeysOptions {
  jwksUri: URL;
  /**
   * Whether a token whose key id is unknown may make the keys be fetched again: only tokens that
   * could be valid (right issuer, audience, type, algorithm, not expired) may; anything else is
   * refused with the keys at hand.
   */
  mayRefetchFor(header: jose.JWSHeaderParameters, token: jose.FlattenedJWSInput): boolean;
  /** Least time between the starts of two fetches. Default 2 s. */
  minRefetchGapMs?: number;
  /** Keys older than this are fetched again in the background on their next use. Default 10 min. */
  maxAgeMs?: number;
  timeoutMs?: number;
  clock?: Clock;
}

/**
 * The identity provider's signing keys (its JWKS), for jose's `jwtVerify`.
 *
 * A token with a key id Klaxon does not know is either signed with a key the provider just rotated
 * to, or a stranger's. Klaxon cannot tell before asking the provider, and anyone can send such a
 * token without signing in. jose's remote key set answers that with a 30 s cooldown after each
 * refetch, so a stranger's token just before a real rotation refused every real user for up to
 * 30 s. Here instead:
 * - a request with an unknown key id waits for a fetch that started after it arrived, so a key the
 *   provider published by then is found; it is never refused for a cooldown;
 * - fetches start at least `minRefetchGapMs` apart and concurrent requests share one, so however
 *   many strangers' tokens arrive, the provider sees at most one request per gap (30 a minute with
 *   the default), and a real user waits at most one gap after a rotation;
 * - only tokens that could be valid trigger a fetch at all;
 * - keys older than `maxAgeMs` are refreshed in the background while the cached ones keep serving,
 *   which also picks up keys providers publish before they sign with them; a failed fetch keeps
 *   the cached keys.
 */
export class ProviderKeys {
  private readonly clock: Clock;
  private readonly gapMs: number;
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;
  private keys: ReturnType<typeof jose.createLocalJWKSet> | null = null;
  private kids = new Set<string>();
  /** When the fetch that produced the current keys started. */
  private keysFetchStartedAt = -Infinity;
  private lastFetchStartedAt = -Infinity;
  private inflight: { startedAt: number; done: Promise<void> } | null = null;
  private scheduled: Promise<void> | null = null;

  constructor(private readonly opts: ProviderKeysOptions) {
    this.clock = opts.clock ?? systemClock;
    this.gapMs = opts.minRefetchGapMs ?? 2000;
    this.maxAgeMs = opts.maxAgeMs ?? 600_000;
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** The key resolver for `jose.jwtVerify`. */
  readonly resolve = async (
    header: jose.JWSHeaderParameters,
    token: jose.FlattenedJWSInput,
  ): Promise<jose.CryptoKey> => {
    const askedAt = this.clock.now();
    if (!this.keys) await this.fetchedSince(askedAt);
    else if (askedAt - this.keysFetchStartedAt > this.maxAgeMs) void this.fetchedSince(askedAt).catch(() => undefined);
    if (header.kid !== undefined && !this.kids.has(header.kid) && this.opts.mayRefetchFor(header, token)) {
      // A failure keeps the cached keys; the token is then refused as signed with an unknown key.
      await this.fetchedSince(askedAt).catch(() => undefined);
    }
    return this.keys!(header, token);
  };

  /** Resolves once a fetch that started at or after `t` has succeeded (shared, spaced by the gap). */
  private fetchedSince(t: number): Promise<void> {
    if (this.keys && this.keysFetchStartedAt >= t) return Promise.resolve();
    if (this.inflight && this.inflight.startedAt >= t) return this.inflight.done;
    this.scheduled ??= (async () => {
      await this.inflight?.done.catch(() => undefined);
      await sleepOn(this.clock, this.lastFetchStartedAt + this.gapMs - this.clock.now());
      this.scheduled = null;
      await this.fetchNow();
    })();
    return this.scheduled;
  }

  private fetchNow(): Promise<void> {
    const startedAt = this.clock.now();
    this.lastFetchStartedAt = startedAt;
    const done = (async () => {
      let jwks: unknown;
      try {
        const res = await fetch(this.opts.jwksUri, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (!res.ok) throw new Error(`${this.opts.jwksUri.href} answered ${res.status}`);
        jwks = await res.json();
      } catch (e) {
        throw new ProviderKeysUnavailable((e as Error).message);
      }
      const keys = (jwks as { keys?: unknown } | null)?.keys;
      if (!Array.isArray(keys)) throw new ProviderKeysUnavailable(`${this.opts.jwksUri.href} has no "keys" list`);
      this.keys = jose.createLocalJWKSet(jwks as jose.JSONWebKeySet);
      this.kids = new Set(keys.flatMap((k: { kid?: unknown }) => (typeof k?.kid === 'string' ? [k.kid] : [])));
      this.keysFetchStartedAt = startedAt;
    })().finally(() => {
      if (this.inflight?.done === done) this.inflight = null;
    });
    this.inflight = { startedAt, done };
    return done;
  }
}
