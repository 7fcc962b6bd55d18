import { describe, expect, it } from 'vitest';
import { durationText, secondsUntil } from '#common/index.js';

describe('durationText: one wording for every wait', () => {
  it('counts seconds under a minute', () => {
    expect(durationText(8)).toBe('8 s');
    expect(durationText(7.2)).toBe('8 s');
    expect(durationText(0)).toBe('0 s');
    expect(durationText(-3)).toBe('0 s');
    expect(durationText(59)).toBe('59 s');
  });

  it('rounds longer waits to minutes or hours, never "254 s"', () => {
    expect(durationText(60)).toBe('about a minute');
    expect(durationText(89)).toBe('about a minute');
    expect(durationText(254)).toBe('about 4 minutes');
    expect(durationText(600)).toBe('about 10 minutes');
    expect(durationText(3570)).toBe('about an hour');
    expect(durationText(3 * 3600 + 100)).toBe('about 3 hours');
  });
});

describe('secondsUntil', () => {
  it('counts whole seconds up to a time, never below zero', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(secondsUntil('2026-11-22T12:00:07.200Z', now)).toBe(8);
    expect(secondsUntil('2026-11-22T11:59:00Z', now)).toBe(0);
    expect(secondsUntil(null, now)).toBeNull();
    expect(secondsUntil('not a time', now)).toBeNull();
  });
});
