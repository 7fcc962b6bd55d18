import { describe, expect, it } from 'vitest';
import {
  decideEscalations,
  escalateNowRefusal,
  observeNobodyPaged,
  type EscalationInput,
} from '#server/escalation/decide.js';
import { T0, incident, page } from '#test/support/renderer-fixtures.js';

const SRE = 'team-sreKLX0000000001';
const PLT = 'team-pltKLX0000000002';
const unpaged = (n: string, over = {}) =>
  incident({ number: n, pagedUsers: [], teams: [{ slug: PLT, name: 'Platform' }], ...over });

function input(over: Partial<EscalationInput> = {}): EscalationInput {
  return {
    incidents: [],
    fresh: true,
    now: T0,
    nobodyPagedSince: new Map(),
    escalated: () => false,
    unpaged: { enabled: true, teams: new Set(), graceMs: 60_000 },
    pages: null,
    ...over,
  };
}

describe('observeNobodyPaged', () => {
  it('keeps the first time an incident was seen paging nobody, and forgets it once someone is paged', () => {
    const first = observeNobodyPaged(new Map(), [unpaged('1'), incident({ number: '2' })], T0);
    expect([...first]).toEqual([['1', T0]]);
    const later = observeNobodyPaged(first, [unpaged('1'), unpaged('3')], T0 + 15_000);
    expect([...later]).toEqual([
      ['1', T0],
      ['3', T0 + 15_000],
    ]);
    // Someone is paged now (a later step, or rerouted): the clock starts again if it ever pages nobody again.
    expect([...observeNobodyPaged(later, [incident({ number: '1' })], T0 + 30_000)]).toEqual([]);
  });

  it('does not count acknowledged, resolved or webhook-only incidents', () => {
    const seen = observeNobodyPaged(
      new Map(),
      [unpaged('1', { phase: 'ACKED' }), unpaged('2', { phase: 'RESOLVED' }), unpaged('3', { provisional: true })],
      T0,
    );
    expect(seen.size).toBe(0);
  });
});

describe('decideEscalations: escalate-unpaged', () => {
  const since = (n: string, ms: number) => new Map([[n, T0 - ms]]);

  it('reroutes an incident that has paged nobody for longer than the grace period', () => {
    expect(decideEscalations(input({ incidents: [unpaged('1043')], nobodyPagedSince: since('1043', 60_000) }))).toEqual(
      [{ incidentNumber: '1043', reason: 'nobody_paged', pageId: null, afterMinutes: null }],
    );
  });

  it('waits out the grace period', () => {
    expect(decideEscalations(input({ incidents: [unpaged('1043')], nobodyPagedSince: since('1043', 59_999) }))).toEqual(
      [],
    );
  });

  it('decides nothing on stale data', () => {
    expect(
      decideEscalations(
        input({ fresh: false, incidents: [unpaged('1043')], nobodyPagedSince: since('1043', 3600_000) }),
      ),
    ).toEqual([]);
  });

  it('never twice: an incident escalated before is left alone', () => {
    expect(
      decideEscalations(
        input({
          incidents: [unpaged('1043')],
          nobodyPagedSince: since('1043', 120_000),
          escalated: (n) => n === '1043',
        }),
      ),
    ).toEqual([]);
  });

  it('only in the configured teams (none configured: every team)', () => {
    const i = [unpaged('1043')];
    const s = since('1043', 120_000);
    expect(
      decideEscalations(
        input({ incidents: i, nobodyPagedSince: s, unpaged: { enabled: true, teams: new Set([SRE]), graceMs: 0 } }),
      ),
    ).toEqual([]);
    expect(
      decideEscalations(
        input({ incidents: i, nobodyPagedSince: s, unpaged: { enabled: true, teams: new Set([PLT]), graceMs: 0 } }),
      ),
    ).toHaveLength(1);
  });

  it('not when someone is paged, the incident is acknowledged, or it is known from a webhook only', () => {
    const s = new Map([
      ['1', T0 - 120_000],
      ['2', T0 - 120_000],
      ['3', T0 - 120_000],
    ]);
    const incidents = [
      incident({ number: '1', pagedUsers: ['priya'] }),
      // Acknowledged by a webhook after the poll that saw it unpaged.
      unpaged('2', { phase: 'ACKED' }),
      unpaged('3', { provisional: true }),
    ];
    expect(decideEscalations(input({ incidents, nobodyPagedSince: s }))).toEqual([]);
  });

  it('is off unless enabled', () => {
    expect(
      decideEscalations(
        input({
          incidents: [unpaged('1043')],
          nobodyPagedSince: since('1043', 120_000),
          unpaged: { enabled: false, teams: new Set(), graceMs: 0 },
        }),
      ),
    ).toEqual([]);
  });
});

describe('decideEscalations: the Batphone rule for Klaxon pages', () => {
  const delivered = (over = {}) =>
    page({
      status: 'delivered',
      incidentNumber: '1044',
      deliveredAt: new Date(T0 - 10 * 60_000).toISOString(),
      ...over,
    });

  it('escalates the incident of a page unacknowledged for N minutes', () => {
    const d = decideEscalations(
      input({ incidents: [incident({ number: '1044' })], pages: { pending: [delivered()], afterMs: 10 * 60_000 } }),
    );
    expect(d).toEqual([
      { incidentNumber: '1044', reason: 'page_unacknowledged', pageId: delivered().id, afterMinutes: 10 },
    ]);
  });

  it('not before N minutes, not once acknowledged, not without a listed open incident', () => {
    const rule = { afterMs: 10 * 60_000 };
    const listed = [incident({ number: '1044' })];
    const none = (pending: ReturnType<typeof delivered>[], incidents = listed) =>
      expect(decideEscalations(input({ incidents, pages: { pending, ...rule } }))).toEqual([]);
    none([delivered({ deliveredAt: new Date(T0 - 9 * 60_000).toISOString() })]);
    none([delivered({ status: 'acknowledged' })]);
    none([delivered()], [incident({ number: '1044', phase: 'ACKED' })]);
    none([delivered()], []);
  });

  it('one decision per incident: nobody paged wins', () => {
    const d = decideEscalations(
      input({
        incidents: [unpaged('1044')],
        nobodyPagedSince: new Map([['1044', T0 - 120_000]]),
        pages: { pending: [delivered()], afterMs: 60_000 },
      }),
    );
    expect(d.map((x) => x.reason)).toEqual(['nobody_paged']);
  });
});

describe('escalateNowRefusal', () => {
  const base = {
    viewerSub: 'alice',
    incident: incident({ number: '1044' }),
    now: T0,
    afterMs: 5 * 60_000,
  };
  const mine = (over = {}) =>
    page({
      status: 'delivered',
      incidentNumber: '1044',
      deliveredAt: new Date(T0 - 6 * 60_000).toISOString(),
      ...over,
    });

  it('allows the requester once the page has waited long enough, unacknowledged', () => {
    expect(escalateNowRefusal({ ...base, page: mine() })).toBeNull();
  });

  it('refuses: not theirs, settled, no incident yet, acknowledged in On-Call, too early (with the wait)', () => {
    expect(escalateNowRefusal({ ...base, viewerSub: 'bob', page: mine() })).toEqual({ kind: 'not_yours' });
    expect(escalateNowRefusal({ ...base, page: mine({ status: 'acknowledged' }) })?.kind).toBe('settled');
    expect(escalateNowRefusal({ ...base, page: mine({ incidentNumber: null }) })?.kind).toBe('no_incident');
    expect(escalateNowRefusal({ ...base, page: mine({ status: 'queued' }) })?.kind).toBe('no_incident');
    expect(
      escalateNowRefusal({ ...base, page: mine(), incident: incident({ number: '1044', phase: 'ACKED' }) })?.kind,
    ).toBe('acknowledged');
    expect(
      escalateNowRefusal({ ...base, page: mine({ deliveredAt: new Date(T0 - 4 * 60_000).toISOString() }) }),
    ).toEqual({ kind: 'too_early', waitMs: 60_000 });
  });
});
