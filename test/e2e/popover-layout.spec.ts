import { expect, test } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.js';
import { composePage, screenshot, signInWeb } from './support/browser.js';
import { klaxonIncidents, startStack, type Stack } from './support/stack.js';

// The popover is 380×560. What is done (an acknowledged page, resolved incidents) folds away, so
// open incidents and "On call now" stay in view without scrolling. In both themes, with an axe scan.
let stack: Stack;
test.beforeEach(async () => {
  // The tidy org's two open incidents, as this scenario counts them: the realistic demo adds one that
  // pages nobody, and open incidents rightly come before "On call now".
  stack = await startStack({ org: 'tidy' });
});
test.afterEach(async () => {
  await stack?.close();
});

for (const theme of ['light', 'dark'] as const) {
  test(`${theme}: at 380×560, with an acknowledged page and three resolved incidents, open incidents and "On call now" are in view`, async ({
    page,
  }) => {
    await page.emulateMedia({ colorScheme: theme });
    for (const title of ['Disk full on db-3', 'Cron backlog on jobs-1', 'TLS certificate expiring on cdn']) {
      const n = stack.sim.control.createIncident({ title, routingKey: 'sre' });
      stack.sim.control.resolve(n, 'carol');
    }
    await signInWeb(page, stack.url, 'alice');
    await composePage(page, 'Search returns no results for any query');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Send page now' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByTestId('page-headline')).toContainText(/Delivered: incident #\d+/);
    await expect(dialog.getByTestId('follow-note')).toContainText('until someone acknowledges it');
    stack.sim.control.ack(klaxonIncidents(stack.sim)[0]!.incidentNumber, 'carol');
    // Acknowledged while the dialog is open: it no longer promises to wait for that.
    await expect(dialog.getByTestId('page-headline')).toContainText('Acknowledged by Carol Okafor');
    await expect(dialog.getByTestId('follow-note')).toHaveText(
      'Carol Okafor acknowledged it: SRE is on it. You can close this; your page stays under "My recent pages".',
    );
    await page.getByRole('button', { name: 'Done' }).click();

    // The acknowledged page is one compact line under its headline; the live region still says it.
    const follow = page.getByRole('region', { name: 'Your latest page' });
    await expect(follow.getByTestId('page-headline')).toContainText('Acknowledged by Carol Okafor');
    await expect(follow.getByTestId('page-headline')).toContainText('Search returns no results for any query');
    await expect(follow.getByRole('list', { name: 'Progress of your page' })).toBeHidden();
    // Resolved incidents: one line, unfolded on request.
    const resolved = page.getByTestId('resolved-incidents');
    await expect(resolved.locator('summary')).toHaveText('3 resolved incidents');
    await expect(page.getByText('Disk full on db-3')).toBeHidden();
    const open = page.getByRole('list', { name: 'Recent incidents' });
    await expect(open.getByText('Checkout latency above SLO')).toBeInViewport();

    await page.evaluate(() => window.scrollTo(0, 0));
    // Nothing is wider than the popover (a title cut to one line must not stretch the list).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(380);
    await expect(page.getByRole('heading', { name: 'On call now' })).toBeInViewport();
    await expect(page.getByRole('region', { name: 'On call now' }).getByText('Carol Okafor')).toBeInViewport();
    await expectNoAxeViolations(page, `folded popover (${theme})`);
    await screenshot(page, `18-popover-folded-${theme}`);

    await resolved.locator('summary').click();
    await expect(page.getByText('Disk full on db-3')).toBeVisible();
    // The page itself is still listed in full under "My recent pages".
    await expect(page.locator('.my-pages')).toContainText('Search returns no results for any query');
  });
}
