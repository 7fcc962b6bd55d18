import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.js';
import { composePage, screenshot, signInWeb } from './support/browser.js';
import { startStack, type Stack } from './support/stack.js';

// The demo configuration makes the sre group auditors (groups.audit): alice is one, bob is not.
let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
  // Bob pages through the API first, so the log holds someone else's page too.
  const bob = stack.idp.accounts.find((a) => a.username === 'bob')!;
  const token = await stack.idp.mintAccessToken({
    sub: bob.username,
    name: bob.name,
    preferred_username: bob.username,
    groups: bob.groups,
  });
  const res = await fetch(`${stack.url}/api/v1/pages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ summary: 'Printer on fire', target: 'sre', idempotencyKey: `key-${crypto.randomUUID()}` }),
  });
  expect(res.status).toBe(202);
});
test.afterAll(async () => {
  await stack?.close();
});

test('an auditor finds the page they sent in the audit log, filters by person, downloads CSV, reads the access review', async ({
  page,
}) => {
  await signInWeb(page, stack.url, 'alice');
  await composePage(page, 'Wiki logins fail with an error page');
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Summary' }).press('Enter');
  await dialog.getByRole('button', { name: 'Send page now' }).click();
  await expect(dialog.getByTestId('page-status')).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();

  await page.getByRole('button', { name: 'Audit' }).click();
  const audit = page.getByTestId('audit');
  await expect(audit.getByRole('heading', { name: 'Audit', exact: true })).toBeFocused();
  const log = audit.getByRole('table', { name: 'Audit log entries' });
  const alicePage = log.getByRole('row').filter({ hasText: 'Wiki logins fail with an error page' });
  await expect(alicePage).toContainText('Alice Andersen (alice)');
  await expect(alicePage).toContainText('sre, staff');
  await expect(alicePage).toContainText('Paged');
  await expect(log.getByRole('row').filter({ hasText: 'Printer on fire' })).toContainText('Bob Brown (bob)');

  // Filter by person: only Alice's entries remain.
  await audit.getByLabel('Person (name or account)').fill('alice');
  await audit.getByRole('button', { name: 'Apply filter' }).click();
  await expect(log.getByText('Printer on fire')).toHaveCount(0);
  await expect(log.getByText(/Wiki logins fail/)).toBeVisible();

  // The CSV download holds what the filter shows.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    audit.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^klaxon-audit-.*\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.split('\r\n')[0]).toBe('id,at,actor_sub,actor_name,groups,action,page_id,detail');
  expect(csv).toContain(',alice,Alice Andersen,sre staff,page.accepted,');
  expect(csv).toContain('Wiki logins fail with an error page');
  expect(csv).not.toContain('Printer on fire');

  // The access review: both people, with the groups on their sign-in, and where membership lives.
  const review = audit.getByRole('table', { name: 'Access review' });
  await expect(review.getByRole('row').filter({ hasText: 'Bob Brown (bob)' })).toContainText('staff');
  await expect(review.getByRole('row').filter({ hasText: 'Alice Andersen (alice)' })).toContainText('In use');
  await expect(audit.getByText(/group membership itself lives in the\s+identity provider/)).toBeVisible();
  await expectNoAxeViolations(page, 'audit');
  await screenshot(page, 'audit-web');

  await audit.getByRole('button', { name: 'Back' }).click();
  await expect(page.getByRole('button', { name: 'Audit' })).toBeFocused();
});

test('someone who is not an auditor has no Audit view and the API refuses them', async ({ page }) => {
  await signInWeb(page, stack.url, 'bob');
  await expect(page.getByRole('button', { name: 'Wake up SRE…' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Audit' })).toHaveCount(0);
  const answer = await page.evaluate(async () => {
    const r = await fetch('/api/v1/audit');
    return { status: r.status, body: (await r.json()) as { error: { message: string } } };
  });
  expect(answer.status).toBe(403);
  expect(answer.body.error.message).toBe(
    'To read the audit log you need to be in the group sre. Ask your IT team to add you, then sign in again.',
  );
});
