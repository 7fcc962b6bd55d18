/**
 * macOS: managed preferences written by an MDM profile for the domain `org.klaxon.desktop`, in
 * `/Library/Managed Preferences/<user>/` (per user) and `/Library/Managed Preferences/` (per machine).
 * The per-user file wins key by key. The files are XML property lists; a binary plist is reported
 * as unsupported rather than guessed at (convert with `plutil -convert xml1`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { noPolicy, policyFromRaw, type PolicyReadResult } from './policy-result.js';

const MACOS_POLICY_DOMAIN = 'org.klaxon.desktop';
const MACOS_MANAGED_PREFERENCES_DIR = '/Library/Managed Preferences';

class PlistError extends Error {}

type PlistValue = string | number | boolean | Date | PlistValue[] | { [k: string]: PlistValue };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeText = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
      : (ENTITIES[e.toLowerCase()] ?? ''),
  );

/** Parses an XML property list (the subset Apple's plist DTD defines). Throws PlistError with a reason. */
export function parseXmlPlist(xml: string): PlistValue {
  if (xml.startsWith('bplist'))
    throw new PlistError('binary property lists are not supported; convert it with "plutil -convert xml1 <file>"');
  // Tokens: tags (open, close, self-closing) and the text between them. Comments, the XML declaration and DOCTYPE are skipped.
  const body = xml
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!DOCTYPE[\s\S]*?>/gi, '');
  const tokens = [...body.matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>|([^<]+)/g)];
  let i = 0;
  const skipSpace = () => {
    while (i < tokens.length && tokens[i]![4] !== undefined && tokens[i]![4]!.trim() === '') i++;
  };
  const expectClose = (name: string) => {
    skipSpace();
    const t = tokens[i++];
    if (!t || t[1] !== '/' || t[2] !== name) throw new PlistError(`expected </${name}>`);
  };
  const textUntilClose = (name: string): string => {
    let text = '';
    while (i < tokens.length && tokens[i]![4] !== undefined) text += tokens[i++]![4];
    expectClose(name);
    return decodeText(text);
  };
  const value = (): PlistValue => {
    skipSpace();
    const t = tokens[i++];
    if (!t || t[4] !== undefined || t[1] === '/') throw new PlistError('expected a value element');
    const name = t[2]!;
    const selfClosing = t[3] === '/';
    switch (name) {
      case 'true':
        if (!selfClosing) expectClose('true');
        return true;
      case 'false':
        if (!selfClosing) expectClose('false');
        return false;
      case 'string':
        return selfClosing ? '' : textUntilClose('string');
      case 'integer': {
        const s = textUntilClose('integer').trim();
        if (!/^[-+]?\d+$/.test(s)) throw new PlistError(`bad integer "${s}"`);
        return Number(s);
      }
      case 'real': {
        const n = Number(textUntilClose('real').trim());
        if (Number.isNaN(n)) throw new PlistError('bad real');
        return n;
      }
      case 'date':
        return new Date(textUntilClose('date').trim());
      case 'data':
        return textUntilClose('data').replace(/\s+/g, '');
      case 'array': {
        const out: PlistValue[] = [];
        if (selfClosing) return out;
        for (;;) {
          skipSpace();
          const n = tokens[i];
          if (n && n[1] === '/' && n[2] === 'array') {
            i++;
            return out;
          }
          out.push(value());
        }
      }
      case 'dict': {
        const out: Record<string, PlistValue> = {};
        if (selfClosing) return out;
        for (;;) {
          skipSpace();
          const n = tokens[i++];
          if (!n) throw new PlistError('unterminated <dict>');
          if (n[1] === '/' && n[2] === 'dict') return out;
          if (n[2] !== 'key' || n[1] === '/') throw new PlistError('expected <key> in <dict>');
          const key = textUntilClose('key');
          out[key] = value();
        }
      }
      default:
        throw new PlistError(`unsupported element <${name}>`);
    }
  };
  skipSpace();
  const first = tokens[i];
  if (first && first[2] === 'plist' && first[1] !== '/') {
    i++;
    const v = value();
    expectClose('plist');
    return v;
  }
  return value();
}

function readPlistFile(file: string): { raw: Record<string, PlistValue> | null; problem: string | null } {
  let text: string;
  try {
    const buf = readFileSync(file);
    if (buf.subarray(0, 6).toString('latin1') === 'bplist') {
      return {
        raw: null,
        problem: `policy ${file} is a binary property list, which Klaxon does not read; deploy it as XML (plutil -convert xml1). No policy applied from it.`,
      };
    }
    text = buf.toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { raw: null, problem: null };
    return { raw: null, problem: `policy ${file} could not be read (${(e as Error).message}).` };
  }
  try {
    const v = parseXmlPlist(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date)
      return { raw: null, problem: `policy ${file} must hold a <dict>; ignored.` };
    return { raw: v, problem: null };
  } catch (e) {
    return { raw: null, problem: `policy ${file} is not a valid property list (${(e as Error).message}); ignored.` };
  }
}

export function readMacManagedPreferences(opts: { user: string; dir?: string; domain?: string }): PolicyReadResult {
  const dir = opts.dir ?? MACOS_MANAGED_PREFERENCES_DIR;
  const file = `${opts.domain ?? MACOS_POLICY_DOMAIN}.plist`;
  const machine = readPlistFile(path.join(dir, file));
  const perUser =
    /^[^/\\]+$/.test(opts.user) && opts.user !== '..'
      ? readPlistFile(path.join(dir, opts.user, file))
      : { raw: null, problem: null };
  const problems = [machine.problem, perUser.problem].filter((p): p is string => p !== null);
  if (!machine.raw && !perUser.raw) return noPolicy(problems);
  const merged = { ...machine.raw, ...perUser.raw };
  const source = perUser.raw ? path.join(dir, opts.user, file) : path.join(dir, file);
  const r = policyFromRaw(merged, source);
  return { ...r, problems: [...problems, ...r.problems] };
}
