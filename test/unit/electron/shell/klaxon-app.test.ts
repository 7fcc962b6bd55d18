// The main-process wiring (electron/shell/klaxon-app.ts) against the recording fake of `electron`.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_REQUEST_CHANNELS } from '#common/index.js';
import * as fake from '#test/support/fake-electron.js';
import { clientConfig } from '#test/support/builders.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));
vi.mock('electron-store', () => ({
  default: class {
    private d: Record<string, unknown> = {};
    get(k: string) {
      return this.d[k];
    }
    set(k: string, v: unknown) {
      this.d[k] = v;
    }
    delete(k: string) {
      delete this.d[k];
    }
  },
}));
vi.mock('electron-updater', () => ({
  default: { autoUpdater: { setFeedURL() {}, checkForUpdatesAndNotify: async () => null } },
}));

let dir: string;
let server: http.Server;
let configRequests = 0;
/** The identity provider the fake server advertises; null: the fixture's (https). */
let advertisedIssuer: string | null = null;
beforeEach(async () => {
  advertisedIssuer = null;
  fake.resetFake();
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-main-'));
  fake.app.userData = dir;
  configRequests = 0;
  server = http.createServer((req, res) => {
    if (req.url === '/api/v1/client-config') {
      configRequests++;
      const config = clientConfig();
      if (advertisedIssuer) config.oidc.issuer = advertisedIssuer;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  writeFileSync(
    path.join(dir, 'settings.json'),
    JSON.stringify({ serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
  );
});
afterEach(async () => {
  fake.app.emit('before-quit');
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const paths = () => ({
  rendererDir: path.join(dir, 'renderer'),
  preloadPath: path.join(dir, 'preload.cjs'),
  assetsDir: path.join(dir, 'assets'),
});

describe('main process wiring', () => {
  it('hardens before ready, then builds tray, window and IPC', async () => {
    const { startKlaxonApp } = await import('#electron/shell/klaxon-app.js');
    await startKlaxonApp(paths());
    const order = fake.calls.map((c) => c.api);
    expect(order.indexOf('app.requestSingleInstanceLock')).toBe(0);
    expect(order.indexOf('app.enableSandbox')).toBeLessThan(order.indexOf('app.whenReady'));
    expect(order.indexOf('protocol.registerSchemesAsPrivileged')).toBeLessThan(order.indexOf('app.whenReady'));
    expect(fake.callsTo('protocol.registerSchemesAsPrivileged')[0]![0]).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(fake.callsTo('protocol.handle')).toEqual([['app']]);

    // Permissions: every request and check denied.
    let granted: boolean | null = null;
    fake.session.defaultSession.permissionRequestHandler!({}, 'media', (g: boolean) => {
      granted = g;
    });
    expect(granted).toBe(false);
    expect(fake.session.defaultSession.permissionCheckHandler!({}, 'notifications')).toBe(false);

    // IPC: every channel registered.
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...IPC_REQUEST_CHANNELS].sort());

    // Window: hardened and loading app://klaxon; navigation away and window.open denied.
    const win = fake.BrowserWindow.instances[0]!;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: paths().preloadPath,
    });
    let prevented = false;
    win.webContents.emit(
      'will-navigate',
      {
        preventDefault: () => {
          prevented = true;
        },
      },
      'https://evil.example.org/',
    );
    expect(prevented).toBe(true);
    prevented = false;
    win.webContents.emit(
      'will-navigate',
      {
        preventDefault: () => {
          prevented = true;
        },
      },
      'app://klaxon/index.html#incident',
    );
    expect(prevented).toBe(false);
    expect(win.webContents.windowOpenHandler!({ url: 'https://evil.example.org/' })).toEqual({ action: 'deny' });

    // Tray shows the state; the default global shortcut is registered.
    const tray = fake.Tray.instances[0]!;
    expect(tray.tooltip).toBe('Klaxon — not signed in. Open Klaxon to sign in.');
    expect([...fake.globalShortcut.registered.keys()]).toEqual(['CommandOrControl+Shift+K']);
    expect(configRequests).toBe(1);
  });

  it('puts the version and the update status into the state (updates off in a development build)', async () => {
    process.env.KLAXON_E2E = '1';
    try {
      const { startKlaxonApp } = await import('#electron/shell/klaxon-app.js');
      await startKlaxonApp(paths());
      const refs = (globalThis as { __klaxonTestRefs?: { core: { state: { get(): { app?: unknown } } } } })
        .__klaxonTestRefs!;
      expect(refs.core.state.get().app).toEqual({
        version: '0.1.0',
        updates: { enabled: false, lastCheckedAt: null, message: 'Updates are not checked in a development build.' },
      });
    } finally {
      delete process.env.KLAXON_E2E;
      delete (globalThis as { __klaxonTestRefs?: unknown }).__klaxonTestRefs;
    }
  });

  it('a second instance quits at once (single instance)', async () => {
    fake.app.gotLock = false;
    const { startKlaxonApp } = await import('#electron/shell/klaxon-app.js');
    await startKlaxonApp(paths());
    expect(fake.callsTo('app.quit')).toHaveLength(1);
    expect(fake.BrowserWindow.instances).toHaveLength(0);
  });

  it('resume from sleep and the global shortcut act on the app', async () => {
    const { startKlaxonApp } = await import('#electron/shell/klaxon-app.js');
    await startKlaxonApp(paths());
    const win = fake.BrowserWindow.instances[0]!;
    win.visible = false;
    fake.globalShortcut.registered.get('CommandOrControl+Shift+K')!();
    expect(win.visible).toBe(true);
    expect(configRequests).toBe(1);
    fake.powerMonitor.emit('resume'); // signed out, config loaded: nothing to reconnect, but nothing breaks
    fake.app.emit('second-instance');
    expect(win.visible).toBe(true);
  });
});

describe('where Klaxon connects', () => {
  it('settings:set from the window changes the server only after Connect in the native dialog', async () => {
    const { startKlaxonApp } = await import('#electron/shell/klaxon-app.js');
    await startKlaxonApp(paths());
    const setSettings = fake.ipcMain.handlers.get('settings:set')!;
    const get = fake.ipcMain.handlers.get('settings:get')!;
    const frame = { senderFrame: { url: 'app://klaxon/index.html' } };
    const port = (server.address() as AddressInfo).port;
    const before = `http://127.0.0.1:${port}`;
    const elsewhere = `http://localhost:${port}`;

    fake.dialog.response = 0; // Cancel
    expect(await setSettings(frame, { serverUrl: elsewhere })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', field: 'serverUrl' },
    });
    expect(fake.callsTo('dialog.showMessageBox')).toHaveLength(1);
    expect(await get(frame, undefined)).toMatchObject({ ok: true, value: { values: { serverUrl: before } } });
    expect(JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')).serverUrl).toBe(before);

    fake.dialog.response = 1; // Connect
    expect(await setSettings(frame, { serverUrl: elsewhere })).toMatchObject({
      ok: true,
      value: { values: { serverUrl: elsewhere } },
    });
    expect((fake.callsTo('dialog.showMessageBox')[1]![0] as { message: string }).message).toBe(
      `Connect Klaxon to localhost:${port}?`,
    );
    expect(JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')).serverUrl).toBe(elsewhere);
  });
});

describe('development knobs', () => {
  it('KLAXON_ALLOW_INSECURE_ISSUER is ignored in a packaged build: no sign-in with a plain-http provider', async () => {
    const { startKlaxonApp } = await import('#electron/shell/klaxon-app.js');
    advertisedIssuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const saved = { insecure: process.env.KLAXON_ALLOW_INSECURE_ISSUER, xdg: process.env.XDG_CONFIG_HOME };
    process.env.KLAXON_ALLOW_INSECURE_ISSUER = '1';
    process.env.XDG_CONFIG_HOME = dir; // a packaged start applies "start at login"
    const frame = { senderFrame: { url: 'app://klaxon/index.html' } };
    try {
      fake.app.isPackaged = true;
      await startKlaxonApp(paths());
      const packaged = await fake.ipcMain.handlers.get('auth:sign-in')!(frame, undefined);
      expect(packaged).toMatchObject({
        ok: false,
        error: {
          message: expect.stringMatching(/^The identity provider http:\/\/127\.0\.0\.1:\d+ does not use https/),
        },
      });
      fake.app.emit('before-quit');
      fake.resetFake();
      // Unpackaged (development), the same provider is tried.
      fake.app.isPackaged = false;
      await startKlaxonApp(paths());
      const dev = await fake.ipcMain.handlers.get('auth:sign-in')!(frame, undefined);
      expect(dev).toMatchObject({ ok: false });
      expect((dev as { error: { message: string } }).error.message).not.toMatch(/does not use https/);
    } finally {
      fake.app.isPackaged = false;
      if (saved.insecure === undefined) delete process.env.KLAXON_ALLOW_INSECURE_ISSUER;
      else process.env.KLAXON_ALLOW_INSECURE_ISSUER = saved.insecure;
      if (saved.xdg === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved.xdg;
    }
  });

  it('KLAXON_RENDERER_DIR, KLAXON_ASSETS_DIR and KLAXON_E2E are ignored in a packaged build', async () => {
    const { defaultPaths, devEnv } = await import('#electron/shell/klaxon-app.js');
    const saved = { ...process.env };
    Object.assign(process.env, {
      KLAXON_RENDERER_DIR: '/tmp/evil-renderer',
      KLAXON_ASSETS_DIR: '/tmp/evil-assets',
      KLAXON_E2E: '1',
    });
    try {
      fake.app.isPackaged = false;
      expect(defaultPaths('/app/dist')).toMatchObject({
        rendererDir: '/tmp/evil-renderer',
        assetsDir: '/tmp/evil-assets',
      });
      expect(devEnv('KLAXON_E2E')).toBe('1');
      fake.app.isPackaged = true;
      const p = defaultPaths('/app/dist');
      expect(p.rendererDir).toBe('/app/dist/renderer');
      expect(p.assetsDir).not.toBe('/tmp/evil-assets');
      expect(devEnv('KLAXON_E2E')).toBeUndefined();
    } finally {
      fake.app.isPackaged = false;
      for (const k of ['KLAXON_RENDERER_DIR', 'KLAXON_ASSETS_DIR', 'KLAXON_E2E'])
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
    }
  });
});
