import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page as PwPage } from '@playwright/test';
import { fileUnsentPagesStore } from '#electron/unsent-pages.js';
import { composePage, signInWeb } from './support/browser.js';
import { installDesktopBridge, startDesktopCore, type DesktopHarness } from './support/desktop-bridge.js';
import { klaxonIncidents, RENDERER_DIR, startStack, type Stack } from './support/stack.js';
import { serveDirectory } from './support/static-server.js';

// A page the server has not confirmed must never read as one that will arrive by itself: it says
// "NOT sent yet", Klaxon keeps it and keeps trying (desktop: the main process, across restarts;
// web: the tab, across reloads), and it stays on the home screen with Try again now and Discard.
let stack: Stack;
test.beforeEach(async () => {
  stack = await startStack();
});
test.afterEach(async () => {
  await stack?.close();
});

async function sendFromDialog(page: PwPage, summary: string): Promise<void> {
  await composePage(page, summary);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Send page now' }).click();
}

const pagesCreated = async (page: PwPage) =>
  ((await (await page.request.get(`${stack.url}/api/v1/pages/mine`)).json()) as { pages: unknown[] }).pages.length;

test('web: a page nobody confirmed survives Esc and a reload, closing the tab asks first, and Try again now sends it', async ({
  page,
}) => {
  await signInWeb(page, stack.url, 'alice');
  // Every POST of a page is cut off before it reaches the server: nothing is stored.
  await page.route(`${stack.url}/api/v1/pages`, (route) =>
    route.request().method() === 'POST' ? route.abort('connectionreset') : route.continue(),
  );
  await sendFromDialog(page, 'Search returns nothing');
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('send-uncertain').getByRole('alert')).toContainText('Your page is NOT sent yet.');
  await expect(dialog.getByTestId('send-uncertain')).toContainText('This browser tab keeps it');

  // Esc: the dialog closes, the page does not vanish with it.
  await page.keyboard.press('Escape');
  const card = page.getByTestId('unsent-pages');
  await expect(card.getByRole('heading')).toHaveText('1 page NOT sent yet — Klaxon keeps trying');
  await expect(card).toContainText('Search returns nothing');
  await expect(card.getByTestId('unsent-countdown')).toHaveText(/^(Next attempt in \d+ s\.|Trying again now…)$/);
  await expect(card.getByRole('link', { name: 'SRE emergency line' })).toBeVisible();
  await expect(card.getByText('+1 555 0100')).toBeVisible();

  // A reload keeps it (sessionStorage); leaving asks first while it waits.
  const asked: string[] = [];
  page.on('dialog', (d) => {
    asked.push(d.type());
    void d.accept();
  });
  await page.reload();
  expect(asked).toEqual(['beforeunload']);
  await expect(card.getByRole('heading')).toHaveText('1 page NOT sent yet — Klaxon keeps trying');
  expect(await pagesCreated(page)).toBe(0);

  // The way to the server is open again; Try again now sends it, and it is followed like any page.
  // Its own next attempt may win the race with the click; either way it is sent exactly once.
  await page.unroute(`${stack.url}/api/v1/pages`);
  await card
    .getByRole('button', { name: 'Try again now' })
    .click({ timeout: 5_000 })
    .catch(async (e: unknown) => {
      if ((await page.getByTestId('unsent-pages').count()) > 0) throw e;
    });
  await expect(page.getByTestId('unsent-pages')).toHaveCount(0);
  await expect(page.getByTestId('page-headline')).toContainText(/Delivered: incident #\d+ is open/, {
    timeout: 30_000,
  });
  expect(await pagesCreated(page)).toBe(1);
  expect(klaxonIncidents(stack.sim)).toHaveLength(1);

  // Nothing waits any more: the tab closes without a question.
  asked.length = 0;
  await page.close({ runBeforeUnload: true });
  expect(asked).toEqual([]);
});

test('web: closing the tab while a page waits asks first', async ({ page }) => {
  await signInWeb(page, stack.url, 'bob');
  await page.route(`${stack.url}/api/v1/pages`, (route) =>
    route.request().method() === 'POST' ? route.abort('connectionreset') : route.continue(),
  );
  await sendFromDialog(page, 'Mail is not arriving');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('unsent-pages')).toBeVisible();
  const asked = new Promise<string>((resolve) =>
    page.once('dialog', (d) => {
      resolve(d.type());
      void d.accept();
    }),
  );
  await page.close({ runBeforeUnload: true });
  expect(await asked).toBe('beforeunload');
});

test.describe('desktop', () => {
  let dir: string;
  let renderer: Awaited<ReturnType<typeof serveDirectory>>;
  const desktops: DesktopHarness[] = [];
  test.beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-e2e-unsent-'));
    renderer = await serveDirectory(RENDERER_DIR);
  });
  test.afterEach(async () => {
    for (const d of desktops.splice(0)) await d.stop().catch(() => undefined);
    await renderer?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const desktop = async () => {
    const d = await startDesktopCore(stack.url, {
      unsentPages: fileUnsentPagesStore(path.join(dir, 'unsent-pages.json')),
    });
    desktops.push(d);
    return d;
  };

  test('desktop: a page sent while the server is down stays in the popover, outlives a restart of Klaxon, and goes once the server is back', async ({
    browser,
  }) => {
    const first = await desktop();
    const page = await browser.newPage();
    const off = await installDesktopBridge(page, first.core);
    await page.goto(renderer.url);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('badge-summary')).toBeVisible();

    await stack.stopServer();
    await sendFromDialog(page, 'Wiki edits fail to save');
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByTestId('send-uncertain').getByRole('alert')).toContainText('Your page is NOT sent yet.');
    await expect(dialog.getByTestId('send-uncertain')).toContainText('Klaxon keeps it on this computer');
    await expect(dialog.getByRole('button', { name: 'Try again now' })).toBeVisible();
    await page.keyboard.press('Escape');
    const card = page.getByTestId('unsent-pages');
    await expect(card.getByRole('heading')).toHaveText('1 page NOT sent yet — Klaxon keeps trying');
    await expect(card.getByRole('button', { name: 'Try again now' })).toBeVisible();
    await expect(card.getByRole('button', { name: 'Discard' })).toBeVisible();
    await card.getByRole('link', { name: 'SRE emergency line' }).click();
    await expect.poll(() => first.openedExternally).toEqual(['tel:+15550100']);

    // Klaxon quits and starts again (the page is in its file); the server comes back meanwhile.
    off();
    await page.close();
    await first.stop();
    await stack.restartServer();
    const second = await desktop();
    const again = await browser.newPage();
    const off2 = await installDesktopBridge(again, second.core);
    try {
      await again.goto(renderer.url);
      // Signed out (the token was in memory only): the sign-in screen says a page is waiting for it.
      await expect(again.getByTestId('unsent-signed-out')).toContainText('1 page NOT sent yet: sign in again');
      await again.getByRole('button', { name: 'Sign in' }).click();
      // Signed in again as its author: the kept page goes, and is followed like any other.
      await expect(again.getByTestId('page-headline')).toContainText(/Delivered: incident #\d+ is open/, {
        timeout: 30_000,
      });
      await expect(again.getByTestId('unsent-pages')).toHaveCount(0);
      expect(klaxonIncidents(stack.sim)).toHaveLength(1);
    } finally {
      off2();
      await again.close();
    }
  });

  test('desktop: a kept page the server refuses says NOT sent with the reason, and Discard removes it', async ({
    browser,
  }) => {
    await stack.close();
    stack = await startStack({ pageRateLimitMax: 1 });
    const d = await desktop();
    const page = await browser.newPage();
    const off = await installDesktopBridge(page, d.core);
    try {
      await page.goto(renderer.url);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await sendFromDialog(page, 'Payroll export stuck');
      await expect(page.getByRole('dialog').getByTestId('page-headline')).toContainText(/Delivered/);
      await page.getByRole('button', { name: 'Done' }).click();

      // A second page while the server is down is kept; when it is back, the limit refuses it.
      await stack.stopServer();
      await sendFromDialog(page, 'Payroll import stuck too');
      await page.keyboard.press('Escape');
      const card = page.getByTestId('unsent-pages');
      await expect(card.getByRole('heading')).toHaveText('1 page NOT sent yet — Klaxon keeps trying');
      await stack.restartServer();
      await expect(card.getByRole('heading')).toHaveText('1 page NOT sent', { timeout: 45_000 });
      await expect(card.getByTestId('unsent-page')).toContainText(
        /NOT sent: You have sent 1 page in the last 10 minutes\..+Klaxon has stopped trying\./,
      );
      await expect(card.getByRole('button', { name: 'Try again now' })).toHaveCount(0);
      await card.getByRole('button', { name: 'Discard' }).click();
      await expect(card.getByRole('button', { name: 'Keep it' })).toBeFocused();
      await card.getByRole('button', { name: 'Discard page' }).click();
      await expect(page.getByTestId('unsent-pages')).toHaveCount(0);
      // The focus does not vanish with the card: it goes to the main button.
      await expect(page.getByRole('button', { name: 'Wake up SRE…' })).toBeFocused();
      expect(klaxonIncidents(stack.sim)).toHaveLength(1);
    } finally {
      off();
      await page.close();
    }
  });
});
