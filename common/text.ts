import { z } from 'zod/mini';

// zod/mini (the contract's schemas: the web UI ships them, and mini keeps only what is used) carries
// no error messages until a locale is set; every process that loads the contract gets English ones.
z.config(z.locales.en());

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
// Invisible format characters: they hide text, split words so a search misses them, or make two
// summaries that look the same differ. Direction marks (LRM, RLM, ALM), zero-width space, word
// joiner and invisible operators, zero-width no-break space (a BOM inside text), soft hyphen,
// deprecated format controls, interlinear annotations, the Mongolian vowel separator, tag characters.
const INVISIBLE_FORMAT =
  /[\u00AD\u061C\u180E\u200B\u200E\u200F\u2060-\u2064\u206A-\u206F\uFEFF\uFFF9-\uFFFB\u{E0000}-\u{E007F}]/u;
// Zero-width (non-)joiners are format characters too, but emoji sequences (👩‍💻) and scripts such
// as Persian and Devanagari need them between two visible characters; only those are allowed.
const JOINER = /[\u200C\u200D]/u;
const JOINER_BETWEEN_VISIBLE = /(?<=[\p{L}\p{M}\p{N}\p{P}\p{S}])[\u200C\u200D](?=[\p{L}\p{M}\p{N}\p{P}\p{S}])/gu;
// A subdivision flag (🏴 + tag letters + cancel tag) is the one use of tag characters allowed.
const FLAG_TAG_SEQUENCE = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu;
// Line and paragraph separators: line breaks, which a single-line field must not have.
const UNICODE_LINE_BREAK = /[\u2028\u2029]/u;
// Letters that render as nothing (Hangul fillers, the blank Braille pattern): not visible text.
const BLANK_LETTERS = /[\u115F\u1160\u3164\uFFA0\u2800]/gu;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/**
 * Whether text has characters a person cannot see or that change how it reads: control characters
 * (line breaks and tabs too unless `allowNewlines`), bidirectional controls, invisible format
 * characters (joiners only outside the sequences that need them), and, in single-line text, the
 * Unicode line and paragraph separators.
 */
export function hasControlCharacters(s: string, { allowNewlines }: { allowNewlines: boolean }): boolean {
  if ((allowNewlines ? CONTROL_EXCEPT_WHITESPACE : ANY_CONTROL).test(s) || BIDI_CONTROL.test(s)) return true;
  if (!allowNewlines && UNICODE_LINE_BREAK.test(s)) return true;
  const rest = s.replace(FLAG_TAG_SEQUENCE, '').replace(JOINER_BETWEEN_VISIBLE, '');
  return INVISIBLE_FORMAT.test(rest) || JOINER.test(rest);
}

/** Whether text shows anything at all: a letter, digit, punctuation mark or symbol that is not blank. */
export function hasVisibleCharacters(s: string): boolean {
  return VISIBLE.test(s.replace(BLANK_LETTERS, ''));
}

// A byte-order mark at the very start or end is a clipboard or editor artefact: removed, not refused.
const stripBom = (s: string) => s.replace(/^\uFEFF+|\uFEFF+$/g, '');

/** A single-line, trimmed text field of `min`..`max` code points. */
export function singleLineText(field: string, min: number, max: number) {
  return z.pipe(
    z.pipe(
      z.string({ error: `${field} must be text` }),
      z.transform((s: string) => stripBom(s.trim()).trim()),
    ),
    z.string().check(
      z.refine((s) => textLength(s) >= min && (min === 0 || hasVisibleCharacters(s)), {
        message: min === 1 ? `${field} must not be empty` : `${field} must be at least ${min} characters`,
      }),
      z.refine((s) => textLength(s) <= max, { message: `${field} must be at most ${max} characters` }),
      z.refine((s) => !hasControlCharacters(s, { allowNewlines: false }), {
        message: `${field} must not contain control characters, invisible characters or line breaks`,
      }),
    ),
  );
}

/**
 * Multi-line free text of at most `max` code points; line breaks and tabs allowed. Line endings
 * become `\n`, the Unicode line and paragraph separators included.
 */
export function multiLineText(field: string, max: number) {
  return z.pipe(
    z.pipe(
      z.string({ error: `${field} must be text` }),
      z.transform((s: string) => stripBom(s.replace(/\r\n?|[\u2028\u2029]/g, '\n')).trimEnd()),
    ),
    z.string().check(
      z.refine((s) => textLength(s) <= max, { message: `${field} must be at most ${max} characters` }),
      z.refine((s) => !hasControlCharacters(s, { allowNewlines: true }), {
        message: `${field} must not contain control characters or invisible characters`,
      }),
    ),
  );
}

/** ISO-8601 UTC timestamp as produced by `Date.prototype.toISOString()` (or second precision). */
export const IsoTime = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 timestamp' });
export type IsoTime = z.infer<typeof IsoTime>;
