import { expect, test, type Page as PwPage } from '@playwright/test';
import { composePage, signInWeb } from './support/browser.js';
import { klaxonIncidents, startStack, type Stack } from './support/stack.js';

// "Send page now" whose answer never arrives: the page may or may not be on its way. The dialog
// must neither say "Not sent" for a page that went through nor let the person make a second one.
let stack: Stack;
test.beforeEach(async () => {
  stack = await startStack();
});
test.afterEach(async () => {
  await stack?.close();
});

async function toConfirm(page: PwPage, summary: string): Promise<void> {
  await composePage(page, summary, 'Seen from three offices.');
  await page.getByRole('button', { name: /continue/i }).click();
  await expect(page.getByRole('heading', { name: 'This will wake SRE on call:' })).toBeFocused();
}

const pagesCreated = async (page: PwPage) =>
  ((await (await page.request.get(`${stack.url}/api/v1/pages/mine`)).json()) as { pages: unknown[] }).pages.length;

test('the answer to Send is lost after the server stored the page: the dialog finds it and follows it', async ({
  page,
}) => {
  await signInWeb(page, stack.url, 'alice');
  await toConfirm(page, 'VPN drops every few minutes');
  // The request reaches the server, which stores the page; the answer is lost on the way back (once).
  let lost = 0;
  await page.route(`${stack.url}/api/v1/pages`, async (route) => {
    if (route.request().method() !== 'POST' || lost++ > 0) return route.continue();
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.getByRole('button', { name: 'Send page now' }).click();

  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading', { name: 'Following your page' })).toBeVisible();
  await expect(dialog.getByTestId('page-headline')).toContainText(/Delivered: incident #\d+ is open/);
  await expect(dialog.getByText(/Not sent/)).toHaveCount(0);
  // The copy the tab kept is resent once more, the server answers with the same page, and it is gone.
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('page-headline')).toContainText(/incident #\d+/);
  await expect(page.getByTestId('unsent-pages')).toHaveCount(0);
  expect(await pagesCreated(page)).toBe(1);
  expect(klaxonIncidents(stack.sim)).toHaveLength(1);
});

test('the server is down when Send is pressed: NOT sent yet, the text is locked, Try again and the tab keep sending the same page until the server is back', async ({
  page,
}) => {
  await signInWeb(page, stack.url, 'alice');
  await toConfirm(page, 'Printers offline on floor 3');
  const posts: { key: string; body: string }[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/pages')
      posts.push({ key: r.headers()['idempotency-key'] ?? '', body: r.postData() ?? '' });
  });

  await stack.stopServer();
  await page.getByRole('button', { name: 'Send page now' }).click();
  const dialog = page.getByRole('dialog');
  const uncertain = dialog.getByTestId('send-uncertain');
  await expect(uncertain.getByRole('alert')).toContainText('Your page is NOT sent yet.');
  await expect(uncertain.getByRole('alert')).toContainText('Klaxon keeps trying until the server answers.');
  // The countdown ticks outside the alert, so a screen reader is not interrupted every second.
  await expect(dialog.getByTestId('send-countdown')).toHaveText(/^(Next attempt in \d+ s\.|Trying again now…)$/);
  await expect(uncertain.getByRole('link', { name: 'SRE emergency line' })).toBeVisible();
  await expect(uncertain).not.toContainText('could not confirm');

  // Going back shows the text, locked, and says why.
  await dialog.getByRole('button', { name: 'Back' }).click();
  const summary = dialog.getByRole('textbox', { name: 'Summary' });
  await expect(summary).not.toBeEditable();
  await expect(dialog.getByRole('textbox', { name: 'Details (optional)' })).not.toBeEditable();
  await expect(summary).toHaveAccessibleDescription(/cannot be changed now: changing it could page SRE twice/);
  await dialog.getByRole('button', { name: /continue/i }).click();

  // Try again now, still down: still NOT sent, nothing else changes.
  await dialog.getByRole('button', { name: 'Try again now' }).click();
  await expect(uncertain.getByRole('alert')).toContainText('Your page is NOT sent yet.');

  // The server comes back: the tab sends the page by itself; nobody has to press anything.
  await stack.restartServer();
  await expect(dialog.getByRole('heading', { name: 'Following your page' })).toBeVisible({ timeout: 45_000 });
  await expect(dialog.getByTestId('page-headline')).toContainText(/Delivered: incident #\d+ is open/);
  expect(await pagesCreated(page)).toBe(1);
  expect(klaxonIncidents(stack.sim)).toHaveLength(1);
  // Every attempt was exactly the first request: same idempotency key, same body.
  expect(posts.length).toBeGreaterThanOrEqual(3);
  expect(new Set(posts.map((p) => p.key)).size).toBe(1);
  expect(new Set(posts.map((p) => p.body)).size).toBe(1);
});
