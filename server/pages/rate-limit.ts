import { durationText, formatPhoneNumber, type FallbackContact } from '#common/index.js';

export interface RateLimitRule {
  max: number;
  windowSeconds: number;
}

export type RateDecision = { allowed: true } | { allowed: false; count: number; retryAfterSeconds: number };

/**
 * Sliding-window limit over the times (ms) of a user's earlier pages. Pure, so the store can call it
 * inside the same transaction that inserts the page (no race between two tabs of the same user).
 */
export function decideRate(earlier: readonly number[], rule: RateLimitRule, now: number): RateDecision {
  const windowMs = rule.windowSeconds * 1000;
  const recent = earlier.filter((t) => t > now - windowMs && t <= now).sort((a, b) => a - b);
  if (recent.length < rule.max) return { allowed: true };
  // The request becomes allowed once enough of the recent events have left the window.
  const freeing = recent[recent.length - rule.max]!;
  return {
    allowed: false,
    count: recent.length,
    retryAfterSeconds: Math.max(1, Math.ceil((freeing + windowMs - now) / 1000)),
  };
}

function describeWindow(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? 'second' : `${seconds} seconds`;
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? 'minute' : `${minutes} minutes`;
}

/** The sentence shown when a user hits the page limit: what happened and what to do instead. */
export function rateLimitMessage(
  count: number,
  rule: RateLimitRule,
  retryAfterSeconds: number,
  contacts: readonly FallbackContact[],
): string {
  const head = `You have sent ${count} ${count === 1 ? 'page' : 'pages'} in the last ${describeWindow(rule.windowSeconds)}.`;
  const phone = contacts.find((c) => c.kind === 'phone');
  const other = contacts[0];
  if (phone) return `${head} If this is a new emergency, call the ${phone.label} (${formatPhoneNumber(phone.href)}).`;
  if (other) return `${head} If this is a new emergency, use the ${other.label} (${other.href}).`;
  return `${head} You can page again in ${durationText(retryAfterSeconds)}.`;
}
