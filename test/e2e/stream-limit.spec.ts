// The web UI at the server's per-person cap on event streams (events.maxStreamsPerUser,
// server/live/event-stream.ts): the tab over the limit says what to close (its EventSource cannot
// read the 429, so renderer/api/web-link.ts asks GET /api/v1/events/admission), keeps retrying with
// the backoff, and connects by itself once another tab closes.
import { expect, test } from '@playwright/test';
import { signInWeb } from './support/browser.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
test.beforeEach(async () => {
  stack = await startStack({ maxStreamsPerUser: 2 });
});
test.afterEach(async () => {
  await stack?.close();
});

test('a third tab over a limit of two says Klaxon is open in too many windows, and connects once one closes', async ({
  page,
}) => {
  await signInWeb(page, stack.url, 'alice');
  await expect(page.getByTestId('badge-summary')).toHaveText('3 open incidents, 2 not acknowledged');
  const second = await page.context().newPage();
  await second.goto(stack.url);
  await expect(second.getByTestId('badge-summary')).toHaveText('3 open incidents, 2 not acknowledged');

  const third = await page.context().newPage();
  await third.goto(stack.url);
  const banner = third.getByTestId('freshness-banner');
  await expect(banner.getByRole('status')).toContainText(
    'Klaxon is open in too many windows or devices for you (the limit is 2, events.maxStreamsPerUser on the Klaxon server). Close one and Klaxon reconnects by itself.',
  );
  await expect(banner).not.toContainText('Lost the connection');
  await expect(third.getByTestId('freshness-age')).toContainText(/Reconnecting/);
  // Still refused a few retries later (the backoff), with the same sentence.
  await third.waitForTimeout(2_500);
  await expect(banner.getByRole('status')).toContainText('too many windows or devices');

  await second.close();
  await expect(third.getByTestId('badge-summary')).toHaveText('3 open incidents, 2 not acknowledged', {
    timeout: 30_000,
  });
  await expect(third.getByTestId('freshness-banner')).toHaveCount(0);
});
