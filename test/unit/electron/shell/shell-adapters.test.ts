// The thin Electron adapters, run against a recording fake of the `electron` module.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_PUSH_CHANNELS, IPC_REQUEST_CHANNELS } from '#common/index.js';
import { ClientStateStore } from '#electron/client-state-store.js';
import { initialClientState } from '#common/index.js';
import { createDesktopCore } from '#electron/desktop-core.js';
import { memoryTokenStore } from '#electron/token-vault.js';
import { trayView } from '#electron/tray.js';
import * as fake from '#test/support/fake-electron.js';
import { incident, liveState } from '#test/support/electron-fixtures.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));
vi.mock('electron-store', () => ({
  default: class FakeStore {
    static files = new Map<string, Record<string, unknown>>();
    private data: Record<string, unknown>;
    constructor(opts: { name: string }) {
      this.data = FakeStore.files.get(opts.name) ?? {};
      FakeStore.files.set(opts.name, this.data);
    }
    get(k: string) {
      return this.data[k];
    }
    set(k: string, v: unknown) {
      this.data[k] = v;
    }
    delete(k: string) {
      delete this.data[k];
    }
  },
}));

let dir: string;
beforeEach(() => {
  fake.resetFake();
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-shell-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('window', () => {
  it('uses hardened web preferences on every platform', async () => {
    const { createKlaxonWindow } = await import('#electron/shell/popover-window.js');
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      expect(
        (createKlaxonWindow(platform, '/app/preload.cjs') as unknown as fake.BrowserWindow).options.webPreferences,
      ).toEqual({
        preload: '/app/preload.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
        disableBlinkFeatures: 'Auxclick',
      });
    }
  });
  it('is a frameless popover that hides on blur on macOS, anchored under the tray icon; a normal window on Linux', async () => {
    const { PopoverWindow } = await import('#electron/shell/popover-window.js');
    const mac = new PopoverWindow({
      platform: 'darwin',
      preloadPath: '/p.cjs',
      trayBounds: () => ({ x: 1000, y: 0, width: 22, height: 22 }),
    });
    const w = fake.BrowserWindow.instances[0]!;
    expect(w.options).toMatchObject({ frame: false, skipTaskbar: true, show: false });
    expect(w.webContents.url).toBe('app://klaxon/index.html');
    mac.show();
    expect(w.position).toEqual([811, 26]);
    expect(w.visible).toBe(true);
    w.emit('blur');
    expect(w.visible).toBe(false);

    new PopoverWindow({ platform: 'linux', preloadPath: '/p.cjs', trayBounds: () => null });
    const l = fake.BrowserWindow.instances[1]!;
    expect(l.options).toMatchObject({ frame: true, skipTaskbar: false });
    l.show();
    l.emit('blur');
    expect(l.visible).toBe(true);
  });
});

describe('IPC', () => {
  const core = () =>
    createDesktopCore({
      settings: { policy: { serverUrl: 'http://127.0.0.1:9' }, userSettingsFile: path.join(dir, 's.json') },
      tokenStore: memoryTokenStore(),
      openBrowser: async () => {},
      log: () => {},
    });

  it('registers every channel of the contract and refuses senders that are not app://klaxon (or gone)', async () => {
    const { registerIpcHandlers, REFUSED_SENDER } = await import('#electron/shell/ipc.js');
    const c = core();
    registerIpcHandlers(fake.ipcMain as never, c);
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...IPC_REQUEST_CHANNELS].sort());
    const handler = fake.ipcMain.handlers.get('settings:get')!;
    expect(await handler({ senderFrame: null }, undefined)).toEqual(REFUSED_SENDER);
    expect(await handler({ senderFrame: { url: 'https://evil.example.org/' } }, undefined)).toEqual(REFUSED_SENDER);
    expect(await handler({ senderFrame: { url: 'app://klaxon.evil/index.html' } }, undefined)).toEqual(REFUSED_SENDER);
    expect(await handler({ senderFrame: { url: 'file:///app/index.html' } }, undefined)).toEqual(REFUSED_SENDER);
    expect(await handler({ senderFrame: { url: 'app://klaxon/index.html' } }, undefined)).toMatchObject({
      ok: true,
      value: { values: { serverUrl: 'http://127.0.0.1:9' } },
    });
  });

  it('rejects invalid payloads from the real window with the field named', async () => {
    const { registerIpcHandlers } = await import('#electron/shell/ipc.js');
    registerIpcHandlers(fake.ipcMain as never, core());
    const frame = { senderFrame: { url: 'app://klaxon/index.html' } };
    expect(
      await fake.ipcMain.handlers.get('pages:create')!(frame, {
        summary: 'x'.repeat(500),
        idempotencyKey: 'key-1234567890abcdef',
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'summary' } });
    expect(await fake.ipcMain.handlers.get('settings:set')!(frame, { serverUrl: 'javascript:alert(1)' })).toMatchObject(
      { ok: false, error: { code: 'invalid_request', field: 'serverUrl' } },
    );
    expect(
      await fake.ipcMain.handlers.get('settings:set')!(frame, { updateFeedUrl: 'https://x.example' }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'updateFeedUrl' } });
  });

  it('refuses to open links that are not allow-listed; shell.openExternal is never called for them', async () => {
    const { registerIpcHandlers } = await import('#electron/shell/ipc.js');
    const c = createDesktopCore({
      settings: { policy: {}, userSettingsFile: path.join(dir, 's.json') },
      tokenStore: memoryTokenStore(),
      openBrowser: async () => {},
      openExternal: (u) => fake.shell.openExternal(u.href),
      log: () => {},
    });
    registerIpcHandlers(fake.ipcMain as never, c);
    const open = fake.ipcMain.handlers.get('shell:open-external')!;
    for (const url of ['https://evil.example.org/', 'file:///etc/passwd', 'http://127.0.0.1:8787/']) {
      expect(await open({ senderFrame: { url: 'app://klaxon/index.html' } }, { url })).toMatchObject({
        ok: false,
        error: { code: expect.stringMatching(/forbidden|invalid_request/) },
      });
    }
    expect(fake.callsTo('shell.openExternal')).toEqual([]);
  });

  it('forwards pushes only to Klaxon windows', async () => {
    const { forwardPushes } = await import('#electron/shell/ipc.js');
    const listeners: ((c: never, p: unknown) => void)[] = [];
    const good = new fake.BrowserWindow({}).webContents;
    good.url = 'app://klaxon/index.html';
    const bad = new fake.BrowserWindow({}).webContents;
    bad.url = 'https://evil.example.org/';
    forwardPushes(
      {
        subscribe: (l) => {
          listeners.push(l as never);
          return () => {};
        },
      },
      () => [good, bad] as never,
    );
    listeners[0]!('navigate:incident' as never, { number: '7' });
    expect(good.sent).toEqual([{ channel: 'navigate:incident', payload: { number: '7' } }]);
    expect(bad.sent).toEqual([]);
  });
});

describe('preload', () => {
  it('exposes only window.klaxon, forwards known channels, and drops the IpcRendererEvent', async () => {
    vi.resetModules();
    const { klaxonBridge, PRELOAD_REQUEST_CHANNELS, PRELOAD_PUSH_CHANNELS } =
      await import('#electron/shell/preload.js');
    expect([...PRELOAD_REQUEST_CHANNELS].sort()).toEqual([...IPC_REQUEST_CHANNELS].sort());
    expect([...PRELOAD_PUSH_CHANNELS].sort()).toEqual([...IPC_PUSH_CHANNELS].sort());
    expect([...fake.contextBridge.exposed.keys()]).toEqual(['klaxon']);
    expect(fake.contextBridge.exposed.get('klaxon')).toBe(klaxonBridge);
    expect(Object.keys(klaxonBridge).sort()).toEqual(['invoke', 'on']);

    expect(await klaxonBridge.invoke('settings:set', { startAtLogin: true })).toEqual({
      ok: true,
      value: 'echo:settings:set',
    });
    expect(fake.callsTo('ipcRenderer.invoke')).toEqual([['settings:set', { startAtLogin: true }]]);
    expect(await (klaxonBridge.invoke as (c: string) => Promise<unknown>)('evil:channel')).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(fake.callsTo('ipcRenderer.invoke')).toHaveLength(1);

    const got: unknown[] = [];
    const off = klaxonBridge.on('state:changed', (p) => got.push(p));
    fake.ipcRenderer.emit('state:changed', { sender: 'SECRET-EVENT-OBJECT' }, { hello: 1 });
    expect(got).toEqual([{ hello: 1 }]);
    off();
    fake.ipcRenderer.emit('state:changed', {}, { hello: 2 });
    expect(got).toHaveLength(1);
    expect(() => (klaxonBridge.on as (c: string, l: () => void) => void)('ipc:raw', () => {})).toThrow(
      /Unknown Klaxon event/,
    );
    expect(IPC_PUSH_CHANNELS).toContain('page:updated');
  });
});

describe('tray and badge', () => {
  it('redraws image, tooltip, title and menu when the state changes', async () => {
    const { TrayController } = await import('#electron/shell/tray.js');
    const store = new ClientStateStore(
      initialClientState('http://127.0.0.1:8787', { mode: 'memory-only', message: null }),
    );
    const menuClicks: string[] = [];
    const t = new TrayController({
      assetsDir: '/assets',
      platform: 'darwin',
      state: () => store.get(),
      subscribe: (l) => store.subscribe(l),
      onOpen: () => {},
      onMenu: (id) => menuClicks.push(id),
      refreshEveryMs: 60_000,
    });
    const tray = fake.Tray.instances[0]!;
    expect(tray.image.path).toBe('/assets/tray/signed-outTemplate.png');
    expect(tray.image.template).toBe(true);
    expect(tray.tooltip).toBe('Klaxon — not signed in. Open Klaxon to sign in.');

    store.update(liveState([incident(), incident({ number: '2', phase: 'ACKED' })]));
    expect(tray.image.path).toBe('/assets/tray/unacked-light.png');
    expect(tray.image.template).toBe(false);
    expect(tray.tooltip).toMatch(/^Klaxon — 2 open incidents, 1 not acknowledged/);
    expect(tray.title).toBe('2');
    const items = tray.menu!.items;
    (items.find((i) => i.id === 'sign-out')!.click as () => void)();
    expect(menuClicks).toEqual(['sign-out']);

    const before = fake.callsTo('Tray.setImage').length;
    store.update((s) => ({ link: { ...s.link, lastDataAt: new Date().toISOString() } })); // same image: not set again
    expect(fake.callsTo('Tray.setImage').length).toBe(before);
    t.destroy();
  });

  it('applies the badge per platform: dock text, Windows overlay, Linux count; never "0"', async () => {
    const { applyBadge, resetBadgeMemory } = await import('#electron/shell/badge.js');
    const view = (platform: NodeJS.Platform, s = liveState([incident()])) =>
      trayView(s, { platform, theme: 'light', now: new Date() });
    const win = new fake.BrowserWindow({});
    resetBadgeMemory();
    applyBadge(view('darwin'), { platform: 'darwin', assetsDir: '/a', window: () => null });
    expect(fake.app.dock.badge).toBe('1');
    resetBadgeMemory();
    applyBadge(view('win32'), { platform: 'win32', assetsDir: '/a', window: () => win as never });
    expect(win.overlay).toMatchObject({
      image: { path: '/a/tray/overlay-unacked.png' },
      description: '1 open incident, not acknowledged',
    });
    resetBadgeMemory();
    applyBadge(view('linux'), { platform: 'linux', assetsDir: '/a', window: () => null });
    expect(fake.app.badgeCount).toBe(1);

    const offline = liveState([], { link: { status: 'offline', lastDataAt: null, error: 'down', retryAt: null } });
    resetBadgeMemory();
    applyBadge(view('darwin', offline), { platform: 'darwin', assetsDir: '/a', window: () => null });
    expect(fake.app.dock.badge).toBe('!');
    resetBadgeMemory();
    applyBadge(view('linux', offline), { platform: 'linux', assetsDir: '/a', window: () => null });
    expect(fake.app.badgeCount).toBe(0);
  });
});

describe('Windows badge', () => {
  const view = (s = liveState([incident()])) => trayView(s, { platform: 'win32', theme: 'light', now: new Date() });

  it('the tray popover has no taskbar button: no overlay is drawn; the tray image and tooltip carry the count', async () => {
    const { applyBadge, resetBadgeMemory } = await import('#electron/shell/badge.js');
    const { PopoverWindow } = await import('#electron/shell/popover-window.js');
    const popover = new PopoverWindow({ platform: 'win32', preloadPath: '/p.cjs', trayBounds: () => null });
    const w = fake.BrowserWindow.instances[0]!;
    expect(w.options).toMatchObject({ skipTaskbar: true });
    resetBadgeMemory();
    const v = view();
    applyBadge(v, {
      platform: 'win32',
      assetsDir: '/a',
      window: () => popover.window,
      hasTaskbarButton: () => popover.mode === 'window',
    });
    expect(fake.callsTo('BrowserWindow.setOverlayIcon')).toEqual([]);
    expect(v.image.file).toBe('unacked-light.png');
    expect(v.tooltip).toMatch(/^Klaxon — 1 open incident, not acknowledged/);
  });

  it('a badge that could not be applied (no window yet) is applied once the window exists', async () => {
    const { applyBadge, resetBadgeMemory } = await import('#electron/shell/badge.js');
    resetBadgeMemory();
    let win: fake.BrowserWindow | null = null;
    const target = {
      platform: 'win32' as const,
      assetsDir: '/a',
      window: () => win as never,
      hasTaskbarButton: () => true,
    };
    applyBadge(view(), target);
    win = new fake.BrowserWindow({});
    applyBadge(view(), target); // same view: must not be skipped as "already applied"
    expect(win.overlay).toMatchObject({
      image: { path: '/a/tray/overlay-unacked.png' },
      description: '1 open incident, not acknowledged',
    });
  });
});

describe('development knobs', () => {
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

describe('notifications', () => {
  it('shows an Electron notification and calls back on click', async () => {
    const { showNotification } = await import('#electron/shell/notifications.js');
    const clicked: string[] = [];
    expect(
      showNotification(
        { title: 'New incident #7, not acknowledged', body: 'Checkout down', incidentNumber: '7' },
        (n) => clicked.push(n.incidentNumber!),
      ),
    ).toBe(true);
    const n = fake.Notification.instances[0]!;
    expect(n.options).toMatchObject({ title: 'New incident #7, not acknowledged', body: 'Checkout down' });
    n.emit('click');
    expect(clicked).toEqual(['7']);
    fake.Notification.supported = false;
    expect(showNotification({ title: 't', body: 'b' }, () => {})).toBe(false);
    fake.Notification.supported = true;
  });
});

describe('token store binding (safeStorage + electron-store)', () => {
  it('with a keyring: stores only ciphertext and the backend; reads it back in a new process', async () => {
    const { createElectronTokenStore } = await import('#electron/shell/token-store.js');
    const Store = (await import('electron-store')).default as unknown as {
      files: Map<string, Record<string, unknown>>;
    };
    Store.files.clear();
    const s = createElectronTokenStore();
    expect(s.mode).toBe(process.platform === 'linux' ? 'encrypted' : 'encrypted');
    await s.set('refresh-token-secret');
    const file = JSON.stringify(Store.files.get('klaxon-session'));
    expect(file).not.toContain('refresh-token-secret');
    expect(file).toContain(process.platform === 'linux' ? 'gnome_libsecret' : '');
    expect(await createElectronTokenStore().get()).toBe('refresh-token-secret');
  });
  it('Linux basic_text: memory only, nothing written, and a message saying what to install', async () => {
    if (process.platform !== 'linux') return;
    const { createElectronTokenStore } = await import('#electron/shell/token-store.js');
    const Store = (await import('electron-store')).default as unknown as {
      files: Map<string, Record<string, unknown>>;
    };
    Store.files.clear();
    fake.safeStorage.backend = 'basic_text';
    const s = createElectronTokenStore();
    await s.set('refresh-token-secret');
    expect(s.mode).toBe('memory-only');
    expect(s.message).toMatch(/gnome-keyring/);
    expect(JSON.stringify(Store.files.get('klaxon-session') ?? {})).toBe('{}');
  });
});

describe('app:// protocol', () => {
  it('serves only files under the renderer directory, with the CSP header', async () => {
    const { serveRenderer } = await import('#electron/shell/app-protocol.js');
    const root = path.join(dir, 'renderer');
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Klaxon</title>');
    writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'secret.txt'), 'secret');
    symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'assets', 'leak.txt'));
    serveRenderer(root);
    const handle = fake.protocol.handlers.get('app')!;
    const get = (u: string) => handle(new Request(u));

    const index = await get('app://klaxon/index.html');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(await index.text()).toContain('<title>Klaxon</title>');
    expect((await get('app://klaxon/')).status).toBe(200);
    expect((await get('app://klaxon/assets/app.js')).headers.get('content-type')).toMatch(/javascript/);
    expect((await get('app://klaxon/..%2fsecret.txt')).status).toBe(403);
    const dotted = await get('app://klaxon/assets/%2e%2e/%2e%2e/secret.txt'); // URL parsing folds it to /secret.txt inside the root
    expect(dotted.status).toBe(404);
    expect(await dotted.text()).not.toContain('secret');
    expect((await get('app://klaxon/assets/leak.txt')).status).toBe(403);
    expect((await get('app://other/index.html')).status).toBe(403);
    expect((await get('app://klaxon/missing.html')).status).toBe(404);
  });
});
