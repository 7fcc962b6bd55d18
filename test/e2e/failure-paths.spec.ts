import { expect, test } from '@playwright/test';
import { REST_ENDPOINT_PREFIX } from '#dev/oncall-simulator/index.js';
import { composePage, signInWeb } from './support/browser.js';
import { klaxonIncidents, startStack, type Stack } from './support/stack.js';

let stack: Stack;
test.beforeEach(async () => {
  stack = await startStack();
});
test.afterEach(async () => {
  await stack?.close();
});

async function sendFromConfirm(page: import('@playwright/test').Page): Promise<void> {
  await page.getByRole('button', { name: /continue/i }).click();
  await page.getByRole('button', { name: 'Send page now' }).click();
}

test('On-Call refuses every delivery: the user is told the page has NOT reached On-Call, with fallback contacts; it goes through once On-Call recovers', async ({
  page,
}) => {
  stack.sim.control.setFaults({ errorRate: 1, paths: [REST_ENDPOINT_PREFIX] });
  await signInWeb(page, stack.url, 'alice');
  await composePage(page, 'Payments API returns 500 for all requests');
  await sendFromConfirm(page);

  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('page-headline')).toContainText(
    'Your page has NOT reached On-Call yet. Klaxon keeps retrying…',
  );
  // How soon the next attempt comes, counted down from the page's nextAttemptAt; never a clock time,
  // and outside the live region (a screen reader would otherwise hear it every second).
  await expect(dialog.getByTestId('page-countdown')).toHaveText(/^(Next attempt in \d+ s\.|Trying again now…)$/);
  await expect(dialog.getByTestId('page-headline')).not.toContainText(/Next attempt|\d\d:\d\d/);
  const fallback = dialog.getByTestId('fallback-contacts');
  await expect(fallback.getByRole('link', { name: 'SRE emergency line' })).toHaveAttribute('href', 'tel:+15550100');
  await expect(fallback.getByRole('link', { name: '#sre chat channel' })).toHaveAttribute(
    'href',
    'https://chat.example.org/#sre',
  );
  expect(klaxonIncidents(stack.sim)).toHaveLength(0);

  stack.sim.control.setFaults({});
  await expect(dialog.getByTestId('page-headline')).toContainText(/Delivered: incident #\d+ is open/, {
    timeout: 30_000,
  });
  await expect(dialog.getByTestId('fallback-contacts')).toHaveCount(0);
  expect(klaxonIncidents(stack.sim)).toHaveLength(1);
});

test('the Klaxon server goes down: an offline banner with the time of the last update and the age of the data; it reconnects when the server is back', async ({
  page,
}) => {
  await signInWeb(page, stack.url, 'alice');
  await expect(page.getByTestId('badge-summary')).toHaveText('3 open incidents, 2 not acknowledged');
  await expect(page.getByTestId('freshness-banner')).toHaveCount(0);

  await stack.stopServer();
  const banner = page.getByTestId('freshness-banner');
  await expect(banner).toContainText(/Offline — last update at \d\d:\d\d/);
  await expect(banner).toContainText(/Data is \d+ s old\./);
  await expect(banner).toContainText(/Reconnecting/);
  // Screen readers hear the headline once: the ticking age and countdown are outside the live region.
  const live = banner.getByRole('status');
  await expect(live).toHaveAttribute('aria-live', 'polite');
  await expect(live).toContainText(/Offline — last update at \d\d:\d\d/);
  // A reconnect made while the server was still shutting down gets its 503; once it is gone, every
  // attempt is refused alike. Compare from then on: the reason may change once, the seconds never.
  // (On a loaded machine a reconnect can also meet the closing server's, or a neighbour's, 503.)
  await expect(live).toContainText(/The Klaxon server (is not reachable|answered 503)/);
  const announced = await live.innerText();
  expect(announced).not.toMatch(/\d+ s\b|Reconnecting/);
  const age = await page.getByTestId('freshness-age').innerText();
  await expect(page.getByTestId('freshness-age')).not.toHaveText(age);
  // The headline stays as announced and no ticking number enters the live region. (The reason line
  // may still change once more: on a loaded machine another server can take the freed port and
  // answer 503 before it is refused again; that is a new reason, not a tick.)
  const after = await live.innerText();
  expect(after.split('\n')[0]).toBe(announced.split('\n')[0]);
  expect(after).not.toMatch(/\d+ s\b|Reconnecting/);
  // The last known incidents stay visible under the banner instead of turning into "All quiet".
  await expect(page.getByTestId('badge-summary')).toHaveText('3 open incidents, 2 not acknowledged');

  // The server comes back (same session store): the UI reconnects by itself and is live again.
  await stack.restartServer();
  await expect(page.getByTestId('freshness-banner')).toHaveCount(0, { timeout: 45_000 });
  stack.sim.control.createIncident({ title: 'Object storage unreachable', routingKey: 'sre' });
  await expect(page.getByText('Object storage unreachable')).toBeVisible();
  await expect(page.getByTestId('badge-summary')).toHaveText('4 open incidents, 3 not acknowledged');
});

test('eve (no groups) signs in: not authorised, told which group to ask for', async ({ page }) => {
  await signInWeb(page, stack.url, 'eve');
  await expect(page.getByTestId('not-authorised')).toHaveText(
    'Your account is not in a group allowed to use Klaxon. Ask for membership of: staff or sre.',
  );
  await expect(page.getByText('Signed in as')).toContainText('Eve Evans');
  // Not allowed to page, but an emergency still has a way to SRE.
  const fallback = page.getByTestId('fallback-contacts');
  await expect(fallback).toContainText('In an emergency, reach SRE without Klaxon:');
  await expect(fallback.getByRole('link', { name: 'SRE emergency line' })).toHaveAttribute('href', 'tel:+15550100');
  await expect(fallback).toContainText('+1 555 0100');
  await expect(fallback.getByRole('link', { name: '#sre chat channel' })).toHaveAttribute(
    'href',
    'https://chat.example.org/#sre',
  );
  await expect(page.getByRole('button', { name: 'Wake up SRE…' })).toHaveCount(0);
  await expect(page.getByText('Checkout latency above SLO')).toHaveCount(0);
});

test('empty and oversize summaries are refused in the dialog, naming the field, and nothing is sent', async ({
  page,
}) => {
  await signInWeb(page, stack.url, 'alice');
  await page.getByRole('button', { name: 'Wake up SRE…' }).click();
  const dialog = page.getByRole('dialog');
  const summary = dialog.getByRole('textbox', { name: 'Summary' });

  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Summary is empty');
  await expect(summary).toHaveAttribute('aria-invalid', 'true');
  await expect(summary).toBeFocused();

  await summary.fill('x'.repeat(121));
  await expect(dialog.getByText('121/120')).toBeVisible();
  await expect(dialog.getByRole('alert')).toContainText('Summary is too long: 121 of at most 120 characters');
  await summary.press('Enter');
  await expect(dialog.getByRole('button', { name: 'Send page now' })).toHaveCount(0);

  await summary.fill('x'.repeat(120));
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  const mine = await page.request.get(`${stack.url}/api/v1/pages/mine`);
  expect((await mine.json()).pages).toHaveLength(0);
  expect(stack.sim.control.requests().filter((r) => r.path.startsWith(REST_ENDPOINT_PREFIX))).toHaveLength(0);
});

test('Enter twice in Summary does not page: the confirm step does not take an Enter that began in the compose step', async ({
  page,
}) => {
  await signInWeb(page, stack.url, 'alice');
  await composePage(page, 'Status page is down');
  await page.getByRole('textbox', { name: 'Summary' }).press('Enter');
  await page.keyboard.press('Enter');
  // A held key repeats too.
  await page.keyboard.down('Enter');
  await page.keyboard.down('Enter');
  await page.keyboard.up('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading', { name: 'Confirm: wake up SRE' })).toBeVisible();
  await expect(dialog.getByRole('heading', { name: 'This will wake SRE on call:' })).toBeFocused();
  await expect(dialog.getByRole('button', { name: 'Send page now' })).toBeEnabled();
  await page.waitForTimeout(500);
  const mine = await page.request.get(`${stack.url}/api/v1/pages/mine`);
  expect((await mine.json()).pages).toHaveLength(0);
});

test('a double click on Send makes exactly one page', async ({ page }) => {
  await signInWeb(page, stack.url, 'alice');
  await composePage(page, 'Image uploads fail everywhere');
  await page.getByRole('button', { name: /continue/i }).click();
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/pages')
      posts.push(r.headers()['idempotency-key'] ?? '');
  });
  await page.getByRole('button', { name: 'Send page now' }).dblclick();

  await expect(page.getByRole('dialog').getByTestId('page-headline')).toContainText(/Delivered: incident #\d+ is open/);
  const mine = await page.request.get(`${stack.url}/api/v1/pages/mine`);
  expect((await mine.json()).pages).toHaveLength(1);
  expect(klaxonIncidents(stack.sim)).toHaveLength(1);
  // The button itself let only one request out (the idempotency key is the second line of defence).
  expect(posts).toHaveLength(1);
  expect(posts[0]).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
});

test.describe('with a page rate limit of 1', () => {
  test.beforeEach(async () => {
    await stack.close();
    stack = await startStack({ pageRateLimitMax: 1 });
  });

  test('a refused page says it was NOT sent, when to try again, and how else to reach SRE', async ({ page }) => {
    await signInWeb(page, stack.url, 'bob');
    await composePage(page, 'Video playback broken on every browser');
    await sendFromConfirm(page);
    await expect(page.getByRole('dialog').getByTestId('page-headline')).toContainText(/Delivered/);
    await page.getByRole('button', { name: 'Done' }).click();

    await composePage(page, 'Uploads also broken now');
    await sendFromConfirm(page);
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('alert')).toContainText(/Not sent: .+/);
    await expect(dialog.getByRole('link', { name: 'SRE emergency line' })).toBeVisible();
    // The same number, written one way, in the refusal and next to the contact.
    await expect(dialog.getByRole('alert')).toContainText('+1 555 0100');
    await expect(dialog).not.toContainText('+15550100');
    // Still on the confirm step, nothing lost; Send stays off until the time the server gave, which is said.
    const send = dialog.getByRole('button', { name: 'Send page now' });
    await expect(send).toBeDisabled();
    await expect(dialog.getByTestId('page-again')).toHaveText(
      /You can page again in about \d+ minutes \(at \d\d:\d\d\)\.$/,
    );
    await expect(send).toHaveAccessibleDescription(/You can page again in about \d+ minutes/);
    // Back and Continue do not lift it.
    await dialog.getByRole('button', { name: 'Back' }).click();
    await dialog.getByRole('button', { name: /continue/i }).click();
    await expect(send).toBeDisabled();
    expect(klaxonIncidents(stack.sim)).toHaveLength(1);
  });
});

test('an unacknowledged incident that pages nobody is flagged', async ({ page }) => {
  // Nobody left on call anywhere in SRE: its primary rotation and its batphone are empty.
  stack.sim.control.setOnCall('rtg-sreprimary00001', []);
  stack.sim.control.setOnCall('rtg-srebatphone00003', []);
  stack.sim.control.createIncident({ title: 'Mail relay queue growing', routingKey: 'sre' });
  await signInWeb(page, stack.url, 'alice');
  const item = page.getByRole('listitem').filter({ hasText: 'Mail relay queue growing' });
  await expect(item.getByText('Not acknowledged')).toBeVisible();
  await expect(item.getByRole('note')).toHaveText(/Nobody is being paged for this incident/);
  await expect(page.getByText('Nobody is on call for SRE right now.')).toBeVisible();
});
