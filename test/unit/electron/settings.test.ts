import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '#common/index.js';
import { DesktopSettings, LOCKED_BY_POLICY, effectiveSettings, validSettingsLayer } from '#electron/settings.js';

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

  it('ignores a plain-http server or issuer from policy or the settings file, naming the setting', () => {
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify({ serverUrl: 'http://klaxon.example.org', startAtLogin: true }));
    const logs: string[] = [];
    const s = new DesktopSettings({ policy: {}, userSettingsFile: file, log: (m) => logs.push(m) });
    expect(s.get().values.serverUrl).toBe(DEFAULT_SETTINGS.serverUrl);
    expect(logs.join('\n')).toMatch(/invalid value for "serverUrl" ignored \(serverUrl must be an https URL/);
    const policy = validSettingsLayer(
      { serverUrl: 'http://klaxon.example.org', issuer: 'http://idp.example.org' },
      'policy',
    );
    expect(policy.values).toEqual({});
    expect(policy.problems.map((p) => p.key)).toEqual(['serverUrl', 'issuer']);
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
