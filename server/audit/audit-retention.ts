import { type Clock, systemClock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { KlaxonStore } from '../store/store.js';

const DAY_MS = 24 * 3600_000;
/** How often the retention is applied: entries live at most this much longer than configured. */
export const AUDIT_PRUNE_EVERY_MS = 3600_000;

/**
 * Deletes the audit entries older than `retentionDays`, once. The job that must run once per
 * organisation: where several replicas share a database, only the leader should call it (any
 * replica calling it is harmless, only wasteful: the delete is idempotent).
 */
export async function pruneAuditOnce(
  deps: { store: Pick<KlaxonStore, 'pruneAudit'>; clock: Clock; logger: Logger },
  retentionDays: number,
): Promise<number> {
  const before = new Date(deps.clock.now() - retentionDays * DAY_MS);
  const n = await deps.store.pruneAudit(before);
  if (n > 0)
    deps.logger.info({ deleted: n, before: before.toISOString() }, 'audit entries past their retention deleted');
  return n;
}

/** Runs pruneAuditOnce now and then every hour on `clock`, until the returned stop is called. */
export function startAuditRetention(deps: {
  store: Pick<KlaxonStore, 'pruneAudit'>;
  retentionDays: number;
  logger: Logger;
  clock?: Clock;
}): { stop(): void } {
  const clock = deps.clock ?? systemClock;
  let timer: unknown = null;
  let stopped = false;
  const run = async () => {
    try {
      await pruneAuditOnce({ store: deps.store, clock, logger: deps.logger }, deps.retentionDays);
    } catch (e) {
      deps.logger.error({ err: (e as Error).message }, 'could not delete old audit entries; trying again in an hour');
    }
    if (!stopped) timer = clock.setTimeout(() => void run(), AUDIT_PRUNE_EVERY_MS);
  };
  void run();
  return {
    stop() {
      stopped = true;
      if (timer !== null) clock.clearTimeout(timer);
    },
  };
}
