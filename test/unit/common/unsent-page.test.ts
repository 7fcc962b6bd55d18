import { describe, expect, it } from 'vitest';
import {
  UnsentPage,
  afterSendAttempt,
  dueUnsent,
  fail,
  nextUnsentDueInMs,
  ok,
  targetLabelOf,
  type SendAttempt,
} from '#common/index.js';
import { T0, iso, page } from '#test/support/renderer-fixtures.js';

const request = { summary: 'Login broken', details: '', idempotencyKey: 'klx-0123456789abcdef' };
const first: SendAttempt = { request, requesterSub: 'alice', targetLabel: 'SRE on call', kept: null };
const noAnswer = fail('upstream_unavailable', 'The Klaxon server is not reachable.');
const half = () => 0.5;

describe('afterSendAttempt: what one attempt to send a page ends in', () => {
  it('keeps a first Send that got no answer, with the same request, due again soon', () => {
    const o = afterSendAttempt(first, noAnswer, T0, half);
    expect(o.kind).toBe('kept');
    const u = o.kind === 'kept' ? o.unsent : null;
    expect(u).toEqual({
      request,
      requesterSub: 'alice',
      targetLabel: 'SRE on call',
      firstTriedAt: iso(0),
      attempts: 1,
      lastError: 'The Klaxon server is not reachable.',
      nextAttemptAt: iso(1500),
      refusal: null,
    });
    expect(UnsentPage.safeParse(u).success).toBe(true);
  });

  it('leaves a refused first Send to the dialog, and a Send while signed out too', () => {
    for (const code of ['invalid_request', 'forbidden', 'conflict', 'rate_limited', 'unauthorized'] as const)
      expect(afterSendAttempt(first, fail(code, 'No.'), T0).kind).toBe('not-kept');
  });

  it('spaces resends out, never more than 30 s apart, and forgets the copy once the server accepts', () => {
    let kept = afterSendAttempt(first, noAnswer, T0, () => 1);
    const gaps: number[] = [];
    for (let i = 0; i < 6 && kept.kind === 'kept'; i++) {
      gaps.push(Date.parse(kept.unsent.nextAttemptAt!) - T0);
      kept = afterSendAttempt({ ...first, kept: kept.unsent }, noAnswer, T0, () => 1);
    }
    expect(gaps).toEqual([2000, 4000, 8000, 16000, 30000, 30000]);
    const p = page();
    expect(afterSendAttempt({ ...first, kept: null }, ok(p), T0)).toEqual({ kind: 'accepted', page: p });
  });

  it('marks a kept page refused on a definitive answer: NOT sent, with the reason, no next attempt', () => {
    const kept = afterSendAttempt(first, noAnswer, T0);
    if (kept.kind !== 'kept') throw new Error('kept');
    const refused = afterSendAttempt(
      { ...first, kept: kept.unsent },
      fail('forbidden', 'You may no longer page SRE.'),
      T0 + 5000,
    );
    expect(refused).toMatchObject({
      kind: 'kept',
      unsent: {
        attempts: 2,
        nextAttemptAt: null,
        refusal: { code: 'forbidden', message: 'You may no longer page SRE.' },
        firstTriedAt: iso(0),
      },
    });
  });

  it('keeps a kept page through a sign-out, waiting for its author instead of a timer', () => {
    const kept = afterSendAttempt(first, noAnswer, T0);
    if (kept.kind !== 'kept') throw new Error('kept');
    const o = afterSendAttempt({ ...first, kept: kept.unsent }, fail('unauthorized', 'Sign in.'), T0);
    expect(o).toMatchObject({
      kind: 'kept',
      unsent: { nextAttemptAt: null, refusal: null, lastError: 'Sign in to Klaxon again to send it.' },
    });
  });
});

describe('which kept pages go when', () => {
  const waiting = (over: Partial<UnsentPage>): UnsentPage => ({
    request,
    requesterSub: 'alice',
    targetLabel: 'SRE on call',
    firstTriedAt: iso(0),
    attempts: 1,
    lastError: 'x',
    nextAttemptAt: iso(5000),
    refusal: null,
    ...over,
  });
  const later = waiting({});
  const signInFirst = waiting({ request: { ...request, idempotencyKey: 'klx-bbbbbbbbbbbbbbbb' }, nextAttemptAt: null });
  const bobs = waiting({ requesterSub: 'bob', nextAttemptAt: iso(0) });
  const refused = waiting({ nextAttemptAt: null, refusal: { code: 'forbidden', message: 'No.' } });

  it('resends only its author’s waiting pages, when due or all at once after a sign-in', () => {
    const all = [later, signInFirst, bobs, refused];
    expect(dueUnsent(all, 'alice', T0)).toEqual([]);
    expect(dueUnsent(all, 'alice', T0 + 5000)).toEqual([later]);
    expect(dueUnsent(all, 'alice', T0, true)).toEqual([later, signInFirst]);
    expect(dueUnsent(all, null, T0, true)).toEqual([]);
    expect(nextUnsentDueInMs(all, 'alice', T0)).toBe(5000);
    expect(nextUnsentDueInMs(all, 'bob', T0 + 1000)).toBe(0);
    expect(nextUnsentDueInMs([refused], 'alice', T0)).toBeNull();
  });

  it('names the target as the person chose it, else the default', () => {
    const targets = [
      { id: 'sre', label: 'SRE on call', isDefault: true },
      { id: 'platform', label: 'Platform on call', isDefault: false },
    ];
    expect(targetLabelOf(targets, 'platform')).toBe('Platform on call');
    expect(targetLabelOf(targets, undefined)).toBe('SRE on call');
    expect(targetLabelOf([], 'gone')).toBe('gone');
  });
});
