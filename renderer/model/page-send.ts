import type { Failure, Page, PageRequest, PageTarget, UnsentPage } from '#common/index.js';
import { checkPageForm, type PageFormErrors } from './page-form.js';
import { afterSendFailure, findSentPage, type SendAttempt } from './send-outcome.js';

/**
 * The page dialog's state machine: compose → confirm → send → follow, with the one hard case of
 * a Send whose outcome is unknown. Pure: `usePageSend` (components/page-dialog/) wires it to the
 * API and the clock, and every transition is unit-tested.
 *
 * `step` is the screen; `send` is where the current request stands:
 * - `idle`: nothing is on its way; `refusal` is the last "Not sent" (certainly not stored).
 * - `sending`: a request is on its way; `doubt` is set when it is a Try again after `uncertain`.
 * - `uncertain`: sent, but whether the server stored it is unknown. The text is locked and Try
 *   again resends `pending` exactly (same idempotency key, same body), so it cannot page twice.
 * In `sending` and `uncertain` the text is locked: changing it under the same key would be a
 * different page (the server answers 409), and a new key could page SRE twice.
 *
 * An uncertain request is usually kept by the client (common/unsent-page.ts) and resent until the
 * server answers: accepted, the page shows up among mine and is followed; refused, the dialog says
 * "Not sent" with the server's reason, as for a refusal on the spot.
 */

type DialogStep = 'compose' | 'confirm' | 'sent';

interface PageDraft {
  summary: string;
  details: string;
  targetId: string;
}

/** A request as first sent, kept until its outcome is known. */
export interface PendingSend {
  request: PageRequest;
  attempt: SendAttempt;
}

type SendState =
  | { kind: 'idle'; refusal: Failure | null }
  | { kind: 'sending'; pending: PendingSend; doubt: Failure | null }
  | { kind: 'uncertain'; pending: PendingSend; doubt: Failure };

export interface PageSendState {
  step: DialogStep;
  draft: PageDraft;
  errors: PageFormErrors;
  /** Continue was pressed once: from then on, fields are re-checked as the person types. */
  checked: boolean;
  /** One key per request: a double click or a Try again after a lost answer cannot page twice. */
  idempotencyKey: string;
  send: SendState;
  /**
   * Until when (ms) Send stays off after the server refused for the rate limit: pressing it sooner
   * could only be refused again. Back and Continue do not lift it; the clock does.
   */
  blockedUntil: number | null;
  /** The page being followed (step `sent`). */
  page: Page | null;
}

export type PageSendEvent =
  | { type: 'edit'; field: 'summary' | 'details'; value: string }
  | { type: 'choose-target'; targetId: string }
  | { type: 'continue' }
  | { type: 'back' }
  | { type: 'send-started'; pending: PendingSend }
  | { type: 'send-answered'; page: Page }
  /** `pages`: what is known of my pages after the failure; `freshKey`: the key for a next request; `at`: now (ms). */
  | { type: 'send-failed'; error: Failure; pages: readonly Page[]; freshKey: string; at: number }
  /** My pages changed (page event or the slow poll): an uncertain page may show up there. */
  | { type: 'pages-changed'; pages: readonly Page[] }
  /** The kept unsent pages changed: the server may have refused the one this dialog sent. */
  | { type: 'unsent-changed'; unsent: readonly UnsentPage[]; freshKey: string; at: number };

const NO_ERRORS: PageFormErrors = { summary: null, details: null };

export function initialPageSendState(targets: readonly PageTarget[], idempotencyKey: string): PageSendState {
  return {
    step: 'compose',
    draft: { summary: '', details: '', targetId: (targets.find((t) => t.isDefault) ?? targets[0])?.id ?? '' },
    errors: NO_ERRORS,
    checked: false,
    idempotencyKey,
    send: { kind: 'idle', refusal: null },
    blockedUntil: null,
    page: null,
  };
}

/** Send is off: a rate-limit refusal says not before `blockedUntil`. */
export const sendBlocked = (s: PageSendState, now: number): boolean => s.blockedUntil !== null && now < s.blockedUntil;

/** When a refusal lets the person page again, if it says (`retryAfterSeconds`). */
const blockedBy = (refusal: Failure, at: number, previous: number | null): number | null =>
  refusal.retryAfterSeconds ? at + refusal.retryAfterSeconds * 1000 : previous;

/** The text may not change while a request under the current key may have been stored. */
export const isLocked = (s: PageSendState): boolean => s.send.kind !== 'idle';

/** Why the last Send is in doubt, shown on the confirm step (also while Try again is on its way). */
export const sendDoubt = (s: PageSendState): Failure | null => (s.send.kind === 'idle' ? null : s.send.doubt);

/** The kept copy of the request whose outcome is unknown, if the client keeps it (it then keeps trying). */
export function heldUnsent(s: PageSendState, unsent: readonly UnsentPage[]): UnsentPage | null {
  if (s.send.kind === 'idle') return null;
  const key = s.send.pending.request.idempotencyKey;
  return unsent.find((u) => u.request.idempotencyKey === key) ?? null;
}

/** The first field Continue would flag, for focus. */
export function firstInvalidField(s: PageSendState): 'summary' | 'details' | null {
  const e = checkPageForm(s.draft.summary, s.draft.details);
  return e.summary ? 'summary' : e.details ? 'details' : null;
}

/** The request and what identifies its page among mine, from the draft at the moment of the first Send. */
export function pendingSend(
  s: PageSendState,
  target: PageTarget | null,
  knownPages: readonly Page[],
  now: number,
): PendingSend {
  const summary = s.draft.summary.trim();
  return {
    request: {
      summary,
      details: s.draft.details,
      ...(target ? { target: target.id } : {}),
      idempotencyKey: s.idempotencyKey,
    },
    attempt: {
      summary,
      targetId: target?.id ?? null,
      firstSentAt: now,
      knownPageIds: new Set(knownPages.map((p) => p.id)),
    },
  };
}

const follow = (s: PageSendState, page: Page): PageSendState => ({ ...s, step: 'sent', page });

export function pageSendReducer(s: PageSendState, e: PageSendEvent): PageSendState {
  switch (e.type) {
    case 'edit': {
      if (isLocked(s)) return s;
      const draft = { ...s.draft, [e.field]: e.value };
      if (!s.checked) return { ...s, draft };
      const checked = checkPageForm(draft.summary, draft.details);
      return { ...s, draft, errors: { ...s.errors, [e.field]: checked[e.field] } };
    }
    case 'choose-target':
      return isLocked(s) ? s : { ...s, draft: { ...s.draft, targetId: e.targetId } };
    case 'continue': {
      if (s.step !== 'compose') return s;
      const errors = checkPageForm(s.draft.summary, s.draft.details);
      if (errors.summary || errors.details) return { ...s, checked: true, errors };
      const send = s.send.kind === 'idle' ? { kind: 'idle' as const, refusal: null } : s.send;
      return { ...s, checked: true, errors, send, step: 'confirm' };
    }
    case 'back':
      return s.step === 'confirm' && s.send.kind !== 'sending' ? { ...s, step: 'compose' } : s;
    case 'send-started':
      if (s.step !== 'confirm' || s.send.kind === 'sending') return s;
      return { ...s, send: { kind: 'sending', pending: e.pending, doubt: sendDoubt(s) } };
    case 'send-answered':
      return follow(s, e.page);
    case 'send-failed':
      return afterFailedSend(s, e);
    case 'pages-changed': {
      if (s.step === 'sent' || s.send.kind === 'idle' || s.send.doubt === null) return s;
      const found = findSentPage(e.pages, s.send.pending.attempt);
      return found ? follow(s, found) : s;
    }
    case 'unsent-changed': {
      if (s.step === 'sent' || s.send.kind !== 'uncertain') return s;
      const refusal = heldUnsent(s, e.unsent)?.refusal;
      if (!refusal) return s;
      // Certainly not stored: the text is the person's again, and the next Send is a new request.
      return {
        ...s,
        idempotencyKey: e.freshKey,
        send: { kind: 'idle', refusal },
        blockedUntil: blockedBy(refusal, e.at, s.blockedUntil),
      };
    }
  }
}

function afterFailedSend(s: PageSendState, e: Extract<PageSendEvent, { type: 'send-failed' }>): PageSendState {
  // A late answer to a request whose page is already followed changes nothing.
  if (s.step === 'sent' || s.send.kind !== 'sending') return s;
  const decision = afterSendFailure(e.error.code, s.send.pending.attempt, e.pages);
  if (decision.kind === 'follow') return follow(s, decision.page);
  if (decision.kind === 'uncertain')
    return { ...s, send: { kind: 'uncertain', pending: s.send.pending, doubt: e.error } };
  // Certainly not stored: the text is the person's again, and the next Send is a new request.
  const refused = {
    ...s,
    idempotencyKey: e.freshKey,
    send: { kind: 'idle' as const, refusal: e.error },
    blockedUntil: blockedBy(e.error, e.at, s.blockedUntil),
  };
  const field = e.error.code === 'invalid_request' ? e.error.field : undefined;
  if (field === 'summary' || field === 'details') {
    return {
      ...refused,
      step: 'compose',
      errors: { ...NO_ERRORS, [field]: e.error.message },
      send: { kind: 'idle', refusal: null },
    };
  }
  return refused;
}
