/**
 * Fixture for `_electron` specs: the real stack (IdP, simulator, server) plus the packaged-style
 * main bundle launched by a real Electron binary with a temporary profile. Shell.openExternal is
 * captured in the main process so the test can play the system browser with `completeLogin`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import type { KlaxonTestRefs } from '#electron/shell/klaxon-app.js';
import { MAIN_BUNDLE, REPO } from './electron-binary.js';
import { startDesktopStack, type DesktopStack } from '#test/support/desktop-stack.js';
import type { DeepPartial, ServerConfig } from '#server/index.js';

export interface RunningKlaxon {
  app: ElectronApplication;
  stack: DesktopStack;
  /** Reads what the tray shows (from the main process's test refs). */
  tray(): Promise<{ kind: string; tooltip: string; badge: unknown } | null>;
  /** Waits for the next URL the app hands to the system browser. */
  nextExternalUrl(): Promise<string>;
  close(): Promise<void>;
}

export async function launchKlaxon(
  executablePath: string,
  opts: { server?: DeepPartial<ServerConfig> } = {},
): Promise<RunningKlaxon> {
  const stack = await startDesktopStack();
  await stack.startServer(opts.server);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'klaxon-electron-profile-'));
  writeFileSync(path.join(profile, 'settings.json'), JSON.stringify({ serverUrl: stack.serverUrl }));
  const app = await _electron.launch({
    executablePath,
    args: [MAIN_BUNDLE, `--user-data-dir=${profile}`],
    cwd: REPO,
    env: {
      ...process.env,
      KLAXON_E2E: '1',
      KLAXON_ASSETS_DIR: path.join(REPO, 'assets'),
    },
  });
  await app.evaluate(({ shell }) => {
    const g = globalThis as { __externalUrls?: string[] };
    g.__externalUrls = [];
    shell.openExternal = async (url: string) => {
      g.__externalUrls!.push(url);
    };
  });
  return {
    app,
    stack,
    tray: () =>
      app.evaluate(() => {
        const refs = (globalThis as { __klaxonTestRefs?: KlaxonTestRefs }).__klaxonTestRefs;
        const v = refs?.tray() ?? null;
        return v ? { kind: v.kind, tooltip: v.tooltip, badge: v.badge } : null;
      }),
    async nextExternalUrl() {
      for (let i = 0; i < 200; i++) {
        const url = await app.evaluate(
          () => (globalThis as { __externalUrls?: string[] }).__externalUrls?.shift() ?? null,
        );
        if (url) return url;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the app never opened the system browser');
    },
    async close() {
      await app.close().catch(() => {});
      await stack.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
