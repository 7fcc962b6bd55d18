import { describe, expect, it } from 'vitest';
import { auditFilterQuery, entrySubject, powerWords, showingWords, usesWords } from '#renderer/model/audit-view.js';

describe('auditFilterQuery', () => {
  it('leaves empty fields out and trims the person', () => {
    expect(auditFilterQuery({ person: '  bob ', action: '', fromDate: '', toDate: '' })).toEqual({
      ok: true,
      query: { person: 'bob', action: undefined, from: undefined, to: undefined },
    });
  });

  it('turns local days into a range that includes the whole "to" day', () => {
    const r = auditFilterQuery({ person: '', action: 'page.accepted', fromDate: '2026-11-02', toDate: '2026-11-02' });
    expect(r).toEqual({
      ok: true,
      query: {
        person: undefined,
        action: 'page.accepted',
        from: new Date(2026, 10, 2).toISOString(),
        to: new Date(2026, 10, 3).toISOString(),
      },
    });
  });

  it('refuses a "to" day before the "from" day with a sentence', () => {
    expect(auditFilterQuery({ person: '', action: '', fromDate: '2026-11-02', toDate: '2026-11-01' })).toEqual({
      ok: false,
      message: 'The "To" day is before the "From" day.',
    });
  });
});

describe('words', () => {
  it('says what an entry was about from its details', () => {
    const base = { id: '1', at: '2026-01-01T00:00:00Z', actor: null, groups: null, pageId: null };
    expect(
      entrySubject({
        ...base,
        action: 'page.accepted',
        detail: { summary: 'Wiki down', target: 'sre', client: 'web' },
      }),
    ).toBe('"Wiki down" to sre from web');
    expect(entrySubject({ ...base, action: 'incident.acknowledge', detail: { incident: '12', accepted: false } })).toBe(
      'incident #12 (On-Call did not accept it)',
    );
    // Another service's incident is named with its service: its numbers can equal On-Call's.
    expect(
      entrySubject({ ...base, action: 'escalation.done', detail: { incident: 'pagerduty:12', accepted: false } }),
    ).toBe('PagerDuty incident #12 (PagerDuty did not accept it)');
  });

  it('names the powers and counts entries in words', () => {
    expect(powerWords()).toBe('paged, acknowledged or escalated');
    expect([0, 1, 2].map(showingWords)).toEqual([
      'No entries match.',
      'Showing 1 entry, newest first.',
      'Showing 2 entries, newest first.',
    ]);
  });

  it('counts uses in words', () => {
    const person = {
      sub: 'a',
      name: null,
      groups: null,
      lastUsedAt: '2026-01-01T00:00:00Z',
      lastUse: 'paged' as const,
      inactive: false,
    };
    expect(usesWords({ ...person, uses: { paged: 1, acknowledged: 2, escalated: 0 } })).toBe(
      '1 page, 2 acknowledgements',
    );
  });
});
