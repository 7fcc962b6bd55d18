import { expect, test } from '@playwright/test';
import { REST_ENDPOINT_PREFIX } from '#dev/oncall-simulator/index.js';
import { composePage } from './support/browser.js';
import { installDesktopBridge, startDesktopCore, type DesktopHarness } from './support/desktop-bridge.js';
import { klaxonIncidents, RENDERER_DIR, startStack, type Stack } from './support/stack.js';
import { serveDirectory } from './support/static-server.js';

// The built renderer served as Klaxon desktop serves it (a static copy of dist/renderer), with the
// real desktop core behind window.klaxon instead of Electron's preload.
let stack: Stack;
let desktop: DesktopHarness;
let renderer: Awaited<ReturnType<typeof serveDirectory>>;
let unbridge: (() => void) | null = null;

test.beforeEach(async ({ page }) => {
  stack = await startStack();
  renderer = await serveDirectory(RENDERER_DIR);
  desktop = await startDesktopCore(stack.url);
  unbridge = await installDesktopBridge(page, desktop.core);
});
test.afterEach(async () => {
  unbridge?.();
  await desktop?.stop();
  await renderer?.close();
  await stack?.close();
});

test('desktop: sign in through the system browser, see incidents, page SRE and follow it to acknowledgement', async ({
  page,
}) => {
  await page.goto(renderer.url);
  await expect(page.getByRole('heading', { name: 'Sign in to Klaxon' })).toBeVisible();
  await expect(page.getByTestId('storage-notice')).toContainText('Sign-in is kept in memory only');
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByTestId('badge-summary')).toHaveText('3 open incidents, 2 not acknowledged');
  await expect(page.getByText('Checkout latency above SLO')).toBeVisible();
  await expect(page.getByText('Acknowledged by Dmitri Ivanov', { exact: true })).toBeVisible();
  await expect(page.getByText('Carol Okafor').first()).toBeVisible();

  await composePage(page, 'Wiki edits fail to save', 'Saving any page shows "internal error" since 09:40.');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('who-is-woken')).toContainText('Carol Okafor');
  await page.getByRole('button', { name: 'Send page now' }).click();
  const headline = page.getByRole('dialog').getByTestId('page-headline');
  await expect(headline).toContainText(/Delivered: incident #\d+ is open/);
  const [incident] = klaxonIncidents(stack.sim);
  expect(incident).toBeDefined();
  expect(klaxonIncidents(stack.sim)).toHaveLength(1);

  // A clicked desktop notification brings its incident into view.
  const seeded = (stack.sim.control.incidents() as { incidentNumber: string; entityDisplayName: string }[]).find(
    (i) => i.entityDisplayName === 'Elevated 5xx on edge cache',
  )!;
  // Clicked while the dialog is closing: the focus the closing dialog hands back to its opener comes
  // one frame later, and must not take the incident's focus away. The frame is held back half a second
  // here, so the notification always arrives first (without that, which comes first is down to timing).
  await page.evaluate(() => {
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (cb) => {
      setTimeout(() => raf(cb), 500);
      return 0;
    };
  });
  await page.getByRole('button', { name: 'Done' }).click();
  desktop.core.showIncident(seeded.incidentNumber);
  const shown = page.getByTestId(`incident-${seeded.incidentNumber}`);
  await expect(shown).toBeFocused();
  await page.waitForTimeout(800);
  await expect(shown).toBeFocused();
  await page.getByRole('button', { name: 'Wake up SRE…' }).click();

  // Esc closes the dialog, then the popover (window:hide in the main process).
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect.poll(() => desktop.hideCalls).toBe(1);

  stack.sim.control.ack(incident!.incidentNumber, 'carol');
  await expect(page.getByTestId('page-headline')).toContainText(/Acknowledged by Carol Okafor at \d\d:\d\d/);

  // Reopening the popover (a fresh renderer) finds the page again from the server.
  await page.reload();
  await expect(page.getByTestId('page-headline')).toContainText('Acknowledged by Carol Okafor');
});

test('desktop: a failing page shows the fallback contacts, opened through the main process', async ({ page }) => {
  stack.sim.control.setFaults({ errorRate: 1, paths: [REST_ENDPOINT_PREFIX] });
  await page.goto(renderer.url);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await composePage(page, 'Email delivery stopped for all users');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Send page now' }).click();

  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('page-headline')).toContainText(
    'Your page has NOT reached On-Call yet. Klaxon keeps retrying…',
  );
  await dialog.getByRole('link', { name: 'SRE emergency line' }).click();
  await expect.poll(() => desktop.openedExternally).toEqual(['tel:+15550100']);

  stack.sim.control.setFaults({});
  await expect(dialog.getByTestId('page-headline')).toContainText(/Delivered: incident #\d+ is open/, {
    timeout: 30_000,
  });
});

test('desktop: eve is told she is not authorised and which group to ask for', async ({ page }) => {
  desktop.signInAs = 'eve';
  await page.goto(renderer.url);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('not-authorised')).toHaveText(
    'Your account is not in a group allowed to use Klaxon. Ask for membership of: staff or sre.',
  );
  // The emergency line and chat are there too, opened through the main process.
  const fallback = page.getByTestId('fallback-contacts');
  await expect(fallback).toContainText('In an emergency, reach SRE without Klaxon:');
  await fallback.getByRole('link', { name: 'SRE emergency line' }).click();
  await fallback.getByRole('link', { name: '#sre chat channel' }).click();
  await expect.poll(() => desktop.openedExternally).toEqual(['tel:+15550100', 'https://chat.example.org/#sre']);
});

test('desktop: the server goes down: offline banner with the last update time', async ({ page }) => {
  await page.goto(renderer.url);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('badge-summary')).toHaveText('3 open incidents, 2 not acknowledged');
  await stack.stopServer();
  await expect(page.getByTestId('freshness-banner')).toContainText(/Offline — last update at \d\d:\d\d/);
  await expect(page.getByTestId('freshness-banner')).toContainText(/Data is \d+ s old/);
});

test('desktop: no Klaxon server reachable at start: the sign-in screen says so instead of pretending', async ({
  browser,
}) => {
  const lonely = await startDesktopCore(`${stack.url.replace(/:\d+$/, '')}:9`); // nothing listens on port 9
  const page = await browser.newPage();
  const off = await installDesktopBridge(page, lonely.core);
  try {
    await page.goto(renderer.url);
    await expect(page.getByTestId('freshness-banner')).toContainText('Offline');
  } finally {
    off();
    await page.close();
    await lonely.stop();
  }
});

test('desktop: a clicked notification about a resolved incident unfolds the resolved list to show it', async ({
  page,
}) => {
  const n = stack.sim.control.createIncident({ title: 'Backup job failed', routingKey: 'sre' });
  stack.sim.control.resolve(n, 'carol');
  await page.goto(renderer.url);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('resolved-incidents').locator('summary')).toHaveText('1 resolved incident');
  await expect(page.getByText('Backup job failed')).toBeHidden();
  desktop.core.showIncident(n);
  await expect(page.getByTestId(`incident-${n}`)).toBeFocused();
  await expect(page.getByText('Backup job failed')).toBeVisible();
});
