import { type Clock, systemClock } from '../../runtime/clock.js';
import { type Logger, silentLogger } from '../../runtime/logger.js';
import type { OnCallClient } from './client.js';

const sameNames = (a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean =>
  a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/**
 * People's display names ("Carol Okafor" for `carol`) from On-Call's user list. One request per
 * `ttlMs` at most (ten minutes: names change rarely, and every request shares the one rate limit);
 * while a refresh runs, or after it failed, the last list is served. The same map object comes back
 * while nothing changed, so callers can tell "unchanged" by identity.
 */
export class UserDirectory {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly ttlMs: number;
  private readonly retryMs: number;
  private names: ReadonlyMap<string, string> = new Map();
  private loadedAt = -Infinity;
  private failedAt = -Infinity;
  private inflight: Promise<ReadonlyMap<string, string>> | null = null;

  constructor(
    private readonly opts: {
      client: Pick<OnCallClient, 'userNames'>;
      ttlMs?: number;
      /** After a failure, how long until On-Call is asked again. Default one minute. */
      retryMs?: number;
      clock?: Clock;
      logger?: Logger;
    },
  ) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.ttlMs = opts.ttlMs ?? 10 * 60_000;
    this.retryMs = opts.retryMs ?? 60_000;
  }

  displayNames(): Promise<ReadonlyMap<string, string>> {
    const now = this.clock.now();
    if (now - this.loadedAt < this.ttlMs || now - this.failedAt < this.retryMs) return Promise.resolve(this.names);
    this.inflight ??= this.load().finally(() => {
      this.inflight = null;
    });
    // Only the very first answer is waited for; later refreshes run behind the list already known.
    return this.loadedAt === -Infinity ? this.inflight : Promise.resolve(this.names);
  }

  private async load(): Promise<ReadonlyMap<string, string>> {
    try {
      const names = await this.opts.client.userNames();
      if (!sameNames(names, this.names)) this.names = names;
      this.loadedAt = this.clock.now();
    } catch (e) {
      this.failedAt = this.clock.now();
      this.log.warn(
        { error: e instanceof Error ? e.message : String(e) },
        "could not load On-Call users' display names; showing usernames",
      );
    }
    return this.names;
  }
}
