import { describe, expect, it } from 'vitest';
import { accessReview, monthsBefore } from '#server/audit/access-review.js';

describe('monthsBefore', () => {
  it('goes back calendar months, the 31st clamped to a shorter month', () => {
    expect(monthsBefore(new Date('2026-12-01T02:00:00Z'), 6).toISOString()).toBe('2026-06-01T02:00:00.000Z');
    expect(monthsBefore(new Date('2026-08-31T00:00:00Z'), 6).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(monthsBefore(new Date('2026-03-15T00:00:00Z'), 12).toISOString()).toBe('2025-03-15T00:00:00.000Z');
  });
});

describe('accessReview', () => {
  const entry = (sub: string, at: string, action: string, groups: string[] | null) => ({
    id: 1,
    at: new Date(at),
    actorSub: sub,
    actorName: sub.toUpperCase(),
    actorGroups: groups,
    action,
    pageId: null,
    detail: {},
  });

  it('counts each power, shows the last use and marks who has not used one for N months', () => {
    const r = accessReview(
      [
        {
          sub: 'old',
          last: entry('old', '2026-01-10T00:00:00Z', 'page.accepted', null),
          counts: { 'page.accepted': 1 },
        },
        {
          sub: 'new',
          last: entry('new', '2026-11-30T00:00:00Z', 'incident.acknowledge', ['sre']),
          counts: { 'page.accepted': 3, 'incident.acknowledge': 2, 'escalation.claimed': 1 },
        },
      ],
      { now: new Date('2026-12-01T00:00:00Z'), months: 6, retentionDays: 400 },
    );
    expect(r.inactiveBefore).toBe('2026-06-01T00:00:00.000Z');
    expect(r.people).toEqual([
      {
        sub: 'new',
        name: 'NEW',
        groups: ['sre'],
        lastUsedAt: '2026-11-30T00:00:00.000Z',
        lastUse: 'acknowledged',
        uses: { paged: 3, acknowledged: 2, escalated: 1 },
        inactive: false,
      },
      {
        sub: 'old',
        name: 'OLD',
        groups: null,
        lastUsedAt: '2026-01-10T00:00:00.000Z',
        lastUse: 'paged',
        uses: { paged: 1, acknowledged: 0, escalated: 0 },
        inactive: true,
      },
    ]);
  });
});
