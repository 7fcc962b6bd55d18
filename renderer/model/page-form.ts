import { DETAILS_MAX, SUMMARY_MAX, hasControlCharacters, textLength } from '#common/index.js';

/**
 * The page dialog's field checks, the same limits the server applies (common/page.ts), worded
 * for a person and naming the field.
 */
export interface PageFormErrors {
  summary: string | null;
  details: string | null;
}

function checkSummary(summary: string): string | null {
  const s = summary.trim();
  if (textLength(s) === 0) return 'Summary is empty: say in a few words what is broken.';
  if (textLength(s) > SUMMARY_MAX)
    return `Summary is too long: ${textLength(s)} of at most ${SUMMARY_MAX} characters. Put the rest in Details.`;
  if (hasControlCharacters(s, { allowNewlines: false })) return 'Summary must be one line without control characters.';
  return null;
}

function checkDetails(details: string): string | null {
  const d = details.replace(/\r\n?/g, '\n').trimEnd();
  if (textLength(d) > DETAILS_MAX)
    return `Details are too long: ${textLength(d)} of at most ${DETAILS_MAX} characters.`;
  if (hasControlCharacters(d, { allowNewlines: true })) return 'Details must not contain control characters.';
  return null;
}

export function checkPageForm(summary: string, details: string): PageFormErrors {
  return { summary: checkSummary(summary), details: checkDetails(details) };
}

/** Counter text, e.g. "37/120". */
export const counter = (text: string, max: number): string => `${textLength(text)}/${max}`;

/**
 * One key per dialog session, so a retried or double-clicked Send can never make a second page.
 * randomUUID gives 36 characters of [0-9a-f-], inside the contract's 16-128 [A-Za-z0-9_-].
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return `klx-${crypto.randomUUID()}`;
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return `klx-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
