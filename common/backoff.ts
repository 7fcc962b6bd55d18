export interface BackoffRule {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with "full jitter" (AWS architecture blog): a random delay between 0 and
 * min(max, base * 2^(attempt-1)). Spreads retries of many pages so they do not hit On-Call together.
 * `attempt` is the number of attempts made so far (1 after the first failure).
 */
export function fullJitterDelay(attempt: number, rule: BackoffRule, random: () => number = Math.random): number {
  const exp = Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  // A small floor keeps a zero draw from turning into a hot loop against a failing upstream.
  return Math.max(Math.min(50, rule.baseDelayMs), Math.floor(random() * exp));
}
