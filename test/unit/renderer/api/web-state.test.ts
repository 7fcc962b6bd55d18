import { describe, expect, it } from 'vitest';
import { ServerEvent, type IncidentSnapshot } from '#common/index.js';
import { afterSessionEvent, applyServerEvent, initialWebState, normaliseFrame } from '#renderer/api/web-state.js';
import { incident, iso, page } from '#test/support/renderer-fixtures.js';

const snapshot: IncidentSnapshot = {
  incidents: [incident({ number: '1' }), incident({ number: '2', phase: 'ACKED', ackedBy: 'dmitri' })],
  fetchedAt: iso(-1000),
  ageSeconds: 1,
  stale: false,
  upstream: { ok: true, error: null },
  windowMinutes: 60,
  pollIntervalSeconds: 10,
};
const at = iso(0);

describe('web UI state from server-sent events', () => {
  const s0 = initialWebState('http://127.0.0.1:8787');

  it('a snapshot makes the link live and carries my pages', () => {
    const r = applyServerEvent(s0, { type: 'snapshot', id: '1', data: { incidents: snapshot, pages: [page()] } }, at);
    expect(r.state.link).toEqual({ status: 'live', lastDataAt: at, error: null, retryAt: null });
    expect(r.state.snapshot?.incidents).toHaveLength(2);
    expect(r.pages).toHaveLength(1);
  });

  it('incident events add, update and remove incidents', () => {
    let s = applyServerEvent(s0, { type: 'snapshot', id: '1', data: { incidents: snapshot, pages: [] } }, at).state;
    s = applyServerEvent(
      s,
      {
        type: 'incident',
        id: '2',
        data: { change: 'opened', incident: incident({ number: '3', title: 'New' }), fetchedAt: iso(5) },
      },
      at,
    ).state;
    expect(s.snapshot?.incidents.map((i) => i.number)).toEqual(['3', '1', '2']);
    expect(s.snapshot?.fetchedAt).toBe(iso(5));
    s = applyServerEvent(
      s,
      {
        type: 'incident',
        id: '3',
        data: {
          change: 'updated',
          incident: incident({ number: '1', phase: 'ACKED', ackedBy: 'carol' }),
          fetchedAt: null,
        },
      },
      at,
    ).state;
    expect(s.snapshot?.incidents.find((i) => i.number === '1')?.ackedBy).toBe('carol');
    s = applyServerEvent(
      s,
      { type: 'incident', id: '4', data: { change: 'removed', incident: incident({ number: '2' }), fetchedAt: null } },
      at,
    ).state;
    expect(s.snapshot?.incidents.map((i) => i.number).sort()).toEqual(['1', '3']);
  });

  it('heartbeats carry staleness from the server', () => {
    let s = applyServerEvent(s0, { type: 'snapshot', id: '1', data: { incidents: snapshot, pages: [] } }, at).state;
    s = applyServerEvent(
      s,
      {
        type: 'heartbeat',
        id: '5',
        data: {
          at,
          fetchedAt: iso(-40_000),
          ageSeconds: 40,
          stale: true,
          upstream: { ok: false, error: 'On-Call is not answering.' },
        },
      },
      at,
    ).state;
    expect(s.snapshot?.stale).toBe(true);
    expect(s.snapshot?.upstream.error).toBe('On-Call is not answering.');
  });

  it('accepts frames with the whole event or with only its data', () => {
    const whole = normaliseFrame('message', '9', JSON.stringify({ type: 'page', id: '9', data: page() }));
    const dataOnly = normaliseFrame('page', '9', JSON.stringify(page()));
    expect(ServerEvent.parse(whole)).toEqual(ServerEvent.parse(dataOnly));
    expect(normaliseFrame('page', '1', 'not json')).toBeNull();
  });

  it('a session event ends the stream: sign in again, or not authorised with the groups to ask for', () => {
    const me = {
      user: { sub: 'alice', name: 'Alice Andersen', email: null, groups: [] },
      permissions: { view: true, page: true, acknowledge: false },
    };
    const signedIn = { ...s0, auth: { status: 'signed-in' as const, me } };
    expect(
      afterSessionEvent(signedIn, {
        type: 'session',
        id: '7',
        data: { state: 'expired', message: 'Your session has expired.' },
      }).auth,
    ).toEqual({ status: 'signed-out', message: 'Your session has expired.' });
    expect(
      afterSessionEvent(signedIn, { type: 'session', id: '8', data: { state: 'forbidden', message: 'Not in sre.' } })
        .auth,
    ).toEqual({ status: 'not-authorised', me, requiredGroups: [], message: 'Not in sre.' });
  });
});
