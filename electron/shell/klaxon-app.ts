/**
 * Klaxon's main process: wires the Electron-free core to the OS (tray, badge, window, IPC,
 * notifications, shortcuts, power and network events). Every decision is made elsewhere; this file
 * only connects things, in the order Electron requires (scheme and sandbox before `ready`).
 */
import { app, globalShortcut, ipcMain, net, powerMonitor, shell, type BrowserWindow } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EffectiveSettings } from '#common/index.js';
import { appInfoFromUpdateStatus } from '../updates.js';
import { createDesktopCore, type DesktopCore } from '../desktop-core.js';
import { readManagedPolicy } from '../managed-policy/index.js';
import type { TrayView } from '../tray.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { applyBadge } from './badge.js';
import { createMainErrorReports } from './error-reports.js';
import { forwardPushes, registerIpcHandlers } from './ipc.js';
import { showNotification } from './notifications.js';
import { PopoverWindow } from './popover-window.js';
import { confirmServerChangeInDialog } from './server-change.js';
import { applyStartAtLogin } from './start-at-login.js';
import { createElectronTokenStore } from './token-store.js';
import { fileUnsentPagesStore } from '../unsent-pages.js';
import { TrayController } from './tray.js';
import { startUpdater } from './updates.js';
import { denyAllPermissions, installWebContentsGuards } from './web-contents-guards.js';

export interface KlaxonAppPaths {
  /** Bundled renderer (dist/desktop/renderer). */
  rendererDir: string;
  /** Bundled preload (CommonJS). */
  preloadPath: string;
  /** assets/ (tray images, overlays). */
  assetsDir: string;
}

/** What Playwright `_electron` specs read through `electronApp.evaluate` (Mattermost's test-recorder idea). */
export interface KlaxonTestRefs {
  core: DesktopCore;
  tray: () => TrayView | null;
  window: () => BrowserWindow | null;
}

const log = (m: string) => console.log(`[klaxon] ${m}`);

/**
 * Development and test knobs (KLAXON_RENDERER_DIR, KLAXON_ASSETS_DIR, KLAXON_E2E) are read only in
 * unpackaged runs: in a packaged build they would load a renderer from outside the integrity-checked
 * asar, or hand the whole core to any page script through a global.
 */
export function devEnv(name: 'KLAXON_RENDERER_DIR' | 'KLAXON_ASSETS_DIR' | 'KLAXON_E2E'): string | undefined {
  return app.isPackaged ? undefined : process.env[name];
}

export function defaultPaths(mainDir: string): KlaxonAppPaths {
  // Tray images live in assets/: next to the bundle, in the app (asar), or in resources/ (extraResources).
  const assetCandidates = [
    path.join(mainDir, 'assets'),
    path.join(app.getAppPath(), 'assets'),
    path.join(process.resourcesPath ?? mainDir, 'assets'),
    path.resolve(mainDir, '../../assets'),
  ];
  return {
    rendererDir: devEnv('KLAXON_RENDERER_DIR') ?? path.join(mainDir, 'renderer'),
    preloadPath: path.join(mainDir, 'preload.cjs'),
    assetsDir:
      devEnv('KLAXON_ASSETS_DIR') ??
      assetCandidates.find((d) => existsSync(path.join(d, 'tray'))) ??
      assetCandidates[0]!,
  };
}

function applyShortcut(accelerator: string, toggle: () => void): void {
  globalShortcut.unregisterAll();
  try {
    if (!globalShortcut.register(accelerator, toggle))
      log(`the shortcut ${accelerator} is taken by another application`);
  } catch (e) {
    log(`the shortcut "${accelerator}" is not valid (${e instanceof Error ? e.message : String(e)})`);
  }
}

export async function startKlaxonApp(paths: KlaxonAppPaths): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  registerAppScheme();
  installWebContentsGuards(log);
  await app.whenReady();
  denyAllPermissions();
  serveRenderer(paths.rendererDir);
  // A menu-bar app: no dock icon, so a dock badge (shell/badge.ts) is not visible while the dock icon
  // is hidden; on macOS the count the user sees is the menu-bar title next to the tray icon (shell/tray.ts).
  if (process.platform === 'darwin') app.dock?.hide();

  const policy = await readManagedPolicy(process.platform, log);
  const tokenStore = createElectronTokenStore(log);
  let popover: PopoverWindow | null = null;
  let trayController: TrayController | null = null;

  const core = createDesktopCore({
    settings: { policy: policy.policy, userSettingsFile: path.join(app.getPath('userData'), 'settings.json') },
    // Pages the server has not confirmed survive a restart of Klaxon (no secret in it beyond the page text).
    unsentPages: fileUnsentPagesStore(path.join(app.getPath('userData'), 'unsent-pages.json')),
    tokenStore,
    // The sign-in module has already checked this is the IdP's authorization endpoint.
    openBrowser: (url) => shell.openExternal(url.href),
    // The core has already checked the link against the allow-list.
    openExternal: (url) => shell.openExternal(url.href),
    notify: (n) =>
      showNotification(n, (clicked) => {
        popover?.show();
        if (clicked.incidentNumber) core.showIncident(clicked.incidentNumber);
      }),
    hideWindow: () => popover?.hide(),
    // A new server or identity provider only after the person's click in a native dialog.
    confirmServerChange: confirmServerChangeInDialog,
    onSettingsChanged: (s: EffectiveSettings, changed) => {
      if (changed.includes('startAtLogin')) applyStartAtLogin(s.values.startAtLogin);
      if (changed.includes('globalShortcut')) applyShortcut(s.values.globalShortcut, () => popover?.toggle());
      // The whole EffectiveSettings, so the status can say whether IT or the user turned updates off.
      if (changed.some((k) => k === 'autoUpdate' || k === 'updateChannel')) startUpdater(s, log);
    },
    // A plain-http identity provider on loopback only in development runs; a packaged build has
    // no switch for it (an environment variable would let any local program downgrade sign-in).
    allowInsecureIssuer: !app.isPackaged,
    // Off unless IT's policy or the server names a Sentry DSN (error-reports.ts decides).
    errorReports: createMainErrorReports(log),
    log,
  });

  registerIpcHandlers(ipcMain, core, log);
  popover = new PopoverWindow({
    platform: process.platform,
    preloadPath: paths.preloadPath,
    trayBounds: () => trayController?.tray.getBounds() ?? null,
  });
  forwardPushes(core, () => (popover && !popover.window.isDestroyed() ? [popover.window.webContents] : []));

  trayController = new TrayController({
    assetsDir: paths.assetsDir,
    platform: process.platform,
    state: () => core.state.get(),
    subscribe: (l) => core.state.subscribe(l),
    onOpen: () => popover?.toggle(),
    onMenu: (id) => {
      if (id === 'open' || id === 'page') popover?.show();
      else if (id === 'sign-in') {
        popover?.show();
        void core.invoke('auth:sign-in', undefined);
      } else if (id === 'sign-out') void core.invoke('auth:sign-out', undefined);
      else if (id === 'reconnect') core.reconnectNow();
      else if (id === 'quit') app.quit();
    },
    onView: (v) =>
      applyBadge(v, {
        platform: process.platform,
        assetsDir: paths.assetsDir,
        window: () => popover?.window ?? null,
        hasTaskbarButton: () => popover?.mode === 'window',
      }),
  });

  const settings = core.settings().values;
  applyShortcut(settings.globalShortcut, () => popover?.toggle());
  if (app.isPackaged) applyStartAtLogin(settings.startAtLogin);
  // Version and update status for the popover footer (ClientState.app); the updater reports the
  // version from app.getVersion() and says why updates are off (IT, the user, or the install type).
  core.setAppInfo({ version: app.getVersion(), updates: { enabled: false, lastCheckedAt: null, message: null } });
  startUpdater(core.settings(), log, (status) => core.setAppInfo(appInfoFromUpdateStatus(status)));

  // Sleep, lock and network changes leave a dead TCP connection that looks alive: reconnect at once.
  powerMonitor.on('resume', () => core.reconnectNow());
  powerMonitor.on('unlock-screen', () => core.reconnectNow());
  let online = net.isOnline();
  const netTimer = setInterval(() => {
    const now = net.isOnline();
    if (now && !online) core.reconnectNow();
    online = now;
  }, 5_000);
  netTimer.unref?.();

  app.on('second-instance', () => popover?.show());
  app.on('window-all-closed', () => {
    /* stay in the tray */
  });
  app.on('before-quit', () => {
    popover?.allowClose();
    globalShortcut.unregisterAll();
    clearInterval(netTimer);
    void core.stop();
  });

  if (devEnv('KLAXON_E2E') === '1') {
    (globalThis as { __klaxonTestRefs?: KlaxonTestRefs }).__klaxonTestRefs = {
      core,
      tray: () => trayController?.lastView ?? null,
      window: () => popover?.window ?? null,
    };
  }

  await core.start();
  if (!process.argv.includes('--hidden') && core.state.get().auth.status === 'signed-out') popover.show();
}
