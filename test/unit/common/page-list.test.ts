// common/page-list.ts: the one rule for a client's list of the user's pages.
import { describe, expect, it } from 'vitest';
import { mergePages, reducePages } from '#common/index.js';
import { iso, page } from '#test/support/renderer-fixtures.js';

describe("the user's pages", () => {
  it('keeps the newest version of each page whatever order updates arrive in', () => {
    const v1 = page({ status: 'queued', updatedAt: iso(0) });
    const v2 = page({ status: 'delivered', updatedAt: iso(1000) });
    expect(mergePages([v2], [v1])[0]?.status).toBe('delivered');
    expect(mergePages([v1], [v2])[0]?.status).toBe('delivered');
    expect(
      mergePages([v1], [page({ id: '00000000-0000-4000-8000-000000000009', createdAt: iso(5000) })]).map(
        (p) => p.id,
      )[0],
    ).toBe('00000000-0000-4000-8000-000000000009');
  });

  it('page events follow the same rule: a late, older version does not replace a newer one', () => {
    const v1 = page({ status: 'queued', updatedAt: iso(0) });
    const v2 = page({ status: 'delivered', updatedAt: iso(1000) });
    expect(reducePages([v2], { type: 'page', id: '7', data: v1 }).map((p) => p.status)).toEqual(['delivered']);
    expect(reducePages([v1], { type: 'page', id: '8', data: v2 }).map((p) => p.status)).toEqual(['delivered']);
  });
});
