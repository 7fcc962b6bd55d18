import { describe, expect, it } from 'vitest';
import { PageRequest, SUMMARY_MAX, DETAILS_MAX, validationError, textLength } from '#common/index.js';

const key = 'k'.repeat(20);
const parse = (v: unknown) => PageRequest.safeParse(v);
const errorOf = (v: unknown) => {
  const r = parse(v);
  if (r.success) throw new Error('expected failure');
  return validationError(r.error.issues).error;
};

describe('PageRequest', () => {
  it('accepts a normal page and trims the summary', () => {
    const r = parse({ summary: '  API 5xx spike  ', details: 'Error rate at 12%\nsince 11:58', idempotencyKey: key });
    expect(r.success && r.data).toEqual({
      summary: 'API 5xx spike',
      details: 'Error rate at 12%\nsince 11:58',
      idempotencyKey: key,
    });
  });

  it('defaults details to empty', () => {
    const r = parse({ summary: 'x', idempotencyKey: key });
    expect(r.success && r.data.details).toBe('');
  });

  it.each([[''], ['   '], ['\t \n']])('refuses an empty or whitespace-only summary %j, naming the field', (summary) => {
    const e = errorOf({ summary, idempotencyKey: key });
    expect(e.field).toBe('summary');
    expect(e.message).toMatch(/summary must not be empty/);
  });

  it('counts characters, not UTF-16 units, against the 120 limit', () => {
    const emoji = '🚨'.repeat(SUMMARY_MAX);
    expect(emoji.length).toBe(SUMMARY_MAX * 2);
    expect(parse({ summary: emoji, idempotencyKey: key }).success).toBe(true);
    const e = errorOf({ summary: emoji + 'x', idempotencyKey: key });
    expect(e.field).toBe('summary');
    expect(e.message).toMatch(/at most 120/);
  });

  it('refuses control characters and line breaks in the summary', () => {
    for (const summary of ['a\u0000b', 'line\nbreak', 'bell\u0007', 'esc\u001b[31m', 'c1\u0085', 'rtl\u202Eevil']) {
      expect(errorOf({ summary, idempotencyKey: key }).field).toBe('summary');
    }
  });

  it.each([
    ['left-to-right mark', 'fix\u200Eit'],
    ['right-to-left mark', 'fix\u200Fit'],
    ['Arabic letter mark', 'fix\u061Cit'],
    ['zero-width space', 'fix\u200Bit'],
    ['zero-width joiner on its own', 'fix\u200D it'],
    ['zero-width non-joiner at the end', 'fix it\u200C'],
    ['word joiner', 'fix\u2060it'],
    ['zero-width no-break space inside', 'fix\uFEFFit'],
    ['soft hyphen', 'check\u00ADout'],
    ['invisible times', 'a\u2062b'],
    ['Mongolian vowel separator', 'a\u180Eb'],
    ['tag characters', 'a\u{E0041}\u{E0042}b'],
    ['line separator', 'one\u2028two'],
    ['paragraph separator', 'one\u2029two'],
  ])('refuses an invisible or format character in the summary (%s), naming the field', (_what, summary) => {
    const e = errorOf({ summary, idempotencyKey: key });
    expect(e.field).toBe('summary');
    expect(e.message).toMatch(/^summary must not contain/);
  });

  it.each([['\u200B\u200C\u200D'], ['\u3164\u3164'], ['\u115F\u1160'], ['\u2800'], ['\uFEFF'], ['\u00A0\u3000']])(
    'a summary of nothing visible (%j) counts as empty',
    (summary) => {
      const e = errorOf({ summary, idempotencyKey: key });
      expect(e.field).toBe('summary');
      expect(e.message).toMatch(/^summary must not be empty/);
    },
  );

  it('keeps joiners inside emoji and scripts that need them, and strips a BOM at either end', () => {
    for (const summary of ['Deploy 👩‍💻 stuck', 'On fire ❤️‍🔥', 'Team 🏴󠁧󠁢󠁳󠁣󠁴󠁿 down', 'می‌خواهم', 'क्‍ष'])
      expect(parse({ summary, idempotencyKey: key }).success, summary).toBe(true);
    const r = parse({ summary: '\uFEFFAPI down\uFEFF', details: '\uFEFFsince noon\uFEFF', idempotencyKey: key });
    expect(r.success && [r.data.summary, r.data.details]).toEqual(['API down', 'since noon']);
  });

  it('details: line and paragraph separators become line breaks; other invisible characters are refused', () => {
    const r = parse({ summary: 's', details: 'one\u2028two\u2029three', idempotencyKey: key });
    expect(r.success && r.data.details).toBe('one\ntwo\nthree');
    expect(errorOf({ summary: 's', details: 'a\u200Bb', idempotencyKey: key }).field).toBe('details');
    expect(errorOf({ summary: 's', details: 'a\u202Eb', idempotencyKey: key }).field).toBe('details');
  });

  it('an unknown field with a huge name is named, shortened, in a short answer', () => {
    const huge = 'k'.repeat(50_000);
    const e = errorOf({ summary: 's', idempotencyKey: key, [huge]: 1 });
    expect(e.field).toBe(`${'k'.repeat(64)}…`);
    expect(e.message).toBe(`Unknown field "${'k'.repeat(64)}…".`);
    expect(JSON.stringify(e).length).toBeLessThan(300);
  });

  it('allows newlines and tabs in details but not other control characters', () => {
    expect(parse({ summary: 's', details: 'a\n\tb\r\nc', idempotencyKey: key }).success).toBe(true);
    expect(errorOf({ summary: 's', details: 'a\u0000b', idempotencyKey: key }).field).toBe('details');
  });

  it('refuses oversize details, counted after normalising line endings', () => {
    expect(parse({ summary: 's', details: 'x'.repeat(DETAILS_MAX), idempotencyKey: key }).success).toBe(true);
    expect(errorOf({ summary: 's', details: 'x'.repeat(DETAILS_MAX + 1), idempotencyKey: key }).field).toBe('details');
    const crlf = 'x\r\n'.repeat(DETAILS_MAX / 2);
    expect(textLength(crlf)).toBeGreaterThan(DETAILS_MAX);
    expect(parse({ summary: 's', details: crlf, idempotencyKey: key }).success).toBe(true);
  });

  it('refuses unknown keys and names them', () => {
    const e = errorOf({ summary: 's', idempotencyKey: key, severity: 'high' });
    expect(e.field).toBe('severity');
    expect(e.message).toMatch(/Unknown field "severity"/);
  });

  it('requires a well-formed idempotency key', () => {
    expect(errorOf({ summary: 's' }).field).toBe('idempotencyKey');
    expect(errorOf({ summary: 's', idempotencyKey: 'short' }).field).toBe('idempotencyKey');
    expect(errorOf({ summary: 's', idempotencyKey: 'x'.repeat(20) + ' ' }).field).toBe('idempotencyKey');
  });

  it('refuses a non-string summary with a clear message', () => {
    const e = errorOf({ summary: 42, idempotencyKey: key });
    expect(e).toMatchObject({ field: 'summary', message: expect.stringMatching(/summary must be text/) });
  });

  it('only accepts target ids shaped like configured ids', () => {
    expect(parse({ summary: 's', idempotencyKey: key, target: 'sre-primary' }).success).toBe(true);
    expect(errorOf({ summary: 's', idempotencyKey: key, target: '../etc' }).field).toBe('target');
  });
});
