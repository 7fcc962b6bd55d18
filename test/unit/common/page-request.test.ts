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
