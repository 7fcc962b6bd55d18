import { describe, expect, it } from 'vitest';
import { IdempotencyKey, PageRequest } from '#common/index.js';
import { checkPageForm, counter, newIdempotencyKey } from '#renderer/model/page-form.js';

describe('page form checks', () => {
  it('names the field in every error', () => {
    expect(checkPageForm('   ', '').summary).toMatch(/^Summary is empty/);
    expect(checkPageForm('x'.repeat(121), '').summary).toMatch(/^Summary is too long: 121 of at most 120/);
    expect(checkPageForm('ok', 'y'.repeat(4001)).details).toMatch(/^Details are too long/);
    expect(checkPageForm('line\nbreak', '').summary).toMatch(/^Summary must be one line/);
  });

  it('agrees with the server schema on what is valid (code points, trimming)', () => {
    const emoji = '🔥'.repeat(120); // 240 UTF-16 units, 120 code points: allowed
    for (const [summary, details] of [
      [emoji, ''],
      ['  padded  ', 'multi\nline'],
      ['x'.repeat(121), ''],
      ['', ''],
    ] as const) {
      const local = checkPageForm(summary, details);
      const server = PageRequest.safeParse({ summary, details, idempotencyKey: newIdempotencyKey() });
      expect(local.summary === null && local.details === null).toBe(server.success);
    }
  });

  it('counts characters as a person sees them', () => {
    expect(counter('🔥🔥', 120)).toBe('2/120');
  });

  it('makes idempotency keys the server accepts, different each dialog session', () => {
    const a = newIdempotencyKey();
    expect(IdempotencyKey.safeParse(a).success).toBe(true);
    expect(a.length).toBeGreaterThanOrEqual(16);
    expect(newIdempotencyKey()).not.toBe(a);
  });
});
