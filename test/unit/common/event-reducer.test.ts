// common/event-reducer.ts: server-sent events folded into the incident snapshot and the user's pages.
import { describe, expect, it } from 'vitest';
import { reducePages as applyPageEvent, reduceSnapshot as applyServerEvent } from '#common/index.js';
import { incident, page, snapshot } from '#test/support/builders.js';

describe('server events into the snapshot', () => {
  it('adds, updates and removes incidents and keeps freshness from heartbeats', () => {
    const s0 = snapshot([incident({ number: '1' })]);
    const s1 = applyServerEvent(s0, {
      type: 'incident',
      id: '2',
      data: {
        change: 'opened',
        incident: incident({ number: '2', startedAt: '2026-11-22T11:59:00.000Z' }),
        fetchedAt: '2026-11-22T12:01:00.000Z',
      },
    })!;
    expect(s1.incidents.map((i) => i.number)).toEqual(['2', '1']);
    expect(s1.fetchedAt).toBe('2026-11-22T12:01:00.000Z');
    const s2 = applyServerEvent(s1, {
      type: 'incident',
      id: '3',
      data: { change: 'updated', incident: incident({ number: '1', phase: 'ACKED' }), fetchedAt: null },
    })!;
    expect(s2.incidents.find((i) => i.number === '1')?.phase).toBe('ACKED');
    const s3 = applyServerEvent(s2, {
      type: 'incident',
      id: '4',
      data: { change: 'removed', incident: incident({ number: '2' }), fetchedAt: null },
    })!;
    expect(s3.incidents.map((i) => i.number)).toEqual(['1']);
    const s4 = applyServerEvent(s3, {
      type: 'heartbeat',
      id: '5',
      data: {
        at: '2026-11-22T12:02:00.000Z',
        fetchedAt: '2026-11-22T11:58:00.000Z',
        ageSeconds: 240,
        stale: true,
        upstream: { ok: false, error: 'On-Call answered 503' },
      },
    })!;
    expect(s4).toMatchObject({ stale: true, ageSeconds: 240, upstream: { ok: false } });
    expect(
      applyServerEvent(null, {
        type: 'incident',
        id: '6',
        data: { change: 'opened', incident: incident(), fetchedAt: null },
      }),
    ).toBeNull();
  });
  it("keeps the user's pages newest first", () => {
    const a = page({ id: '3f1c2f52-8a43-4c53-9b8e-2f3b1d9f0a11', createdAt: '2026-11-22T12:00:00.000Z' });
    const b = page({ id: '4f1c2f52-8a43-4c53-9b8e-2f3b1d9f0a12', createdAt: '2026-11-22T12:05:00.000Z' });
    const list = applyPageEvent([a], { type: 'page', id: '9', data: b });
    expect(list.map((p) => p.id)).toEqual([b.id, a.id]);
    expect(
      applyPageEvent(list, { type: 'page', id: '10', data: { ...a, status: 'delivered' } }).find((p) => p.id === a.id)
        ?.status,
    ).toBe('delivered');
  });
});
