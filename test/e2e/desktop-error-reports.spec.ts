// The desktop renderer's error reports in Chromium: the built renderer, the real desktop core behind
// window.klaxon (as in desktop-renderer.spec.ts), the server's client config naming a Sentry stand-in
// (test/support/sentry-receiver.ts), and the real @sentry/electron/renderer in the page. An uncaught
// error in the renderer travels over `errors:report` to the core and out through a real Sentry
// client; it arrives scrubbed. The same path inside Electron: test/electron/error-reports.spec.ts.
import { expect, test } from '@playwright/test';
import { startSentryReceiver, type SentryReceiver } from '#test/support/sentry-receiver.js';
import { composePage } from './support/browser.js';
import { installDesktopBridge, startDesktopCore, type DesktopHarness } from './support/desktop-bridge.js';
import { nodeErrorReports } from './support/node-error-reports.js';
import { RENDERER_DIR, startStack, type Stack } from './support/stack.js';
import { serveDirectory } from './support/static-server.js';

const SUMMARY = 'Canary desktop: printers on floor two are offline';

let receiver: SentryReceiver;
let stack: Stack;
let desktop: DesktopHarness;
let reports: ReturnType<typeof nodeErrorReports>;
let renderer: Awaited<ReturnType<typeof serveDirectory>>;
let unbridge: (() => void) | null = null;

test.beforeEach(async ({ page }) => {
  receiver = await startSentryReceiver();
  stack = await startStack({ sentryClientDsn: receiver.dsn('4') });
  renderer = await serveDirectory(RENDERER_DIR);
  reports = nodeErrorReports();
  desktop = await startDesktopCore(stack.url, { errorReports: reports });
  unbridge = await installDesktopBridge(page, desktop.core);
});
test.afterEach(async () => {
  unbridge?.();
  await desktop?.stop();
  await reports?.close();
  await renderer?.close();
  await stack?.close();
  await receiver?.close();
});

test('desktop renderer: an uncaught error reaches Sentry through the main process, scrubbed', async ({ page }) => {
  await page.goto(renderer.url);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('badge-summary')).toBeVisible();
  expect(desktop.core.state.get().errorReports).toBe(true);
  await composePage(page, SUMMARY);
  await expect.poll(() => page.evaluate(() => '__SENTRY__' in window)).toBe(true);

  await page.evaluate((summary) => {
    setTimeout(() => {
      throw new Error(`Could not render "${summary}" for Alice Andersen <alice@klaxon.test>`);
    });
  }, SUMMARY);
  const event = await receiver.waitForEvent((e) => e.tags?.['klaxon.process'] === 'desktop-renderer');
  expect(event.exception?.values?.[0]?.value).toBe('Could not render "[Filtered]" for [Filtered] <[Filtered]>');
  // The main process's release (the app's own version) and the server's environment.
  expect(event).toMatchObject({ release: 'klaxon@0.1.0', environment: 'e2e' });
  expect(receiver.secretsFound([SUMMARY, 'Alice Andersen', 'alice@klaxon.test'])).toEqual([]);
  expect(receiver.strayRequests).toEqual([]);
  // Only the main process talks to Sentry: every envelope came from the Node client.
  expect(
    receiver.envelopes.every((e) => String(e.requestHeaders['user-agent']).startsWith('sentry.javascript.node')),
  ).toBe(true);
});
