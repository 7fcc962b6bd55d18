// @vitest-environment node
/**
 * electron/shell/updates.ts against a recording fake of electron-updater's autoUpdater (electron-updater
 * cannot run outside Electron). Checks what reaches electron-updater: feed, channel, downgrade and
 * signature settings, when checks happen, and what the user is told.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_SETTINGS,
  SETTING_KEYS,
  type EffectiveSettings,
  type Settings,
  type SettingSource,
} from '#common/index.js';
import type { UpdateStatus } from '#electron/updates.js';

const h = vi.hoisted(() => ({
  userData: '',
  exe: '/Applications/Klaxon.app/Contents/MacOS/Klaxon',
  isPackaged: true,
}));

class FakeUpdater extends EventEmitter {
  autoDownload = true;
  autoInstallOnAppQuit = false;
  allowPrerelease = false;
  allowDowngrade = false;
  private _channel: string | null = null;
  feeds: unknown[] = [];
  checks = 0;
  nextCheck: (u: FakeUpdater) => void = (u) => u.emit('update-not-available', { version: '0.1.0' });
  assigned: string[] = [];
  get channel(): string | null {
    return this._channel;
  }
  // Like electron-updater: setting a channel turns allowDowngrade on.
  set channel(v: string | null) {
    this._channel = v;
    this.allowDowngrade = true;
    this.assigned.push('channel');
  }
  setFeedURL(o: unknown): void {
    this.feeds.push(o);
  }
  async checkForUpdates(): Promise<null> {
    this.checks++;
    this.emit('checking-for-update');
    this.nextCheck(this);
    return null;
  }
}
const fake = { current: new FakeUpdater() };

vi.mock('electron', () => ({
  app: {
    get isPackaged() {
      return h.isPackaged;
    },
    getPath: (name: string) => (name === 'exe' ? h.exe : h.userData),
    getVersion: () => '0.1.0',
  },
}));
vi.mock('electron-updater', () => ({
  default: {
    get autoUpdater() {
      return fake.current;
    },
  },
}));

const { startAutoUpdates, startUpdater } = await import('#electron/shell/updates.js');

function effective(policy: Partial<Settings> = {}): EffectiveSettings {
  const sources: Record<string, SettingSource> = {};
  for (const k of SETTING_KEYS) sources[k] = k in policy ? 'policy' : 'default';
  return { values: { ...DEFAULT_SETTINGS, ...policy } as Settings, sources, locked: {} };
}

const realPlatform = Object.getOwnPropertyDescriptor(process, 'platform')!;
const setPlatform = (p: NodeJS.Platform) =>
  Object.defineProperty(process, 'platform', { value: p, configurable: true });

describe('startAutoUpdates', () => {
  let statuses: UpdateStatus[];
  beforeEach(() => {
    // A signed macOS app is the plain self-updating case (Linux deb/rpm and MSI installs are not).
    setPlatform('darwin');
    vi.useFakeTimers({ now: new Date('2026-11-22T12:00:00Z') });
    h.userData = mkdtempSync(path.join(os.tmpdir(), 'klaxon-updater-'));
    h.isPackaged = true;
    fake.current = new FakeUpdater();
    statuses = [];
  });
  afterEach(() => {
    Object.defineProperty(process, 'platform', realPlatform);
    vi.useRealTimers();
    rmSync(h.userData, { recursive: true, force: true });
  });

  it('checks the IT feed on the pinned channel after start-up, keeps signature checks and never downgrades', async () => {
    const u = startAutoUpdates(
      effective({ updateFeedUrl: 'https://mirror.example.com/klaxon', updateChannel: 'beta' }),
      (s) => statuses.push(s),
    );
    expect(statuses[0]).toMatchObject({ currentVersion: '0.1.0', state: 'idle', lastCheckAt: null });
    expect(fake.current.checks).toBe(0);

    await vi.advanceTimersByTimeAsync(30_000);
    expect(fake.current.checks).toBe(1);
    expect(fake.current.feeds).toEqual([
      { provider: 'generic', url: 'https://mirror.example.com/klaxon', channel: 'beta' },
    ]);
    expect(fake.current.channel).toBe('beta');
    expect(fake.current.allowDowngrade).toBe(false);
    expect(fake.current.allowPrerelease).toBe(true);
    expect(fake.current.autoDownload).toBe(true);
    expect(fake.current.autoInstallOnAppQuit).toBe(true);
    expect('verifyUpdateCodeSignature' in fake.current).toBe(false);

    const last = statuses.at(-1)!;
    expect(last).toMatchObject({ state: 'up-to-date', lastCheckAt: '2026-11-22T12:00:30.000Z' });
    const saved = JSON.parse(readFileSync(path.join(h.userData, 'update-state.json'), 'utf8')) as {
      lastCheckAt: string;
    };
    expect(saved.lastCheckAt).toBe('2026-11-22T12:00:30.000Z');

    // The next check is one interval later, not earlier.
    await vi.advanceTimersByTimeAsync(4 * 60 * 60 * 1000 - 1_000);
    expect(fake.current.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.current.checks).toBe(2);
    u.stop();
  });

  it('uses the installer feed when policy sets none, and resumes the schedule after a restart', async () => {
    const first = startAutoUpdates(effective(), () => {});
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fake.current.feeds).toEqual([]);
    expect(fake.current.channel).toBe('latest');
    first.stop();

    // "Restart" one hour later: the saved last check means no check for three more hours.
    vi.setSystemTime(new Date('2026-11-22T13:00:30Z'));
    fake.current = new FakeUpdater();
    const second = startAutoUpdates(effective(), (s) => statuses.push(s));
    expect(statuses[0]!.lastCheckAt).toBe('2026-11-22T12:00:30.000Z');
    await vi.advanceTimersByTimeAsync(3 * 60 * 60 * 1000 - 1_000);
    expect(fake.current.checks).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.current.checks).toBe(1);
    second.stop();
  });

  it('never creates or calls the updater when policy turns updates off, and says so', async () => {
    const u = startAutoUpdates(effective({ autoUpdate: false }), (s) => statuses.push(s));
    await u.checkNow();
    await vi.advanceTimersByTimeAsync(24 * 60 * 60 * 1000);
    expect(fake.current.checks).toBe(0);
    expect(fake.current.listenerCount('error')).toBe(0);
    expect(statuses.at(-1)).toMatchObject({
      state: 'disabled',
      message: 'Automatic updates are turned off by your IT department.',
    });
    u.stop();
  });

  it('leaves a per-machine Windows install alone', async () => {
    setPlatform('win32');
    const env = process.env.ProgramFiles;
    process.env.ProgramFiles = 'C:\\Program Files';
    h.exe = 'C:\\Program Files\\Klaxon\\Klaxon.exe';
    try {
      const u = startAutoUpdates(effective(), (s) => statuses.push(s));
      await vi.advanceTimersByTimeAsync(60_000);
      expect(fake.current.checks).toBe(0);
      expect(statuses.at(-1)!.state).toBe('disabled');
      u.stop();
    } finally {
      if (env === undefined) delete process.env.ProgramFiles;
      else process.env.ProgramFiles = env;
      h.exe = '/Applications/Klaxon.app/Contents/MacOS/Klaxon';
    }
  });

  it('reports a failed check, a found update and its download to the user', async () => {
    fake.current.nextCheck = (u) => u.emit('error', new Error('getaddrinfo ENOTFOUND mirror.example.com'));
    const u = startAutoUpdates(effective(), (s) => statuses.push(s));
    await u.checkNow();
    expect(statuses.at(-1)).toMatchObject({ state: 'error', lastCheckAt: '2026-11-22T12:00:00.000Z' });
    expect(statuses.at(-1)!.message).toMatch(
      /^Could not check for updates \(getaddrinfo ENOTFOUND mirror.example.com\)/,
    );

    fake.current.nextCheck = (x) => {
      x.emit('update-available', { version: '0.2.0' });
      x.emit('download-progress', { percent: 50 });
      x.emit('update-downloaded', { version: '0.2.0' });
    };
    await u.checkNow();
    expect(statuses.map((s) => s.state).slice(-4)).toEqual(['checking', 'available', 'downloading', 'downloaded']);
    expect(u.status().message).toBe('Klaxon 0.2.0 is ready and will be installed when you quit Klaxon.');
    u.stop();
  });

  it('stops checking when the user turns updates off, and resumes when turned back on', async () => {
    const u = startAutoUpdates(effective(), (s) => statuses.push(s));
    u.applySettings({ ...effective(), values: { ...DEFAULT_SETTINGS, autoUpdate: false } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.current.checks).toBe(0);
    expect(u.status()).toMatchObject({ state: 'disabled', message: 'Automatic updates are turned off in Settings.' });
    u.applySettings(effective());
    expect(u.status().state).toBe('idle');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fake.current.checks).toBe(1);
    u.stop();
  });

  it("startUpdater (the app shell's entry) starts once, logs the status, and re-applies later settings", async () => {
    const lines: string[] = [];
    const first = startUpdater({ ...DEFAULT_SETTINGS }, (m) => lines.push(m));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fake.current.checks).toBe(1);
    expect(lines.at(-1)).toBe(
      'updates: up-to-date (Klaxon 0.1.0, last check 2026-11-22T12:00:30.000Z): Klaxon 0.1.0 is the latest version.',
    );
    const again = startUpdater({ ...DEFAULT_SETTINGS, autoUpdate: false }, (m) => lines.push(m));
    expect(again).toBe(first);
    expect(lines.at(-1)).toMatch(/^updates: disabled .*turned off in Settings\.$/);
    await vi.advanceTimersByTimeAsync(8 * 60 * 60 * 1000);
    expect(fake.current.checks).toBe(1);
    first.stop();
  });
});
