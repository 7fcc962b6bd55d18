// createDesktopCore when the server cannot be reached, and its settings channels (no server needed).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '#common/index.js';
import { appInfoFromUpdateStatus } from '#electron/updates.js';
import { createDesktopCore } from '#electron/desktop-core.js';
import { memoryTokenStore } from '#electron/token-vault.js';
import { trayView } from '#electron/tray.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-core-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const core = (changed: string[][] = []) =>
  createDesktopCore({
    settings: {
      policy: { serverUrl: 'http://127.0.0.1:9', autoUpdate: false },
      userSettingsFile: path.join(dir, 'settings.json'),
    },
    tokenStore: memoryTokenStore('No secure keyring was found on this computer.'),
    openBrowser: async () => {
      throw new Error('must not be called');
    },
    onSettingsChanged: (_s, keys) => changed.push(keys),
    log: () => {},
  });

describe('desktop core without a reachable server', () => {
  it('says it cannot reach the server, keeps retrying, and shows no count', async () => {
    const c = core();
    await c.start();
    const s = c.state.get();
    expect(s.link.status).toBe('offline');
    expect(s.link.error).toMatch(
      /Cannot reach the Klaxon server at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\).*keeps trying/,
    );
    expect(s.link.retryAt).not.toBeNull();
    expect(s.storage).toEqual({ mode: 'memory-only', message: 'No secure keyring was found on this computer.' });
    expect(trayView(s, { platform: 'darwin', theme: 'light', now: new Date() }).badge.dockText).toBe('');
    expect(await c.invoke('auth:sign-in', undefined)).toMatchObject({
      ok: false,
      error: { code: 'upstream_unavailable' },
    });
    await c.stop();
  });

  it('settings: locked keys are refused by name; other changes are saved and handed to the shell', async () => {
    const changed: string[][] = [];
    const c = core(changed);
    expect(await c.invoke('settings:set', { autoUpdate: true })).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message: '"autoUpdate" is set by your IT department and cannot be changed here.',
        field: 'autoUpdate',
      },
    });
    const r = await c.invoke('settings:set', { globalShortcut: 'Alt+Shift+K', notifyNewIncidents: false });
    expect(r).toMatchObject({
      ok: true,
      value: {
        values: { globalShortcut: 'Alt+Shift+K', notifyNewIncidents: false },
        sources: { globalShortcut: 'user', serverUrl: 'policy' },
        locked: { serverUrl: 'Set by your IT department' },
      },
    });
    expect(changed).toEqual([['notifyNewIncidents', 'globalShortcut']]);
    expect(await c.invoke('settings:get', undefined)).toMatchObject({
      ok: true,
      value: { values: { globalShortcut: 'Alt+Shift+K' } },
    });
    await c.stop();
  });

  it('settings: the renderer alone cannot change where Klaxon connects; a confirmed change applies', async () => {
    const file = path.join(dir, 'own-settings.json');
    const asked: unknown[] = [];
    let answer = false;
    const changed: string[][] = [];
    const c = createDesktopCore({
      settings: { policy: {}, userSettingsFile: file },
      tokenStore: memoryTokenStore(),
      openBrowser: async () => {},
      onSettingsChanged: (_s, keys) => changed.push(keys),
      log: () => {},
    });
    const refused = {
      ok: false,
      error: { code: 'forbidden', field: 'serverUrl', message: expect.stringMatching(/^Klaxon did not change/) },
    };
    const attempt = {
      serverUrl: 'https://evil.example.org',
      issuer: 'https://idp.evil.example',
      notifyOwnPages: false,
    };
    // No way to ask the person (no dialog): refused, and nothing of the patch is applied.
    expect(await c.invoke('settings:set', attempt)).toMatchObject(refused);
    expect(c.settings().values).toMatchObject({
      serverUrl: DEFAULT_SETTINGS.serverUrl,
      issuer: null,
      notifyOwnPages: true,
    });
    expect(c.state.get().serverUrl).toBe(DEFAULT_SETTINGS.serverUrl);
    expect(existsSync(file)).toBe(false);
    expect(changed).toEqual([]);

    const d = createDesktopCore({
      settings: { policy: {}, userSettingsFile: file },
      tokenStore: memoryTokenStore(),
      openBrowser: async () => {},
      confirmServerChange: async (changes) => {
        asked.push(changes);
        return answer;
      },
      log: () => {},
    });
    // The person chooses Cancel.
    expect(await d.invoke('settings:set', attempt)).toMatchObject(refused);
    expect(d.settings().values.serverUrl).toBe(DEFAULT_SETTINGS.serverUrl);
    expect(existsSync(file)).toBe(false);
    // Other settings never ask.
    expect(await d.invoke('settings:set', { notifyOwnPages: false })).toMatchObject({ ok: true });
    expect(asked).toHaveLength(1);
    // The person chooses Connect.
    answer = true;
    expect(await d.invoke('settings:set', attempt)).toMatchObject({
      ok: true,
      value: { values: { serverUrl: 'https://evil.example.org', issuer: 'https://idp.evil.example' } },
    });
    expect(asked[1]).toEqual([
      { key: 'serverUrl', from: DEFAULT_SETTINGS.serverUrl, to: 'https://evil.example.org' },
      { key: 'issuer', from: null, to: 'https://idp.evil.example' },
    ]);
    expect(d.state.get().serverUrl).toBe('https://evil.example.org');
    await c.stop();
    await d.stop();
  });

  it('shows the version and update status the shell reports (ClientState.app), and ignores a malformed one', () => {
    const c = core();
    const pushes: unknown[] = [];
    c.subscribe((channel, payload) => pushes.push([channel, payload]));
    const info = {
      version: '1.4.2',
      updates: {
        enabled: false,
        lastCheckedAt: null,
        message: 'Automatic updates are turned off by your IT department.',
      },
    };
    c.setAppInfo(info);
    expect(c.state.get().app).toEqual(info);
    expect(pushes).toEqual([['state:changed', expect.objectContaining({ app: info })]]);
    c.setAppInfo(
      appInfoFromUpdateStatus({
        currentVersion: '1.4.2',
        state: 'up-to-date',
        channel: 'latest',
        lastCheckAt: '2026-11-22T12:00:30.000Z',
        availableVersion: null,
        progressPercent: null,
        message: 'Klaxon 1.4.2 is the latest version.',
      }),
    );
    expect(c.state.get().app).toEqual({
      version: '1.4.2',
      updates: {
        enabled: true,
        lastCheckedAt: '2026-11-22T12:00:30.000Z',
        message: 'Klaxon 1.4.2 is the latest version.',
      },
    });
    c.setAppInfo({ version: 7 } as never);
    expect(c.state.get().app?.version).toBe('1.4.2');
  });

  it('pushes navigate:incident when a notification is clicked', () => {
    const c = core();
    const pushes: unknown[] = [];
    c.subscribe((channel, payload) => pushes.push([channel, payload]));
    c.showIncident('1042');
    expect(pushes).toEqual([['navigate:incident', { number: '1042' }]]);
  });
});
