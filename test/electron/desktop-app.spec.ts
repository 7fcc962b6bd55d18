// The real Klaxon desktop app (tray state, popover, sign-in through a loopback IdP, a page sent).
// Runs only where an Electron binary exists; elsewhere every test is skipped, saying why.
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { completeLogin } from '#dev/identity-provider/index.js';
import { MAIN_BUNDLE, NO_ELECTRON_MESSAGE, electronBinary } from './support/electron-binary.js';
import { launchKlaxon, type RunningKlaxon } from './support/klaxon-app.js';

const binary = electronBinary();
if (binary === null) console.log(`desktop-app.spec.ts: ${NO_ELECTRON_MESSAGE}`);
test.skip(binary === null, NO_ELECTRON_MESSAGE);

let klaxon: RunningKlaxon;
test.beforeAll(async () => {
  expect(existsSync(MAIN_BUNDLE), 'run `npm run build` first: dist/desktop/main.js is missing').toBe(true);
  klaxon = await launchKlaxon(binary!);
});
test.afterAll(async () => {
  await klaxon?.close();
});

test('starts signed out: the tray says so and the window loads the app from app://klaxon', async () => {
  await expect.poll(async () => (await klaxon.tray())?.kind).toBe('signed-out');
  expect((await klaxon.tray())?.tooltip).toBe('Klaxon — not signed in. Open Klaxon to sign in.');
  const window = await klaxon.app.firstWindow();
  expect(window.url()).toBe('app://klaxon/index.html');
  expect(await window.evaluate(() => typeof (window as unknown as { klaxon?: unknown }).klaxon)).toBe('object');
  expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
});

test('the popover opens from the tray and is hardened', async () => {
  const visible = await klaxon.app.evaluate(({ BrowserWindow }) => {
    const w = BrowserWindow.getAllWindows()[0]!;
    w.show();
    return w.isVisible();
  });
  expect(visible).toBe(true);
  const window = await klaxon.app.firstWindow();
  // Sandboxed, isolated renderer: no Node, and only window.klaxon from the preload.
  expect(
    await window.evaluate(() => [
      typeof (globalThis as { process?: unknown }).process,
      typeof (globalThis as { require?: unknown }).require,
      Object.keys((window as unknown as { klaxon: object }).klaxon)
        .sort()
        .join(','),
    ]),
  ).toEqual(['undefined', 'undefined', 'invoke,on']);
});

test('signs in through the system browser (a loopback IdP) and shows live incidents in the tray', async () => {
  const window = await klaxon.app.firstWindow();
  const signIn = window.evaluate(() =>
    (window as unknown as { klaxon: { invoke(c: string): Promise<unknown> } }).klaxon.invoke('auth:sign-in'),
  );
  const authorizeUrl = await klaxon.nextExternalUrl();
  expect(new URL(authorizeUrl).origin).toBe(klaxon.stack.idp.issuer);
  await completeLogin(authorizeUrl, 'alice');
  expect(await signIn).toEqual({ ok: true, value: null });
  await expect.poll(async () => (await klaxon.tray())?.kind).toBe('live-unacked');
  expect((await klaxon.tray())?.tooltip).toMatch(/3 open incidents, 2 not acknowledged/);
});

test('sends a page through window.klaxon and follows it to delivery', async () => {
  const window = await klaxon.app.firstWindow();
  const result = await window.evaluate(() =>
    (
      window as unknown as {
        klaxon: { invoke(c: string, p: unknown): Promise<{ ok: boolean; value?: { id: string } }> };
      }
    ).klaxon.invoke('pages:create', {
      summary: 'Checkout is failing for EU customers',
      idempotencyKey: `electron-spec-${Date.now()}-abcdef`,
    }),
  );
  expect(result.ok).toBe(true);
  await expect
    .poll(
      async () =>
        window.evaluate(async () => {
          const r = await (
            window as unknown as {
              klaxon: { invoke(c: string): Promise<{ ok: boolean; value: { status: string }[] }> };
            }
          ).klaxon.invoke('pages:mine');
          return r.ok ? r.value[0]?.status : null;
        }),
      { timeout: 30_000 },
    )
    .toMatch(/delivered|acknowledged/);
});
