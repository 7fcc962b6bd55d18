import { describe, expect, it } from 'vitest';
import { ageSeconds, clockTime, relativeTime } from '#renderer/model/relative-time.js';
import { localTimeIn } from '#renderer/model/local-time.js';
import { T0, iso } from '#test/support/renderer-fixtures.js';

describe('relative time', () => {
  it.each([
    [-3_000, 'just now'],
    [-42_000, '42 s ago'],
    [-5 * 60_000, '5 min ago'],
    [-(60 + 20) * 60_000, '1 h 20 min ago'],
    [-7 * 3600_000, '7 h ago'],
    [-30 * 3600_000, 'yesterday'],
    [-72 * 3600_000, '3 days ago'],
    [+20_000, 'just now'], // clock skew: never "in the future"
  ])('%i ms → %s', (offset, text) => {
    expect(relativeTime(iso(offset), T0)).toBe(text);
  });

  it('stays current as the clock moves', () => {
    const started = iso(0);
    expect(relativeTime(started, T0 + 30_000)).toBe('30 s ago');
    expect(relativeTime(started, T0 + 125_000)).toBe('2 min ago');
  });

  it('ages are whole seconds and never negative', () => {
    expect(ageSeconds(iso(-9_900), T0)).toBe(9);
    expect(ageSeconds(iso(5_000), T0)).toBe(0);
  });

  it('formats clock times in a given zone', () => {
    expect(clockTime('2026-11-22T12:05:00Z', 'UTC')).toBe('12:05');
    expect(clockTime('2026-11-22T12:05:00Z', 'Asia/Kolkata')).toBe('17:35');
  });
});

describe('local time of the person being woken', () => {
  it('gives their wall clock and flags night', () => {
    const t = localTimeIn('America/Los_Angeles', Date.parse('2026-11-22T11:10:00Z'));
    expect(t).toEqual({ text: 'Sun 03:10', hour: 3, night: true });
    expect(localTimeIn('Europe/Berlin', Date.parse('2026-11-22T11:10:00Z'))?.night).toBe(false);
  });

  it('returns null for unknown or invalid zones rather than a wrong time', () => {
    expect(localTimeIn(null, T0)).toBeNull();
    expect(localTimeIn('Mars/Olympus_Mons', T0)).toBeNull();
  });
});
