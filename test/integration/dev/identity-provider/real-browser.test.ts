// The login and consent pages in a real browser (Debian Chromium via playwright-core), with the
// selectors the UI helper's Playwright tests use. This is what catches a CSP that blocks the
// stylesheet or a form-action that blocks the redirect back to the app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import * as oidc from 'openid-client';
import { startIdentityProvider, type RunningIdp } from '#dev/identity-provider/index.js';
import { discoverDesktop, startLoopbackSignIn } from '#test/support/loopback-client.js';

let idp: RunningIdp;
let config: oidc.Configuration;
let browser: Browser;

beforeAll(async () => {
  idp = await startIdentityProvider();
  config = await discoverDesktop(idp.issuer);
  browser = await chromium.launch({
    executablePath: process.env.KLAXON_CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await idp?.close();
});

describe('login pages in Chromium', () => {
  it("a person signs in with a typo first, allows access, and lands on the app's loopback callback", async () => {
    const flow = await startLoopbackSignIn(config);
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
    });
    try {
      await page.goto(flow.authorizeUrl.href);
      await expect.poll(() => page.title()).toContain('Sign in');
      // The stylesheet loaded under the CSP (the card has a border from idp.css).
      expect(await page.locator('main').evaluate((el) => getComputedStyle(el).borderTopStyle)).toBe('solid');
      await expect.poll(() => page.locator('#demo-accounts').innerText()).toContain('Alice Andersen');

      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('not-alice');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/Wrong username or password/);

      await page.getByLabel('Password').fill('alice');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL((u) => u.href.startsWith(flow.redirectUri));
      expect(await page.locator('body').innerText()).toContain('Signed in to Klaxon');
      const tokens = await flow.tokens;
      expect(tokens.claims()?.groups).toEqual(['sre', 'staff']);
      expect(cspErrors).toEqual([]);
    } finally {
      await page.close();
      flow.close();
    }
  });

  it('Deny returns access_denied to the app', async () => {
    const flow = await startLoopbackSignIn(config);
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    try {
      await page.goto(flow.authorizeUrl.href);
      await page.getByLabel('Username').fill('eve');
      await page.getByLabel('Password').fill('eve');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.waitForURL((u) => u.href.startsWith(flow.redirectUri));
      expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
      await expect(flow.tokens).rejects.toMatchObject({ error: 'access_denied' });
    } finally {
      await page.close();
      flow.close();
    }
  });
});
