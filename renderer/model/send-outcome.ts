import { durationText, type ErrorCode, type Page } from '#common/index.js';
import { clockTime } from './relative-time.js';

/**
 * What the page dialog does when "Send page now" does not come back with a page.
 *
 * A timeout, a lost connection or a 5xx does not say whether the server stored the page: it may
 * be on its way to On-Call already. Then the dialog must not pretend "Not sent", must not let the
 * person change the text (the server would answer 409 for the same idempotency key with another
 * body), and must look for the page among "my pages" before anything else.
 */

/** Rejections after which the server has certainly not stored the page: a fresh key is safe then. */
const DEFINITIVE: ReadonlySet<ErrorCode> = new Set(['invalid_request', 'forbidden', 'rate_limited', 'unauthorized']);

export const isDefinitiveRefusal = (code: ErrorCode): boolean => DEFINITIVE.has(code);

/** The request whose outcome may be unknown, as first sent (retries send exactly this again). */
export interface SendAttempt {
  summary: string;
  targetId: string | null;
  /** When the first Send of this request left, in ms. */
  firstSentAt: number;
  /** Pages of mine that existed before the first Send: none of them can be this one. */
  knownPageIds: ReadonlySet<string>;
}

// The server's clock may be a little behind the laptop's.
const CLOCK_SKEW_MS = 2 * 60_000;

/** The page this attempt created, if the server has it: new since the first Send, same summary and target. */
export function findSentPage(pages: readonly Page[], a: SendAttempt): Page | null {
  const candidates = pages.filter(
    (p) =>
      !a.knownPageIds.has(p.id) &&
      p.summary.trim() === a.summary.trim() &&
      (a.targetId === null || p.target.id === a.targetId) &&
      Date.parse(p.createdAt) >= a.firstSentAt - CLOCK_SKEW_MS,
  );
  return candidates.sort((x, y) => Date.parse(y.createdAt) - Date.parse(x.createdAt))[0] ?? null;
}

export type AfterFailure =
  /** Certainly not stored: say "Not sent", allow editing, use a new key for the next Send. */
  | { kind: 'refused' }
  /** The page exists: follow it as if Send had answered. */
  | { kind: 'follow'; page: Page }
  /** Maybe stored: keep the key, lock the text, offer "Try again" with the same request. */
  | { kind: 'uncertain' };

export function afterSendFailure(code: ErrorCode, attempt: SendAttempt, pages: readonly Page[]): AfterFailure {
  if (isDefinitiveRefusal(code)) return { kind: 'refused' };
  // 409 conflict: the server already holds a page under this key, so it was sent.
  const found = findSentPage(pages, attempt);
  return found ? { kind: 'follow', page: found } : { kind: 'uncertain' };
}

/**
 * While a rate-limited person must wait: "You can page again in about 4 minutes (at 14:09)." counted
 * down to `until` (ms); null once they may. The clock time is said for waits of a minute or more, so
 * a person who looks away knows when to come back.
 */
export function pageAgainText(until: number | null, now: number, timeZone?: string): string | null {
  if (until === null || now >= until) return null;
  const seconds = Math.ceil((until - now) / 1000);
  const at = seconds >= 60 ? ` (at ${clockTime(until, timeZone)})` : '';
  return `You can page again in ${durationText(seconds)}${at}.`;
}
