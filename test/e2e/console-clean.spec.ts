import { expect, test, type ConsoleMessage } from '@playwright/test';
import { composePage, signInWeb } from './support/browser.js';
import { startStack, type Stack } from './support/stack.js';

// A console error on every load trains people (and the next engineer) to ignore the console, so
// a real one goes unseen. Every page on the way counts: the web UI, the identity provider's login
// and consent pages, and the web UI again while paging and following the page.
let stack: Stack;
test.beforeEach(async () => {
  stack = await startStack();
});
test.afterEach(async () => {
  await stack?.close();
});

test('no page of the web UI or the identity provider logs a console error during sign-in and paging', async ({
  page,
}) => {
  const errors: string[] = [];
  const where = () =>
    new URL(page.url()).origin === stack.idp.issuer.replace(/\/$/, '') ? 'identity provider' : 'web UI';
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning')
      errors.push(`${where()} ${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`${where()} uncaught: ${e.message}`));

  await signInWeb(page, stack.url, 'alice');
  await expect(page.getByTestId('badge-summary')).toHaveText('3 open incidents, 2 not acknowledged');
  await composePage(page, 'Status page shows the wrong region');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Send page now' }).click();
  await expect(page.getByRole('dialog').getByTestId('page-headline')).toContainText(/Delivered: incident #\d+/);
  await page.getByRole('button', { name: 'Done' }).click();
  await page.reload();
  await expect(page.getByTestId('badge-summary')).toBeVisible();
  // Favicon requests are made after load and are reported late: give them a moment.
  await page.waitForTimeout(500);

  expect(errors).toEqual([]);
  // frame-ancestors left the page's meta policy, not the header: framing is still refused.
  const ui = await page.request.get(stack.url);
  expect(ui.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
});
