import { describe, expect, it } from 'vitest';
import type { ClientState, IncidentSnapshot } from '#common/index.js';
import { freshnessBanner, formatAge } from '#renderer/model/freshness.js';
import { clockTime } from '#renderer/model/relative-time.js';
import { T0, iso } from '#test/support/renderer-fixtures.js';

const snap = (over: Partial<IncidentSnapshot> = {}): IncidentSnapshot => ({
  incidents: [],
  fetchedAt: iso(-5_000),
  ageSeconds: 5,
  stale: false,
  upstream: { ok: true, error: null },
  windowMinutes: 60,
  pollIntervalSeconds: 10,
  ...over,
});
const link = (over: Partial<ClientState['link']> = {}): ClientState['link'] => ({
  status: 'live',
  lastDataAt: iso(-2_000),
  error: null,
  retryAt: null,
  ...over,
});

describe('freshness banner', () => {
  it('shows nothing while data is live and fresh', () => {
    expect(freshnessBanner({ link: link(), snapshot: snap() }, T0)).toBeNull();
  });

  it('says how old the data is when the server reports it stale', () => {
    const b = freshnessBanner(
      {
        link: link(),
        snapshot: snap({
          fetchedAt: iso(-42_000),
          stale: true,
          upstream: { ok: false, error: 'On-Call answered 503.' },
        }),
      },
      T0,
    );
    expect(b?.kind).toBe('stale');
    expect(b?.text).toBe(`Out of date — last update at ${clockTime(iso(-42_000))}`);
    expect(b?.age).toBe('Data is 42 s old.');
    expect(b?.detail).toContain('On-Call answered 503.');
  });

  it('treats a silent link as stale even if the last snapshot said fresh', () => {
    const b = freshnessBanner(
      { link: link({ lastDataAt: iso(-60_000) }), snapshot: snap({ fetchedAt: iso(-65_000) }) },
      T0,
    );
    expect(b?.age).toBe('Data is 1 min 5 s old.');
  });

  it('says offline with the time of the last update and when it retries', () => {
    const b = freshnessBanner(
      {
        link: link({ status: 'offline', error: 'Lost the connection to the Klaxon server.', retryAt: iso(4_000) }),
        snapshot: snap({ fetchedAt: iso(-90_000) }),
      },
      T0,
    );
    expect(b?.kind).toBe('offline');
    expect(b?.text).toBe(`Offline — last update at ${clockTime(iso(-90_000))}`);
    expect(b?.detail).toBe('Lost the connection to the Klaxon server.');
    expect(b?.age).toBe('Data is 1 min 30 s old. Reconnecting in 4 s.');
  });

  // The headline and reason go in an aria-live region: if they ticked, a screen reader would be
  // interrupted every second. Only `age` may change from one second to the next.
  it('keeps the announced headline and reason unchanged while the age ticks', () => {
    const offline = {
      link: link({
        status: 'offline' as const,
        error: 'Lost the connection to the Klaxon server.',
        retryAt: iso(10_000),
      }),
      snapshot: snap({ fetchedAt: iso(-90_000) }),
    };
    const stale = {
      link: link(),
      snapshot: snap({ fetchedAt: iso(-42_000), stale: true, upstream: { ok: false, error: 'On-Call answered 503.' } }),
    };
    for (const s of [offline, stale]) {
      const a = freshnessBanner(s, T0)!;
      const b = freshnessBanner(s, T0 + 3_000)!;
      expect([b.text, b.detail]).toEqual([a.text, a.detail]);
      expect(b.age).not.toBe(a.age);
      expect(`${a.text} ${a.detail}`).not.toMatch(/\d+ s\b/);
    }
  });

  it('offline before any data says so', () => {
    expect(freshnessBanner({ link: link({ status: 'offline', lastDataAt: null }), snapshot: null }, T0)?.text).toBe(
      'Offline — no data received yet',
    );
  });

  it('formats ages', () => {
    expect([formatAge(0), formatAge(59), formatAge(61), formatAge(3723)]).toEqual([
      '0 s',
      '59 s',
      '1 min 1 s',
      '1 h 2 min',
    ]);
  });
});
