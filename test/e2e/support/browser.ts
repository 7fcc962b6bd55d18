import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './stack.js';

export const SCREENSHOT_DIR = path.join(ROOT, 'test-results/screenshots');

/** Signs in through the web UI and the identity provider's own login and consent pages. */
export async function signInWeb(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${baseUrl}/**`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // A modal dialog covers the popover-sized viewport; a full-page capture would show the page behind it.
  const dialogOpen = (await page.locator('dialog[open]').count()) > 0;
  // A full-page capture of a scrolled page draws the sticky top bar where the scroll left it.
  if (!dialogOpen) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: !dialogOpen });
}

/** Opens the page dialog and fills it in; leaves the dialog on the compose step. */
export async function composePage(page: Page, summary: string, details = ''): Promise<void> {
  await page.getByRole('button', { name: 'Wake up SRE…' }).click();
  await expect(page.getByRole('dialog', { name: 'Wake up SRE' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Summary' }).fill(summary);
  if (details) await page.getByRole('textbox', { name: 'Details (optional)' }).fill(details);
}
