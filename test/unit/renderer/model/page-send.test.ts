import { describe, expect, it } from 'vitest';
import type { Failure, PageTarget, UnsentPage } from '#common/index.js';
import {
  firstInvalidField,
  heldUnsent,
  initialPageSendState,
  isLocked,
  pageSendReducer,
  pendingSend,
  sendBlocked,
  sendDoubt,
  type PageSendEvent,
  type PageSendState,
} from '#renderer/model/page-send.js';
import { T0, iso, page } from '#test/support/renderer-fixtures.js';

const TARGETS: PageTarget[] = [
  { id: 'sre', label: 'SRE on call', description: null, teams: [], isDefault: false },
  { id: 'db', label: 'Databases', description: null, teams: [], isDefault: true },
];
const KEY = 'klx-first-key-0000000000';
const FRESH = 'klx-fresh-key-0000000000';
const OLD_ID = '00000000-0000-4000-8000-000000000001';
const NEW_ID = '00000000-0000-4000-8000-000000000002';
const lost: Failure = { code: 'upstream_unavailable', message: 'The Klaxon server is not reachable.' };

const run = (s: PageSendState, ...events: PageSendEvent[]) => events.reduce(pageSendReducer, s);
const start = () => initialPageSendState(TARGETS, KEY);
/** Typed a summary and pressed Continue. */
const confirming = (summary = 'Login broken for everyone') =>
  run(start(), { type: 'edit', field: 'summary', value: summary }, { type: 'continue' });
/** Chose the SRE target and pressed Send, with one older page of mine known. */
const sending = () => {
  const s = run(confirming(), { type: 'back' }, { type: 'choose-target', targetId: 'sre' }, { type: 'continue' });
  return run(s, { type: 'send-started', pending: pendingSend(s, TARGETS[0]!, [page({ id: OLD_ID })], T0) });
};
const failed = (s: PageSendState, error: Failure, pages = [page({ id: OLD_ID })]) =>
  run(s, { type: 'send-failed', error, pages, freshKey: FRESH, at: T0 });

describe('page dialog: compose and confirm', () => {
  it('opens on compose with the default target, nothing checked and nothing sent', () => {
    const s = start();
    expect(s).toMatchObject({ step: 'compose', draft: { summary: '', details: '', targetId: 'db' }, checked: false });
    expect(s.send).toEqual({ kind: 'idle', refusal: null });
    expect(isLocked(s)).toBe(false);
    expect(initialPageSendState([], KEY).draft.targetId).toBe('');
  });

  it('Continue with an empty summary stays on compose and flags it; later edits re-check the field', () => {
    let s = run(start(), { type: 'edit', field: 'summary', value: '  ' });
    expect(s.errors.summary).toBeNull(); // not checked before the first Continue
    expect(firstInvalidField(s)).toBe('summary');
    s = run(s, { type: 'continue' });
    expect(s).toMatchObject({ step: 'compose', checked: true });
    expect(s.errors.summary).toMatch(/Summary is empty/);
    s = run(s, { type: 'edit', field: 'summary', value: 'VPN down' });
    expect(s.errors.summary).toBeNull();
    expect(firstInvalidField(s)).toBeNull();
  });

  it('Continue with a valid form goes to confirm; Back returns to compose', () => {
    const s = confirming();
    expect(s.step).toBe('confirm');
    expect(run(s, { type: 'back' }).step).toBe('compose');
  });

  it('builds the request from the draft: trimmed summary, chosen target, this dialog’s key', () => {
    const s = run(confirming('  Login broken  '), { type: 'edit', field: 'details', value: 'since 9:00' });
    const p = pendingSend(s, TARGETS[0]!, [page({ id: OLD_ID })], T0);
    expect(p.request).toEqual({ summary: 'Login broken', details: 'since 9:00', target: 'sre', idempotencyKey: KEY });
    expect(p.attempt).toEqual({
      summary: 'Login broken',
      targetId: 'sre',
      firstSentAt: T0,
      knownPageIds: new Set([OLD_ID]),
    });
    expect(pendingSend(s, null, [], T0).request).not.toHaveProperty('target');
  });
});

describe('page dialog: Send', () => {
  it('while sending, the text and target are locked and Back does nothing', () => {
    const s = sending();
    expect(s.send.kind).toBe('sending');
    expect(isLocked(s)).toBe(true);
    expect(run(s, { type: 'edit', field: 'summary', value: 'changed' })).toBe(s);
    expect(run(s, { type: 'choose-target', targetId: 'sre' })).toBe(s);
    expect(run(s, { type: 'back' })).toBe(s);
  });

  it('an answer with the page: follow it', () => {
    const sent = page({ id: NEW_ID });
    expect(run(sending(), { type: 'send-answered', page: sent })).toMatchObject({ step: 'sent', page: sent });
  });

  it('a definitive refusal: "Not sent", the text is editable again and the next Send is a new request', () => {
    const refusal: Failure = { code: 'rate_limited', message: 'Too many pages.', retryAfterSeconds: 30 };
    const s = failed(sending(), refusal);
    expect(s).toMatchObject({ step: 'confirm', idempotencyKey: FRESH, send: { kind: 'idle', refusal } });
    expect(isLocked(s)).toBe(false);
    // Continue again clears the old "Not sent".
    expect(run(s, { type: 'back' }, { type: 'continue' }).send).toEqual({ kind: 'idle', refusal: null });
  });

  it('a rate-limit refusal turns Send off until the time it gives, through Back and Continue', () => {
    const refusal: Failure = { code: 'rate_limited', message: 'Too many pages.', retryAfterSeconds: 254 };
    const s = failed(sending(), refusal);
    expect(s.blockedUntil).toBe(T0 + 254_000);
    expect(sendBlocked(s, T0 + 253_999)).toBe(true);
    expect(sendBlocked(s, T0 + 254_000)).toBe(false);
    const again = run(s, { type: 'back' }, { type: 'continue' });
    expect(again.send).toEqual({ kind: 'idle', refusal: null });
    expect(sendBlocked(again, T0 + 100_000)).toBe(true);
    // Other refusals say nothing about time: Send stays on.
    expect(sendBlocked(failed(sending(), { code: 'forbidden', message: 'No.' }), T0)).toBe(false);
  });

  it('a refused summary or details goes back to compose with the error under that field', () => {
    const s = failed(sending(), { code: 'invalid_request', message: 'summary must not be empty', field: 'summary' });
    expect(s).toMatchObject({ step: 'compose', idempotencyKey: FRESH, send: { kind: 'idle', refusal: null } });
    expect(s.errors).toEqual({ summary: 'summary must not be empty', details: null });
  });

  it('a lost answer and no such page among mine: outcome unknown, text locked, same key', () => {
    const s = failed(sending(), lost);
    expect(s).toMatchObject({ step: 'confirm', idempotencyKey: KEY, send: { kind: 'uncertain', doubt: lost } });
    expect(isLocked(s)).toBe(true);
    expect(sendDoubt(s)).toBe(lost);
  });

  it('a lost answer but the page is among mine: follow it', () => {
    const found = page({ id: NEW_ID, createdAt: iso(1000) });
    expect(failed(sending(), lost, [page({ id: OLD_ID }), found])).toMatchObject({ step: 'sent', page: found });
  });

  it('Try again resends the same request and keeps saying why until the outcome is known', () => {
    const uncertain = failed(sending(), lost);
    if (uncertain.send.kind !== 'uncertain') throw new Error('expected uncertain');
    const back = run(
      uncertain,
      { type: 'back' },
      { type: 'edit', field: 'summary', value: 'other' },
      { type: 'continue' },
    );
    expect(back.draft.summary).toBe('Login broken for everyone');
    expect(back.send).toBe(uncertain.send);
    const retry = run(back, { type: 'send-started', pending: uncertain.send.pending });
    expect(retry.send).toEqual({ kind: 'sending', pending: uncertain.send.pending, doubt: lost });
    expect(sendDoubt(retry)).toBe(lost);
  });

  it('while the outcome is unknown, the page showing up among mine is followed', () => {
    const uncertain = failed(sending(), lost);
    expect(run(uncertain, { type: 'pages-changed', pages: [page({ id: OLD_ID })] })).toBe(uncertain);
    const found = page({ id: NEW_ID, createdAt: iso(1000) });
    expect(run(uncertain, { type: 'pages-changed', pages: [found] })).toMatchObject({ step: 'sent', page: found });
    // Nothing in doubt: new pages change nothing.
    expect(run(confirming(), { type: 'pages-changed', pages: [found] }).step).toBe('confirm');
  });

  it('an answer that arrives after the page is already followed changes nothing', () => {
    const found = page({ id: NEW_ID, createdAt: iso(1000) });
    const retry = run(failed(sending(), lost), {
      type: 'send-started',
      pending: pendingSend(confirming(), null, [], T0),
    });
    const followed = run(retry, { type: 'pages-changed', pages: [found] });
    expect(followed.step).toBe('sent');
    expect(failed(followed, { code: 'forbidden', message: 'no' })).toBe(followed);
  });
});

describe('page dialog: a request the client keeps because the server did not answer', () => {
  const kept = (s: PageSendState, over: Partial<UnsentPage> = {}): UnsentPage => {
    if (s.send.kind === 'idle') throw new Error('nothing sent');
    return {
      request: { ...s.send.pending.request, details: s.send.pending.request.details ?? '' },
      requesterSub: 'alice',
      targetLabel: 'SRE on call',
      firstTriedAt: iso(0),
      attempts: 1,
      lastError: lost.message,
      nextAttemptAt: iso(8000),
      refusal: null,
      ...over,
    };
  };

  it('finds the kept copy of its own request, and no other', () => {
    const uncertain = failed(sending(), lost);
    const mine = kept(uncertain);
    const other = { ...mine, request: { ...mine.request, idempotencyKey: 'klx-other-key-000000000' } };
    expect(heldUnsent(uncertain, [other, mine])).toBe(mine);
    expect(heldUnsent(uncertain, [other])).toBeNull();
    expect(heldUnsent(confirming(), [mine])).toBeNull();
  });

  it('keeps waiting while the copy waits; says "Not sent" with the reason once the server refuses it', () => {
    const uncertain = failed(sending(), lost);
    expect(run(uncertain, { type: 'unsent-changed', unsent: [kept(uncertain)], freshKey: FRESH, at: T0 })).toBe(
      uncertain,
    );
    const refusal: Failure = { code: 'forbidden', message: 'Your account may no longer page SRE.' };
    const s = run(uncertain, {
      type: 'unsent-changed',
      unsent: [kept(uncertain, { refusal, nextAttemptAt: null })],
      freshKey: FRESH,
      at: T0,
    });
    expect(s).toMatchObject({ step: 'confirm', idempotencyKey: FRESH, send: { kind: 'idle', refusal } });
    expect(isLocked(s)).toBe(false);
  });
});
