// Klaxon desktop's error reports in the real app: the server's client config names a Sentry DSN (a
// stand-in on loopback, test/support/sentry-receiver.ts), so the main process starts
// @sentry/electron/main; an error in the main process and one in the renderer both arrive, the
// renderer's through the main process (`errors:report`), and none of the planted secrets does.
// Runs only where an Electron binary exists; elsewhere every test is skipped, saying why.
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { KlaxonTestRefs } from '#electron/shell/klaxon-app.js';
import { startSentryReceiver, type SentryReceiver } from '#test/support/sentry-receiver.js';
import { MAIN_BUNDLE, NO_ELECTRON_MESSAGE, electronBinary } from './support/electron-binary.js';
import { launchKlaxon, type RunningKlaxon } from './support/klaxon-app.js';

const binary = electronBinary();
if (binary === null) console.log(`error-reports.spec.ts: ${NO_ELECTRON_MESSAGE}`);
test.skip(binary === null, NO_ELECTRON_MESSAGE);

const EMAIL = 'alice@klaxon.test';
const BEARER = 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

let receiver: SentryReceiver;
let klaxon: RunningKlaxon;
test.beforeAll(async () => {
  expect(existsSync(MAIN_BUNDLE), 'run `npm run build` first: dist/desktop/main.js is missing').toBe(true);
  receiver = await startSentryReceiver();
  klaxon = await launchKlaxon(binary!, {
    server: { sentry: { clientDsn: receiver.dsn('3'), environment: 'electron-e2e' } },
  });
});
test.afterAll(async () => {
  await klaxon?.close();
  await receiver?.close();
});

test("turns error reports on from the server's client config", async () => {
  await expect
    .poll(() =>
      klaxon.app.evaluate(
        () => (globalThis as { __klaxonTestRefs?: KlaxonTestRefs }).__klaxonTestRefs?.core.state.get().errorReports,
      ),
    )
    .toBe(true);
});

test('an error in the main process arrives, scrubbed', async () => {
  await klaxon.app.evaluate(
    (_electron, { email, bearer }) => {
      // Nobody handles this rejection: the SDK's handler does.
      void Promise.reject(new Error(`main-process canary for ${email} with ${bearer}`));
    },
    { email: EMAIL, bearer: BEARER },
  );
  const event = await receiver.waitForEvent((e) => e.tags?.['klaxon.process'] === 'desktop-main');
  expect(event.exception?.values?.[0]?.value).toBe('main-process canary for [Filtered] with Bearer [Filtered]');
  expect(event).toMatchObject({ environment: 'electron-e2e', release: 'klaxon@0.1.0' });
  expect(event).not.toHaveProperty('user');
  expect(event).not.toHaveProperty('server_name');
});

test('an error in the renderer arrives through the main process; the window keeps one bridge and its CSP', async () => {
  const window = await klaxon.app.firstWindow();
  await expect.poll(() => window.evaluate(() => '__SENTRY__' in window)).toBe(true);
  await window.evaluate(
    ({ email, bearer }) =>
      setTimeout(() => {
        throw new Error(`renderer canary for ${email} with ${bearer}`);
      }),
    { email: EMAIL, bearer: BEARER },
  );
  const event = await receiver.waitForEvent((e) => e.tags?.['klaxon.process'] === 'desktop-renderer');
  expect(event.exception?.values?.[0]?.value).toBe('renderer canary for [Filtered] with Bearer [Filtered]');
  // The main process's release and environment, not the renderer's defaults.
  expect(event).toMatchObject({ environment: 'electron-e2e', release: 'klaxon@0.1.0' });
  // The SDK's own preload bridge was never installed; the renderer's CSP is the one it ships with.
  expect(
    await window.evaluate(() => [
      typeof (window as unknown as { klaxon?: unknown }).klaxon,
      '__SENTRY_IPC__' in window,
      document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'),
    ]),
  ).toEqual(['object', false, expect.stringContaining("connect-src 'self';")]);
  expect(receiver.secretsFound([EMAIL, BEARER.slice('Bearer '.length)])).toEqual([]);
  expect(receiver.strayRequests).toEqual([]);
});
