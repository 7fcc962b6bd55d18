import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page as PwPage } from '@playwright/test';
import type { ManagedPolicy } from '#common/index.js';
import { completeLogin } from '#dev/identity-provider/index.js';
import { createDesktopCore, type DesktopCore } from '#electron/desktop-core.js';
import type { ErrorReportsShell } from '#electron/error-reports.js';
import { memoryTokenStore } from '#electron/token-vault.js';
import type { UnsentPagesStore } from '#electron/unsent-pages.js';

export interface DesktopHarness {
  core: DesktopCore;
  /** Who the "system browser" signs in as. */
  signInAs: string;
  openedExternally: string[];
  hideCalls: number;
  stop(): Promise<void>;
}

/**
 * Klaxon desktop's main-process core, running under Node in the test process, with the
 * development IdP's login driver as the system browser. The renderer talks to it through
 * `installDesktopBridge`, which stands in for the preload.
 *
 * By default IT's policy pins the server URL. With `policy`, that policy is in force instead and
 * the server URL is the person's own setting (so the settings screen can edit it). `unsentPages`:
 * where unsent pages are kept (a file, so a second core can play Klaxon after a restart).
 */
export async function startDesktopCore(
  serverUrl: string,
  opts: { policy?: ManagedPolicy; unsentPages?: UnsentPagesStore; errorReports?: ErrorReportsShell } = {},
): Promise<DesktopHarness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-e2e-desktop-'));
  const userSettingsFile = path.join(dir, 'settings.json');
  const policy: ManagedPolicy = opts.policy ?? { serverUrl };
  if (policy.serverUrl === undefined) writeFileSync(userSettingsFile, JSON.stringify({ serverUrl }));
  const harness: DesktopHarness = {
    core: null as unknown as DesktopCore,
    signInAs: 'alice',
    openedExternally: [],
    hideCalls: 0,
    async stop() {
      await harness.core.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  harness.core = createDesktopCore({
    settings: { policy, userSettingsFile },
    tokenStore: memoryTokenStore('No keyring is available in this test, so sign-in is kept in memory only.'),
    ...(opts.unsentPages ? { unsentPages: opts.unsentPages } : {}),
    allowInsecureIssuer: true,
    openBrowser: async (url) => {
      // Like a real browser: the app does not wait for the person to finish logging in.
      void completeLogin(url, harness.signInAs).catch(() => undefined);
    },
    openExternal: async (url) => {
      harness.openedExternally.push(url.toString());
    },
    hideWindow: () => {
      harness.hideCalls++;
    },
    log: () => undefined,
    ...(opts.errorReports ? { errorReports: opts.errorReports } : {}),
  });
  await harness.core.start();
  return harness;
}

/**
 * Stands in for the preload: `window.klaxon.invoke` goes to `core.invoke` through
 * `page.exposeFunction`, and the core's pushes are delivered with `page.evaluate`, so the path
 * renderer → IPC contract → main-process core → server → simulator is the real one.
 */
export async function installDesktopBridge(page: PwPage, core: DesktopCore): Promise<() => void> {
  // Playwright turns `undefined` into null on the way; the contract's no-payload channels want undefined.
  await page.exposeFunction('__klaxonInvoke', (channel: string, payload: unknown) =>
    core.invoke(channel as never, payload ?? undefined),
  );
  await page.addInitScript({
    content: `(() => {
      const listeners = new Map();
      window.klaxon = {
        invoke: (channel, payload) => window.__klaxonInvoke(channel, payload),
        on: (channel, l) => {
          const set = listeners.get(channel) || new Set();
          set.add(l);
          listeners.set(channel, set);
          return () => set.delete(l);
        },
      };
      window.__klaxonPush = (channel, payload) => (listeners.get(channel) || new Set()).forEach((l) => l(payload));
    })();`,
  });
  return core.subscribe((channel, payload) => {
    page
      .evaluate(
        ([c, p]) => (window as unknown as { __klaxonPush?: (c: unknown, p: unknown) => void }).__klaxonPush?.(c, p),
        [channel, payload] as const,
      )
      .catch(() => undefined); // page navigating or closed: the renderer asks state:get on load anyway
  });
}
