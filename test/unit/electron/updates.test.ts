import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  SETTING_KEYS,
  type EffectiveSettings,
  type Settings,
  type SettingSource,
} from '#common/index.js';
import {
  applyUpdateEvent,
  CHECK_INTERVAL_MS,
  detectInstallKind,
  FIRST_CHECK_DELAY_MS,
  initialUpdateStatus,
  nextCheckDelayMs,
  planUpdates,
  updateStateFile,
  type InstallFacts,
} from '#electron/updates.js';

/** Effective settings as the desktop settings module builds them: policy keys locked, the rest user/default. */
function effective(policy: Partial<Settings> = {}, user: Partial<Settings> = {}): EffectiveSettings {
  const values = { ...DEFAULT_SETTINGS, ...user, ...policy } as Settings;
  const sources: Record<string, SettingSource> = {};
  const locked: Record<string, string> = {};
  for (const k of SETTING_KEYS) {
    sources[k] = k in policy ? 'policy' : k in user ? 'user' : 'default';
    if (k in policy) locked[k] = 'Set by your IT department';
  }
  return { values, sources, locked };
}

const win = (exePath: string, extra: Record<string, string> = {}): InstallFacts => ({
  platform: 'win32',
  isPackaged: true,
  exePath,
  env: {
    ProgramFiles: 'C:\\Program Files',
    'ProgramFiles(x86)': 'C:\\Program Files (x86)',
    ProgramW6432: 'C:\\Program Files',
    ...extra,
  },
});

describe('detectInstallKind', () => {
  it('tells a per-machine MSI install (Program Files) from a per-user NSIS install', () => {
    expect(detectInstallKind(win('C:\\Program Files\\Klaxon\\Klaxon.exe'))).toBe('windows-per-machine');
    expect(detectInstallKind(win('c:/program files (x86)/Klaxon/Klaxon.exe'))).toBe('windows-per-machine');
    expect(detectInstallKind(win('C:\\Users\\ann\\AppData\\Local\\Programs\\klaxon\\Klaxon.exe'))).toBe(
      'windows-per-user',
    );
    // A folder that merely starts with the same letters is not Program Files.
    expect(detectInstallKind(win('C:\\Program Files Custom\\Klaxon\\Klaxon.exe'))).toBe('windows-per-user');
  });

  it('tells an AppImage from a deb/rpm install on Linux, and flags development runs', () => {
    const linux = { platform: 'linux' as const, isPackaged: true, exePath: '/opt/Klaxon/klaxon' };
    expect(detectInstallKind({ ...linux, env: { APPIMAGE: '/home/ann/Klaxon.AppImage' } })).toBe('linux-appimage');
    expect(detectInstallKind({ ...linux, env: {} })).toBe('linux-package');
    expect(detectInstallKind({ ...linux, isPackaged: false, env: { APPIMAGE: '/x' } })).toBe('development');
    expect(
      detectInstallKind({
        platform: 'darwin',
        isPackaged: true,
        exePath: '/Applications/Klaxon.app/Contents/MacOS/Klaxon',
        env: {},
      }),
    ).toBe('macos-app');
  });
});

describe('planUpdates', () => {
  it('updates a per-user install from the built-in feed on the stable channel by default', () => {
    const plan = planUpdates(effective(), 'windows-per-user');
    expect(plan).toMatchObject({
      enabled: true,
      channel: 'latest',
      feedUrl: null,
      allowPrerelease: false,
      allowDowngrade: false,
      autoDownload: true,
    });
    expect(plan.reason).toBe('Checks the Klaxon update server for stable releases.');
  });

  it('turns updates off when IT says so, and says who decided', () => {
    const plan = planUpdates(effective({ autoUpdate: false }), 'macos-app');
    expect(plan.enabled).toBe(false);
    expect(plan.autoDownload).toBe(false);
    expect(plan.reason).toBe('Automatic updates are turned off by your IT department.');
    expect(planUpdates(effective({}, { autoUpdate: false }), 'macos-app').reason).toBe(
      'Automatic updates are turned off in Settings.',
    );
  });

  it('never lets per-machine (MSI) or deb/rpm installs update themselves, even with updates on by policy', () => {
    const s = effective({ autoUpdate: true, updateFeedUrl: 'https://mirror.example.com/klaxon' });
    const msi = planUpdates(s, 'windows-per-machine');
    expect(msi.enabled).toBe(false);
    expect(msi.feedUrl).toBeNull();
    expect(msi.reason).toMatch(/installed for all users/);
    expect(planUpdates(s, 'linux-package').reason).toMatch(/package manager/);
    expect(planUpdates(s, 'development').enabled).toBe(false);
    expect(planUpdates(s, 'linux-appimage').enabled).toBe(true);
  });

  it('uses the policy feed and pinned beta channel', () => {
    const plan = planUpdates(
      effective({ updateFeedUrl: 'https://mirror.example.com/klaxon', updateChannel: 'beta' }),
      'macos-app',
    );
    expect(plan).toMatchObject({
      enabled: true,
      feedUrl: 'https://mirror.example.com/klaxon',
      channel: 'beta',
      allowPrerelease: true,
      allowDowngrade: false,
    });
    expect(plan.reason).toBe(
      'Checks the update server set by your IT department for beta releases (channel set by your IT department).',
    );
  });

  it('ignores a non-https feed even if it got past validation', () => {
    const s = effective();
    s.values.updateFeedUrl = 'http://mirror.example.com/klaxon';
    expect(planUpdates(s, 'macos-app').feedUrl).toBeNull();
  });
});

describe('nextCheckDelayMs', () => {
  const plan = { checkIntervalMs: CHECK_INTERVAL_MS };
  const now = new Date('2026-11-22T12:00:00Z');
  it('checks soon after the first start, then once per interval across restarts', () => {
    expect(nextCheckDelayMs(null, now, plan)).toBe(FIRST_CHECK_DELAY_MS);
    expect(nextCheckDelayMs(new Date(now.getTime() - 60 * 60 * 1000), now, plan)).toBe(3 * 60 * 60 * 1000);
    // Overdue: check soon, not immediately during start-up.
    expect(nextCheckDelayMs(new Date(now.getTime() - 2 * CHECK_INTERVAL_MS), now, plan)).toBe(FIRST_CHECK_DELAY_MS);
  });
  it('treats a last check in the future (clock moved back) as due', () => {
    expect(nextCheckDelayMs(new Date(now.getTime() + 24 * 60 * 60 * 1000), now, plan)).toBe(FIRST_CHECK_DELAY_MS);
  });
});

describe('update status', () => {
  const plan = planUpdates(effective(), 'macos-app');
  const t = new Date('2026-11-22T12:00:00Z');

  it('shows the running version, last check time, and a download through to "ready"', () => {
    let s = initialUpdateStatus('0.1.0', plan, null);
    expect(s).toMatchObject({ currentVersion: '0.1.0', state: 'idle', lastCheckAt: null });
    s = applyUpdateEvent(s, { type: 'checking' }, plan);
    expect(s.state).toBe('checking');
    s = applyUpdateEvent(s, { type: 'available', version: '0.2.0', at: t }, plan);
    expect(s).toMatchObject({ state: 'available', availableVersion: '0.2.0', lastCheckAt: t.toISOString() });
    s = applyUpdateEvent(s, { type: 'progress', percent: 41.6 }, plan);
    expect(s).toMatchObject({ state: 'downloading', progressPercent: 42 });
    s = applyUpdateEvent(s, { type: 'downloaded', version: '0.2.0' }, plan);
    expect(s.message).toBe('Klaxon 0.2.0 is ready and will be installed when you quit Klaxon.');
  });

  it('reports a failed check with what happens next, in one line', () => {
    const s = applyUpdateEvent(
      initialUpdateStatus('0.1.0', plan, null),
      { type: 'error', message: 'net::ERR_NAME_NOT_RESOLVED\n    at stack', at: t },
      plan,
    );
    expect(s.state).toBe('error');
    expect(s.lastCheckAt).toBe(t.toISOString());
    expect(s.message).toBe(
      'Could not check for updates (net::ERR_NAME_NOT_RESOLVED). Klaxon tries again in 4 hours; if this keeps happening, tell your IT department.',
    );
  });

  it('starts as "disabled" with the reason when updates are off', () => {
    const off = planUpdates(effective({ autoUpdate: false }), 'macos-app');
    expect(initialUpdateStatus('0.1.0', off, t)).toMatchObject({
      state: 'disabled',
      lastCheckAt: t.toISOString(),
      message: off.reason,
    });
  });
});

describe('updateStateFile', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('remembers the last check across restarts and survives a damaged file', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-update-state-'));
    const file = path.join(dir, 'profile', 'update-state.json');
    const store = updateStateFile(file);
    expect(store.read()).toBeNull();
    const at = new Date('2026-11-22T08:30:00Z');
    store.write(at);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ lastCheckAt: '2026-11-22T08:30:00.000Z' });
    expect(updateStateFile(file).read()?.toISOString()).toBe(at.toISOString());
    writeFileSync(file, '{not json');
    expect(updateStateFile(file).read()).toBeNull();
  });
});
