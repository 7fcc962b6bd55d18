import {
  chmodSync,
  chownSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '#common/index.js';
import { DesktopSettings, LOCKED_BY_POLICY, effectiveSettings } from '#electron/settings.js';
import {
  parseRegQueryOutput,
  parseXmlPlist,
  readLinuxPolicy,
  readMacManagedPreferences,
  readWindowsPolicy,
  registryValuesToRaw,
} from '#electron/managed-policy/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('effective settings: policy > user > defaults', () => {
  it('takes each key from the highest layer that sets it, says where from, and locks policy keys with the reason', () => {
    const e = effectiveSettings(
      { serverUrl: 'https://klaxon.example.org', autoUpdate: false },
      { serverUrl: 'https://mine.example.org', startAtLogin: true },
    );
    expect(e.values.serverUrl).toBe('https://klaxon.example.org');
    expect(e.values.startAtLogin).toBe(true);
    expect(e.values.globalShortcut).toBe(DEFAULT_SETTINGS.globalShortcut);
    expect(e.sources).toMatchObject({
      serverUrl: 'policy',
      autoUpdate: 'policy',
      startAtLogin: 'user',
      globalShortcut: 'default',
    });
    expect(e.locked).toMatchObject({ serverUrl: LOCKED_BY_POLICY, autoUpdate: LOCKED_BY_POLICY });
    expect(e.locked.startAtLogin).toBeUndefined();
    expect(LOCKED_BY_POLICY).toBe('Set by your IT department');
  });

  it('saves user changes to the file, refuses locked keys by name, and survives a corrupt file', () => {
    const file = path.join(dir, 'nested', 'settings.json');
    const logs: string[] = [];
    const s = new DesktopSettings({ policy: { autoUpdate: false }, userSettingsFile: file, log: (m) => logs.push(m) });
    const r = s.set({ startAtLogin: true, globalShortcut: 'Alt+K' });
    expect(r.ok && r.changed.sort()).toEqual(['globalShortcut', 'startAtLogin']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ startAtLogin: true, globalShortcut: 'Alt+K' });
    expect(s.set({ autoUpdate: true })).toEqual({
      ok: false,
      field: 'autoUpdate',
      message: '"autoUpdate" is set by your IT department and cannot be changed here.',
    });
    expect(new DesktopSettings({ policy: {}, userSettingsFile: file }).get().values.globalShortcut).toBe('Alt+K');

    writeFileSync(file, '{ not json');
    const broken = new DesktopSettings({ policy: {}, userSettingsFile: file, log: (m) => logs.push(m) });
    expect(broken.get().values).toEqual(DEFAULT_SETTINGS);
    expect(logs.some((l) => l.includes('could not read'))).toBe(true);
  });

  it('drops invalid user values by name and keeps the valid ones', () => {
    const file = path.join(dir, 'settings.json');
    writeFileSync(
      file,
      JSON.stringify({ serverUrl: 'ftp://nope', startAtLogin: true, updateFeedUrl: 'https://evil.example', bogus: 1 }),
    );
    const logs: string[] = [];
    const s = new DesktopSettings({ policy: {}, userSettingsFile: file, log: (m) => logs.push(m) });
    expect(s.get().values.serverUrl).toBe(DEFAULT_SETTINGS.serverUrl);
    expect(s.get().values.startAtLogin).toBe(true);
    expect(s.get().values.updateFeedUrl).toBeNull(); // only IT may set the update feed
    expect(logs.join('\n')).toMatch(/invalid value for "serverUrl"/);
    expect(logs.join('\n')).toMatch(/unknown setting "updateFeedUrl"/);
    expect(logs.join('\n')).toMatch(/unknown setting "bogus"/);
  });
});

describe('Linux policy file', () => {
  const write = (content: string, mode = 0o644) => {
    const f = path.join(dir, 'policy.json');
    writeFileSync(f, content);
    chmodSync(f, mode);
    return f;
  };
  const me = process.getuid?.() ?? 0;

  it('reads a root-owned (here: owner = the test user), non-writable-by-others file and names bad keys', () => {
    const f = write(JSON.stringify({ serverUrl: 'https://klaxon.example.org', autoUpdate: 'yes', colour: 'red' }));
    const r = readLinuxPolicy(f, { requiredOwnerUid: me });
    expect(r.policy).toEqual({ serverUrl: 'https://klaxon.example.org' });
    expect(r.source).toBe(f);
    expect(r.problems.join('\n')).toMatch(/invalid value for "autoUpdate"/);
    expect(r.problems.join('\n')).toMatch(/unknown setting "colour"/);
  });
  it('ignores a group- or world-writable file', () => {
    const f = write(JSON.stringify({ serverUrl: 'https://evil.example.org' }), 0o666);
    const r = readLinuxPolicy(f, { requiredOwnerUid: me });
    expect(r.policy).toEqual({});
    expect(r.problems[0]).toMatch(/can be written by group or others \(mode 666\)/);
  });
  it('ignores a file not owned by root', () => {
    const f = write(JSON.stringify({ serverUrl: 'https://evil.example.org' }));
    const r = me === 0 ? (chownSync(f, 1234, 1234), readLinuxPolicy(f)) : readLinuxPolicy(f);
    expect(r.policy).toEqual({});
    expect(r.problems[0]).toMatch(/not owned by root/);
  });
  it('ignores a symlink, even to a good file', () => {
    const f = write(JSON.stringify({ serverUrl: 'https://klaxon.example.org' }));
    const link = path.join(dir, 'link.json');
    symlinkSync(f, link);
    expect(readLinuxPolicy(link, { requiredOwnerUid: me }).problems[0]).toMatch(/symbolic link/);
  });
  it('no file: no policy, no problem; broken JSON: a problem, no crash', () => {
    expect(readLinuxPolicy(path.join(dir, 'missing.json'))).toEqual({ policy: {}, source: null, problems: [] });
    expect(readLinuxPolicy(write('{oops'), { requiredOwnerUid: me }).problems[0]).toMatch(/not valid JSON/);
  });
});

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

// Recorded from `reg.exe query HKLM\Software\Policies\Klaxon` on Windows 11 (values as the ADMX template writes them).
const REG_OUTPUT = [
  '',
  'HKEY_LOCAL_MACHINE\\Software\\Policies\\Klaxon',
  '    serverUrl    REG_SZ    https://klaxon.example.org',
  '    autoUpdate    REG_DWORD    0x0',
  '    startAtLogin    REG_DWORD    0x1',
  '    globalShortcut    REG_SZ    Ctrl+Alt+K',
  '    updateChannel    REG_DWORD    0x1',
  '    legacyThing    REG_SZ    whatever',
  '',
  'HKEY_LOCAL_MACHINE\\Software\\Policies\\Klaxon\\Sub',
  '    serverUrl    REG_SZ    https://not-this-one.example.org',
  '',
].join('\r\n');

describe('Windows registry policy', () => {
  it('parses reg.exe output (values of the key only, not of subkeys)', () => {
    expect(parseRegQueryOutput(REG_OUTPUT)).toEqual([
      { name: 'serverUrl', type: 'REG_SZ', data: 'https://klaxon.example.org' },
      { name: 'autoUpdate', type: 'REG_DWORD', data: '0x0' },
      { name: 'startAtLogin', type: 'REG_DWORD', data: '0x1' },
      { name: 'globalShortcut', type: 'REG_SZ', data: 'Ctrl+Alt+K' },
      { name: 'updateChannel', type: 'REG_DWORD', data: '0x1' },
      { name: 'legacyThing', type: 'REG_SZ', data: 'whatever' },
    ]);
  });
  it('maps DWORDs to booleans, and names wrong types and unknown values', async () => {
    const { problems } = registryValuesToRaw(parseRegQueryOutput(REG_OUTPUT));
    expect(problems[0]).toMatch(/"updateChannel" must be a string value \(REG_SZ\)/);
    const r = await readWindowsPolicy(async () => ({ code: 0, stdout: REG_OUTPUT, stderr: '' }));
    expect(r.policy).toEqual({
      serverUrl: 'https://klaxon.example.org',
      autoUpdate: false,
      startAtLogin: true,
      globalShortcut: 'Ctrl+Alt+K',
    });
    expect(r.problems.join('\n')).toMatch(/unknown setting "legacyThing"/);
  });
  it('no policy key deployed: no policy and no problem; other failures are reported', async () => {
    expect(
      await readWindowsPolicy(async () => ({
        code: 1,
        stdout: '',
        stderr: 'ERROR: The system was unable to find the specified registry key or value.',
      })),
    ).toEqual({ policy: {}, source: null, problems: [] });
    expect(
      (await readWindowsPolicy(async () => ({ code: 5, stdout: 'x', stderr: 'Access is denied.' }))).problems[0],
    ).toMatch(/Access is denied/);
  });
});
