import { describe, expect, it } from 'vitest';
import { decideRate, rateLimitMessage } from '#server/pages/rate-limit.js';

const rule = { max: 3, windowSeconds: 600 };
const contacts = [
  { kind: 'chat' as const, label: '#sre chat channel', href: 'https://chat.example.org/#sre' },
  { kind: 'phone' as const, label: 'SRE emergency line', href: 'tel:+15550100' },
];

describe('page rate limit', () => {
  it('allows up to max pages in the window and then says when the next one is possible', () => {
    const now = 1_000_000_000;
    expect(decideRate([now - 10_000, now - 5_000], rule, now)).toEqual({ allowed: true });
    const d = decideRate([now - 500_000, now - 10_000, now - 5_000], rule, now);
    expect(d).toEqual({ allowed: false, count: 3, retryAfterSeconds: 100 });
    // Events that left the window no longer count.
    expect(decideRate([now - 700_000, now - 10_000, now - 5_000], rule, now)).toEqual({ allowed: true });
  });

  it('explains the limit and points to the emergency phone line', () => {
    expect(rateLimitMessage(3, rule, 100, contacts)).toBe(
      'You have sent 3 pages in the last 10 minutes. If this is a new emergency, call the SRE emergency line (+1 555 0100).',
    );
    expect(rateLimitMessage(1, { max: 1, windowSeconds: 3600 }, 100, [])).toBe(
      'You have sent 1 page in the last hour. You can page again in about 2 minutes.',
    );
  });
});
