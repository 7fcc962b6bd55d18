import { expect, test } from '@playwright/test';
import { REST_ENDPOINT_PREFIX } from '#dev/oncall-simulator/index.js';
import { composePage, signInWeb } from './support/browser.js';
import { klaxonIncidents, startStack, type Stack } from './support/stack.js';

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
});
test.afterAll(async () => {
  await stack?.close();
});

test('web UI: alice signs in, sees the seeded incidents, pages SRE and follows the page to acknowledgement', async ({
  page,
}) => {
  await signInWeb(page, stack.url, 'alice');

  // Home: the badge in words, the seeded incidents with their state in text, who is on call.
  await expect(page.getByTestId('badge-summary')).toHaveText('3 open incidents, 2 not acknowledged');
  const list = page.getByRole('list', { name: 'Recent incidents' });
  await expect(list.getByText('Checkout latency above SLO')).toBeVisible();
  await expect(list.getByText('Elevated 5xx on edge cache')).toBeVisible();
  await expect(list.getByText('Acknowledged by dmitri')).toBeVisible();
  const checkout = list.getByRole('listitem').filter({ hasText: 'Checkout latency above SLO' });
  await expect(checkout.getByText('Not acknowledged')).toBeVisible();
  // Carol is on call in SRE Primary and in the batphone: the on-call list shows her under each.
  await expect(page.getByText('Carol Okafor').first()).toBeVisible();
  await expect(page.getByText(/their time \(Europe\/Berlin\)/).first()).toBeVisible();
  // The web UI has no desktop settings and no app version/update footer.
  await expect(page.getByRole('button', { name: 'Settings' })).toHaveCount(0);
  await expect(page.getByTestId('app-footer')).toHaveCount(0);

  // Page dialog: signed-in identity is shown; typing a summary like an open incident shows the hint.
  await composePage(page, 'checkout latency is terrible');
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('Signed in as')).toContainText('Alice Andersen');
  await expect(dialog.getByText('Is it one of these? SRE already knows.')).toBeVisible();
  await expect(dialog.getByTestId('similar-incidents')).toContainText('Checkout latency above SLO');
  await expect(dialog.getByRole('button', { name: 'This is different — continue' })).toBeVisible();

  // A different problem: the hint goes away, Enter moves on to the confirm step.
  await dialog.getByRole('textbox', { name: 'Summary' }).fill('Wiki logins fail with an error page');
  await expect(dialog.getByTestId('similar-incidents')).toHaveCount(0);
  await dialog
    .getByRole('textbox', { name: 'Details (optional)' })
    .fill('Since 12:00, every login attempt shows "session error".');
  await dialog.getByRole('textbox', { name: 'Summary' }).press('Enter');

  // Confirm names who will be woken, with their local time; the focus is on its heading, so a
  // second Enter sends nothing: Send is a deliberate Tab (past Back) and Enter away.
  await expect(dialog.getByRole('heading', { name: 'Confirm: wake up SRE' })).toBeVisible();
  await expect(dialog.getByTestId('who-is-woken')).toContainText('Carol Okafor');
  await expect(dialog.getByTestId('who-is-woken')).toContainText('Europe/Berlin');
  // Exact (the target's own policy) or, while that look-up is still under way just after start, the
  // team-wide view labelled uncertain: Carol either way, and the focus on the step's lead line.
  const lead = dialog.getByTestId('who-is-woken').getByRole('heading', { level: 3 });
  await expect(lead).toHaveText(/^This will wake (now \(SRE on call: SRE Primary\):|SRE on call: probably)/);
  await expect(lead).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const send = dialog.getByRole('button', { name: 'Send page now' });
  await expect(send).toBeFocused();
  // Hold deliveries at On-Call's REST endpoint, so the page is seen before it is delivered.
  stack.sim.control.setFaults({ errorRate: 1, paths: [REST_ENDPOINT_PREFIX] });
  await page.keyboard.press('Enter');

  // Live status: queued (On-Call has not taken it yet) → delivered → incident number.
  const status = dialog.getByTestId('page-status');
  await expect(status).toHaveAttribute('data-status', /^(queued|failing)$/);
  await expect(dialog.getByTestId('page-headline')).toContainText(
    /^(Queued: Klaxon is sending your page to On-Call\.|Your page has NOT reached On-Call yet)/,
  );
  await expect(
    status.getByRole('listitem').filter({ hasText: /Delivered to On-Call|Not delivered yet/ }),
  ).not.toContainText('(done)');
  expect(klaxonIncidents(stack.sim)).toHaveLength(0);
  stack.sim.control.setFaults({});
  await expect(dialog.getByTestId('page-headline')).toContainText(/Delivered: incident #\d+ is open/, {
    timeout: 30_000,
  });
  await expect(status).toHaveAttribute('data-status', 'delivered');
  await expect(status.getByRole('listitem').filter({ hasText: 'Delivered to On-Call' })).toContainText('(done)');
  const created = klaxonIncidents(stack.sim);
  expect(created).toHaveLength(1);
  const number = created[0]!.incidentNumber;
  await expect(dialog.getByTestId('page-headline')).toContainText(`incident #${number}`);

  // Closing the dialog keeps following the page on the home screen (state from the server).
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Wake up SRE…' })).toBeFocused();
  await expect(page.getByTestId('page-headline')).toContainText(`incident #${number}`);

  // An SRE acknowledges in On-Call: the person who paged sees who, and when.
  stack.sim.control.ack(number, 'carol');
  await expect(page.getByTestId('page-headline')).toContainText(/Acknowledged by carol at \d\d:\d\d/);
  await expect(page.getByRole('region', { name: 'Your latest page' })).toBeVisible();

  // Reload: the page is still followed and listed in "My recent pages".
  await page.reload();
  await expect(page.getByTestId('page-headline')).toContainText('Acknowledged by carol');
  await expect(page.getByRole('heading', { name: 'My recent pages' })).toBeVisible();
  await expect(page.locator('.my-pages')).toContainText('Wiki logins fail with an error page');
});

test('web UI: an SRE (carol, also an On-Call user) acknowledges an incident from the list', async ({ page }) => {
  await signInWeb(page, stack.url, 'carol');
  const item = page.getByRole('listitem').filter({ hasText: 'Checkout latency above SLO' });
  await item.getByRole('button', { name: /Acknowledge/ }).click();
  await expect(item.getByText('Acknowledged by carol')).toBeVisible();
  await expect(item.getByRole('button', { name: /Acknowledge/ })).toHaveCount(0);
  const wire = stack.sim.control.incidents() as { entityDisplayName?: string; currentPhase: string }[];
  expect(wire.find((i) => i.entityDisplayName === 'Checkout latency above SLO')?.currentPhase).toBe('ACKED');
});

test('web UI: bob (staff) may page but sees no Acknowledge button', async ({ page }) => {
  await signInWeb(page, stack.url, 'bob');
  await expect(page.getByRole('button', { name: 'Wake up SRE…' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Recent incidents' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Acknowledge/ })).toHaveCount(0);

  // Signing out ends the browser session on the server too.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Klaxon' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in to Klaxon' })).toBeVisible();
  expect((await page.request.get(`${stack.url}/api/v1/me`)).status()).toBe(401);
});
