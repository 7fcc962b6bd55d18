// The return address after web sign-in (server/auth/web-login.ts `safeReturnTo`): only a place on
// Klaxon's own origin, decided on the URL as a browser resolves it, never on the raw text.
import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '#server/auth/web-login.js';

const ORIGIN = 'https://klaxon.example.org';

/** Where a browser goes when Klaxon answers `Location: <returned>` from one of its own pages. */
const landsOn = (returned: string) => new URL(returned, `${ORIGIN}/auth/callback`);

// Every spelling of "." and ".." a URL parser collapses: plain, percent-encoded in either case, mixed.
const DOT_SEGMENTS = ['.', '..', '%2e', '%2E', '%2e%2e', '%2E%2E', '%2e%2E', '.%2e', '%2e.', '.%2E', '%2E.'];
// What follows them: a second slash, a backslash (read as a slash), tabs and newlines (dropped).
const LEADS_TO_ANOTHER_HOST = ['//evil.example/x', '/\\evil.example', '\\/evil.example', '\\\\evil.example'];
const NOISE = ['', '\t', '\n', '\r', '\t\n'];

describe('safeReturnTo', () => {
  const attacks: string[] = [];
  for (const dots of DOT_SEGMENTS)
    for (const tail of LEADS_TO_ANOTHER_HOST)
      for (const noise of NOISE) {
        attacks.push(`/${dots}${noise}${tail}`);
        attacks.push(`/a/${dots}/${dots}${noise}${tail}`);
        attacks.push(`${noise}/${dots}/${tail}`);
      }
  attacks.push(
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    ' //evil.example',
    '\t//evil.example',
    '/\t/evil.example',
    'https://evil.example/',
    'HTTPS://evil.example/',
    'https:evil.example',
    '//evil.example@klaxon.example.org/',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://klaxon.example.org/',
    'https://klaxon.example.org:444/',
  );

  it(`never returns a place on another origin (${attacks.length} spellings)`, () => {
    const escaped = attacks.filter((a) => {
      const back = safeReturnTo(a, ORIGIN);
      return landsOn(back).origin !== ORIGIN || back.startsWith('//') || !back.startsWith('/');
    });
    expect(escaped).toEqual([]);
  });

  it('sends each of them to / rather than to a collapsed path', () => {
    for (const a of ['/..//evil.example', '/%2e%2e//evil.example', '/%2E%2E/\\evil.example', '/.\t.//evil.example'])
      expect(safeReturnTo(a, ORIGIN), a).toBe('/');
  });

  it('keeps same-origin places with their query and fragment, normalised', () => {
    expect(safeReturnTo('/pages?tab=mine#latest', ORIGIN)).toBe('/pages?tab=mine#latest');
    expect(safeReturnTo('/a/../pages', ORIGIN)).toBe('/pages');
    expect(safeReturnTo('/a/%2e%2e/pages', ORIGIN)).toBe('/pages');
    expect(safeReturnTo(`${ORIGIN}/pages?x=1`, ORIGIN)).toBe('/pages?x=1');
    expect(safeReturnTo('/?next=//evil.example', ORIGIN)).toBe('/?next=//evil.example');
  });

  it('answers / for anything that is not text', () => {
    for (const v of [undefined, null, 42, ['/pages'], { toString: () => '/pages' }])
      expect(safeReturnTo(v, ORIGIN)).toBe('/');
  });
});
