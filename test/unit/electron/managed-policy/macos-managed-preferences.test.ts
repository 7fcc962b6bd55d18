import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseXmlPlist, readMacManagedPreferences } from '#electron/managed-policy/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const plist = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>${body}</dict></plist>`;

describe('macOS managed preferences', () => {
  it('parses XML property lists (strings with entities, booleans, numbers, arrays, nested dicts)', () => {
    expect(
      parseXmlPlist(
        plist(
          '<key>a</key><string>x &amp; y &#x41;</string><key>b</key><true/><key>c</key><integer>-3</integer><key>d</key><array><real>1.5</real><false/></array><key>e</key><dict/>',
        ),
      ),
    ).toEqual({ a: 'x & y A', b: true, c: -3, d: [1.5, false], e: {} });
  });
  it('merges machine and per-user files (user wins) and validates keys', () => {
    writeFileSync(
      path.join(dir, 'org.klaxon.desktop.plist'),
      plist('<key>serverUrl</key><string>https://machine.example.org</string><key>autoUpdate</key><false/>'),
    );
    mkdirSync(path.join(dir, 'alice'));
    writeFileSync(
      path.join(dir, 'alice', 'org.klaxon.desktop.plist'),
      plist(
        '<key>serverUrl</key><string>https://alice.example.org</string><key>notifyOwnPages</key><string>maybe</string>',
      ),
    );
    const r = readMacManagedPreferences({ user: 'alice', dir });
    expect(r.policy).toEqual({ serverUrl: 'https://alice.example.org', autoUpdate: false });
    expect(r.problems.join('\n')).toMatch(/invalid value for "notifyOwnPages"/);
  });
  it('reports a binary plist as unsupported instead of guessing', () => {
    writeFileSync(
      path.join(dir, 'org.klaxon.desktop.plist'),
      Buffer.concat([Buffer.from('bplist00'), Buffer.alloc(40)]),
    );
    const r = readMacManagedPreferences({ user: 'bob', dir });
    expect(r.policy).toEqual({});
    expect(r.problems[0]).toMatch(/binary property list.*plutil -convert xml1/);
  });
  it('a malformed plist is a named problem, not a crash', () => {
    writeFileSync(path.join(dir, 'org.klaxon.desktop.plist'), '<plist><dict><key>serverUrl</key></dict></plist>');
    expect(readMacManagedPreferences({ user: 'bob', dir }).problems[0]).toMatch(/not a valid property list/);
  });
});
