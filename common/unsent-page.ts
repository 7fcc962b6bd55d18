import { z } from 'zod/mini';
import { backoffDelayMs, type BackoffRule } from './backoff.js';
import type { ClientState } from './client-state.js';
import { ErrorBody, type ErrorCode } from './errors.js';
import { PageRequest, type Page, type ValidPageRequest } from './page.js';
import type { Result } from './result.js';
import { IsoTime } from './text.js';

/**
 * A page the Klaxon server has not confirmed: Send got no answer (network down, server restarting,
 * a 5xx), so nobody knows yet whether SRE will be woken. Until the server answers, the client keeps
 * it (Klaxon desktop in a file of its main process, the web UI in the tab's sessionStorage) and
 * resends exactly the same request under the same idempotency key, so it can never page twice.
 * An answer ends it: accepted, it is an ordinary page the person follows; refused, it stays here,
 * marked NOT sent with the server's reason, until the person discards it.
 *
 * Nothing in it is secret beyond the page's own text: the request, who wrote it (their `sub`, so
 * only their session resends it) and what happened so far.
 */
export const UnsentPage = z.strictObject({
  request: PageRequest,
  requesterSub: z.string().check(z.minLength(1)),
  /** The target's label when it was sent ("SRE on call"), for the person reading the list. */
  targetLabel: z.string(),
  firstTriedAt: IsoTime,
  attempts: z.int().check(z.positive()),
  /** Why the last attempt did not get through, as a sentence. */
  lastError: z.string(),
  /** When the next attempt is due; null while it waits for its author to sign in again, or once refused. */
  nextAttemptAt: z.nullable(IsoTime),
  /** The server's definitive refusal: NOT sent, and Klaxon has stopped trying. */
  refusal: z.nullable(ErrorBody.shape.error),
});
export type UnsentPage = z.infer<typeof UnsentPage>;

/** Resends come quickly at first (a server restart takes seconds), then every 30 s at most. */
const UNSENT_RETRY: BackoffRule = { baseMs: 2_000, maxMs: 30_000, minMs: 1_000 };

/** Answers after which resending the same request can only be refused again: NOT sent, stop trying. */
const REFUSED: ReadonlySet<ErrorCode> = new Set(['invalid_request', 'forbidden', 'conflict', 'rate_limited']);

/** What one attempt to send a page ended in, for the client that keeps unsent pages. */
export type SendAttemptOutcome =
  /** The server has it: forget the unsent copy and follow the page. */
  | { kind: 'accepted'; page: Page }
  /** Not kept: the first Send was refused or the person is signed out; the dialog says so itself. */
  | { kind: 'not-kept' }
  /** Keep it (refused or waiting): the new copy to store. */
  | { kind: 'kept'; unsent: UnsentPage };

export interface SendAttempt {
  request: ValidPageRequest;
  requesterSub: string;
  targetLabel: string;
  /** The copy kept from earlier attempts, or null for a first Send. */
  kept: UnsentPage | null;
}

/**
 * The rule for one attempt's answer. A first Send is kept only when it got no answer (a refusal is
 * the dialog's to show, and signed out there is nobody to resend for); a kept page keeps waiting
 * through further silence (and through a sign-out, until its author is back), and is marked
 * refused by a definitive answer.
 */
export function afterSendAttempt(
  a: SendAttempt,
  r: Result<Page>,
  now: number,
  random: () => number = Math.random,
): SendAttemptOutcome {
  if (r.ok) return { kind: 'accepted', page: r.value };
  const code = r.error.code;
  if (!a.kept && (REFUSED.has(code) || code === 'unauthorized')) return { kind: 'not-kept' };
  const base: UnsentPage = a.kept ?? {
    request: a.request,
    requesterSub: a.requesterSub,
    targetLabel: a.targetLabel,
    firstTriedAt: new Date(now).toISOString(),
    attempts: 0,
    lastError: '',
    nextAttemptAt: null,
    refusal: null,
  };
  const attempts = base.attempts + 1;
  if (REFUSED.has(code))
    return {
      kind: 'kept',
      unsent: { ...base, attempts, lastError: r.error.message, nextAttemptAt: null, refusal: r.error },
    };
  if (code === 'unauthorized')
    return {
      kind: 'kept',
      unsent: { ...base, attempts, lastError: 'Sign in to Klaxon again to send it.', nextAttemptAt: null },
    };
  const next = new Date(now + backoffDelayMs(attempts, UNSENT_RETRY, random)).toISOString();
  return { kind: 'kept', unsent: { ...base, attempts, lastError: r.error.message, nextAttemptAt: next } };
}

/** Still being tried: not refused. */
export const isWaiting = (u: UnsentPage): boolean => u.refusal === null;

/** The idempotency key that names an unsent page (the request's own). */
export const unsentKey = (u: UnsentPage): string => u.request.idempotencyKey;

/** Pages of this person to resend now: waiting, and due (or all of them when `all`: signed in again, server back). */
export function dueUnsent(pages: readonly UnsentPage[], sub: string | null, now: number, all = false): UnsentPage[] {
  if (!sub) return [];
  return pages.filter(
    (u) =>
      isWaiting(u) &&
      u.requesterSub === sub &&
      (all || (u.nextAttemptAt !== null && Date.parse(u.nextAttemptAt) <= now)),
  );
}

/** Milliseconds until this person's next resend is due, or null when none is scheduled. */
export function nextUnsentDueInMs(pages: readonly UnsentPage[], sub: string | null, now: number): number | null {
  if (!sub) return null;
  const due = pages
    .filter((u) => isWaiting(u) && u.requesterSub === sub && u.nextAttemptAt !== null)
    .map((u) => Date.parse(u.nextAttemptAt!));
  return due.length ? Math.max(0, Math.min(...due) - now) : null;
}

/** The label of the target a request goes to (its own, else the default), for the list of unsent pages. */
export function targetLabelOf(
  targets: readonly { id: string; label: string; isDefault: boolean }[],
  targetId: string | undefined,
): string {
  const t = targetId ? targets.find((x) => x.id === targetId) : targets.find((x) => x.isDefault);
  return t?.label ?? targetId ?? 'SRE on call';
}

/**
 * When kept pages should go at once instead of at their next attempt: their author has just signed
 * in, or the link to the server has just come back. Both clients watch their ClientState with it.
 */
export function resendUnsentNow(prev: Pick<ClientState, 'auth' | 'link'>, next: Pick<ClientState, 'auth' | 'link'>) {
  if (next.auth.status !== 'signed-in') return false;
  return prev.auth.status !== 'signed-in' || (next.link.status === 'live' && prev.link.status !== 'live');
}
