import { z } from 'zod';

/**
 * Text rules shared by every place a person types something that ends up in a page.
 * Lengths are counted in Unicode code points (what a person sees as characters), not UTF-16 units,
 * so the renderer's counters and the server's limits always agree.
 */
export function textLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// C0 controls other than tab/newline/carriage return, DEL, and C1 controls.
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
// Any control character at all, including newlines and tabs (single-line fields).
const ANY_CONTROL = /[\u0000-\u001F\u007F-\u009F]/u;
// Bidirectional overrides/isolates can make a summary read differently than it is stored.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

export function hasControlCharacters(s: string, { allowNewlines }: { allowNewlines: boolean }): boolean {
  return (allowNewlines ? CONTROL_EXCEPT_WHITESPACE : ANY_CONTROL).test(s) || BIDI_CONTROL.test(s);
}

/** A single-line, trimmed text field of `min`..`max` code points. */
export function singleLineText(field: string, min: number, max: number) {
  return z
    .string({ error: `${field} must be text` })
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .refine((s) => textLength(s) >= min, {
          message: min === 1 ? `${field} must not be empty` : `${field} must be at least ${min} characters`,
        })
        .refine((s) => textLength(s) <= max, { message: `${field} must be at most ${max} characters` })
        .refine((s) => !hasControlCharacters(s, { allowNewlines: false }), {
          message: `${field} must not contain control characters or line breaks`,
        }),
    );
}

/** Multi-line free text of at most `max` code points; line breaks and tabs allowed. */
export function multiLineText(field: string, max: number) {
  return z
    .string({ error: `${field} must be text` })
    .transform((s) => s.replace(/\r\n?/g, '\n').trimEnd())
    .pipe(
      z
        .string()
        .refine((s) => textLength(s) <= max, { message: `${field} must be at most ${max} characters` })
        .refine((s) => !hasControlCharacters(s, { allowNewlines: true }), {
          message: `${field} must not contain control characters`,
        }),
    );
}

/** ISO-8601 UTC timestamp as produced by `Date.prototype.toISOString()` (or second precision). */
export const IsoTime = z.string().datetime({ offset: true, message: 'must be an ISO-8601 timestamp' });
export type IsoTime = z.infer<typeof IsoTime>;
