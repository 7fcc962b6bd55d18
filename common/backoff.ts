/** How retries space out: the ceiling doubles per failure from `baseMs` up to `maxMs`. */
export interface BackoffRule {
  baseMs: number;
  maxMs: number;
  /** The shortest delay, so a low draw never turns into a hot loop against a failing service. */
  minMs: number;
}

/** The desktop's and the web UI's reconnects to the Klaxon server: from half a second up to a minute. */
export const RECONNECT_BACKOFF: BackoffRule = { baseMs: 1000, maxMs: 60_000, minMs: 500 };

/**
 * The one backoff of Klaxon (page delivery, the incidents poller, the desktop's reconnects):
 * exponential with jitter, a random delay in [min(minMs, ceiling), ceiling] where
 * ceiling = min(maxMs, baseMs · 2^(failures − 1)). The jitter spreads many pages, or a fleet of
 * laptops waking up together after a server restart, so they do not all retry at the same moment.
 * `failures` counts the failures so far (1 after the first).
 */
export function backoffDelayMs(failures: number, rule: BackoffRule, random: () => number = Math.random): number {
  const ceiling = Math.min(rule.maxMs, rule.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  const floor = Math.min(rule.minMs, ceiling);
  return Math.round(floor + random() * (ceiling - floor));
}
