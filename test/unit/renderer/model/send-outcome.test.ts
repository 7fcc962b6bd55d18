import { describe, expect, it } from 'vitest';
import {
  afterSendFailure,
  findSentPage,
  isDefinitiveRefusal,
  pageAgainText,
  type SendAttempt,
} from '#renderer/model/send-outcome.js';
import { T0, iso, page } from '#test/support/renderer-fixtures.js';

const OLD_ID = '00000000-0000-4000-8000-000000000001';
const NEW_ID = '00000000-0000-4000-8000-000000000002';
const attempt = (over: Partial<SendAttempt> = {}): SendAttempt => ({
  summary: 'Login broken for everyone',
  targetId: 'sre',
  firstSentAt: T0,
  knownPageIds: new Set([OLD_ID]),
  ...over,
});

describe('after a failed Send', () => {
  it('a definitive refusal means not sent, whatever my pages show', () => {
    for (const code of ['invalid_request', 'forbidden', 'rate_limited', 'unauthorized'] as const) {
      expect(isDefinitiveRefusal(code)).toBe(true);
      expect(afterSendFailure(code, attempt(), [page({ id: NEW_ID, createdAt: iso(1000) })])).toEqual({
        kind: 'refused',
      });
    }
  });

  it('a timeout, lost connection or 5xx leaves the outcome unknown while the page is not found', () => {
    for (const code of ['upstream_unavailable', 'internal'] as const) {
      expect(isDefinitiveRefusal(code)).toBe(false);
      expect(afterSendFailure(code, attempt(), [])).toEqual({ kind: 'uncertain' });
    }
  });

  it('follows the page when the server stored it although the answer was lost', () => {
    const mine = page({ id: NEW_ID, status: 'delivered', incidentNumber: '42', createdAt: iso(800) });
    expect(afterSendFailure('upstream_unavailable', attempt(), [mine])).toEqual({ kind: 'follow', page: mine });
  });

  it('on 409 conflict (same key, other text) follows the page the first Send made', () => {
    const first = page({ id: NEW_ID, createdAt: iso(500) });
    expect(afterSendFailure('conflict', attempt(), [first])).toEqual({ kind: 'follow', page: first });
    expect(afterSendFailure('conflict', attempt(), [])).toEqual({ kind: 'uncertain' });
  });

  it('never takes an older page with the same summary, another target, or another summary for this one', () => {
    const before = page({ id: OLD_ID, createdAt: iso(-30_000) });
    expect(findSentPage([before], attempt())).toBeNull();
    expect(
      findSentPage(
        [page({ id: NEW_ID, createdAt: iso(1000), target: { id: 'platform', label: 'Platform on call' } })],
        attempt(),
      ),
    ).toBeNull();
    expect(findSentPage([page({ id: NEW_ID, createdAt: iso(1000), summary: 'Something else' })], attempt())).toBeNull();
    expect(
      findSentPage([page({ id: NEW_ID, createdAt: iso(-10 * 60_000) })], attempt({ knownPageIds: new Set() })),
    ).toBeNull();
    // A server clock a little behind the laptop's is fine.
    expect(findSentPage([page({ id: NEW_ID, createdAt: iso(-30_000) })], attempt())?.id).toBe(NEW_ID);
  });
});

describe('"Not sent" wording', () => {
  it('says when a rate-limited person may page again, counting down, with the clock time for longer waits', () => {
    expect(pageAgainText(T0 + 41_200, T0)).toBe('You can page again in 42 s.');
    expect(pageAgainText(T0 + 254_000, T0, 'UTC')).toBe('You can page again in about 4 minutes (at 12:04).');
    expect(pageAgainText(T0 + 254_000, T0 + 250_000, 'UTC')).toBe('You can page again in 4 s.');
    expect(pageAgainText(T0 + 254_000, T0 + 254_000)).toBeNull();
    expect(pageAgainText(null, T0)).toBeNull();
  });
});
