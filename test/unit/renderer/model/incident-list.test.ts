import { describe, expect, it } from 'vitest';
import {
  ackOutcome,
  pagesNobody,
  resolvedSummary,
  sortIncidents,
  splitIncidents,
} from '#renderer/model/incident-list.js';
import { incident, iso } from '#test/support/renderer-fixtures.js';

describe('incident list', () => {
  it('shows unacknowledged first, then acknowledged, then resolved, newest first within each', () => {
    const list = [
      incident({ number: '1', phase: 'RESOLVED', startedAt: iso(0) }),
      incident({ number: '2', phase: 'ACKED', startedAt: iso(-60_000) }),
      incident({ number: '3', phase: 'UNACKED', startedAt: iso(-120_000) }),
      incident({ number: '4', phase: 'ACKED', startedAt: iso(0) }),
      incident({ number: '5', phase: 'UNACKED', startedAt: iso(0) }),
    ];
    expect(sortIncidents(list).map((i) => i.number)).toEqual(['5', '3', '4', '2', '1']);
    expect(list.map((i) => i.number)).toEqual(['1', '2', '3', '4', '5']); // the input is left alone
  });

  it('keeps open incidents in view and folds the resolved ones away, each group in list order', () => {
    const list = [
      incident({ number: '1', phase: 'RESOLVED', startedAt: iso(0) }),
      incident({ number: '2', phase: 'ACKED', startedAt: iso(-60_000) }),
      incident({ number: '3', phase: 'RESOLVED', startedAt: iso(-120_000) }),
      incident({ number: '4', phase: 'UNACKED', startedAt: iso(-120_000) }),
    ];
    const { open, resolved } = splitIncidents(list);
    expect(open.map((i) => i.number)).toEqual(['4', '2']);
    expect(resolved.map((i) => i.number)).toEqual(['1', '3']);
    expect(resolvedSummary(1)).toBe('1 resolved incident');
    expect(resolvedSummary(3)).toBe('3 resolved incidents');
  });

  it('flags an unacknowledged incident that pages nobody', () => {
    expect(pagesNobody({ phase: 'UNACKED', pagedUsers: [] })).toBe(true);
    expect(pagesNobody({ phase: 'UNACKED', pagedUsers: ['carol'] })).toBe(false);
    expect(pagesNobody({ phase: 'ACKED', pagedUsers: [] })).toBe(false);
    // Known from a webhook only: who it pages is not known yet.
    expect(pagesNobody({ phase: 'UNACKED', pagedUsers: [], provisional: true })).toBe(false);
  });

  it("words an Acknowledge: On-Call's answer, a refusal, or why it could not be asked", () => {
    expect(ackOutcome({ ok: true, value: { incident: null, accepted: true, message: 'Acknowledged.' } })).toEqual({
      message: 'Acknowledged.',
      failed: false,
    });
    expect(ackOutcome({ ok: true, value: { incident: null, accepted: false, message: 'Already resolved.' } })).toEqual({
      message: 'Already resolved.',
      failed: true,
    });
    expect(ackOutcome({ ok: false, error: { code: 'forbidden', message: 'Only SRE can acknowledge.' } })).toEqual({
      message: 'Only SRE can acknowledge.',
      failed: true,
    });
  });
});
