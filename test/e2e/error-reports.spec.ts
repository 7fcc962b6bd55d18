// The web UI's error reports in Chromium against the real stack, with a Sentry stand-in on loopback
// (test/support/sentry-receiver.ts). With `sentry.clientDsn`, an uncaught error in the page reaches
// it through the real @sentry/browser (so the server's CSP lets the page reach that host), and no
// planted secret appears in any envelope: the person's e-mail and name, the page text typed in the
// dialog, the session cookie, a bearer token, the CSRF token. Without it, the SDK is never loaded.
import { expect, test, type Page } from '@playwright/test';
import { startSentryReceiver, type SentryReceiver } from '#test/support/sentry-receiver.js';
import { composePage, signInWeb } from './support/browser.js';
import { startStack, type Stack } from './support/stack.js';

const SUMMARY = 'Canary e2e: the staff wiki shows a blank page';
const DETAILS = 'Canary e2e details: since 10:15 for everyone in building four';

/** What the page's Content-Security-Policy refused, as Chromium reports it in the console. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/violates the following Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

/** Throws from a timer in the page, as a bug in a click handler would: nobody catches it but the SDK. */
async function throwInPage(page: Page, message: string, consoleLine: string): Promise<void> {
  await page.evaluate(
    ({ message, consoleLine }) => {
      console.log(consoleLine);
      setTimeout(() => {
        throw new Error(message);
      });
    },
    { message, consoleLine },
  );
}

test.describe('web UI error reports with sentry.clientDsn', () => {
  let receiver: SentryReceiver;
  let stack: Stack;
  test.beforeAll(async () => {
    receiver = await startSentryReceiver();
    stack = await startStack({ sentryClientDsn: receiver.dsn('5') });
  });
  test.afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  test('an uncaught error reaches Sentry, scrubbed of every planted secret', async ({ page, context }) => {
    const violations = cspViolations(page);
    await signInWeb(page, stack.url, 'alice');
    await expect(page.getByTestId('badge-summary')).toBeVisible();
    await composePage(page, SUMMARY, DETAILS);

    const session = (await context.cookies()).find((c) => c.name.endsWith('klaxon_session'));
    expect(session).toBeDefined();
    const csrf = (await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()))) as { csrfToken: string };
    const token = await stack.idp.mintAccessToken({ sub: 'alice', email: 'alice@klaxon.test', groups: ['sre'] });
    await throwInPage(
      page,
      `Render failed for alice@klaxon.test (Alice Andersen) on "${SUMMARY}" with Bearer ${token}; ` +
        `Cookie: klaxon_session=${session!.value}; csrf ${csrf.csrfToken}`,
      `draft kept: ${DETAILS}`,
    );

    const event = await receiver.waitForEvent((e) => e.tags?.['klaxon.process'] === 'web');
    expect(event.exception?.values?.[0]?.value).toBe(
      'Render failed for [Filtered] ([Filtered]) on "[Filtered]" with Bearer [Filtered]; Cookie: [Filtered]',
    );
    expect(event).toMatchObject({ environment: 'e2e', level: 'error', platform: 'javascript' });
    expect(event.release).toMatch(/^klaxon@\d+\.\d+\.\d+/);
    expect(event).not.toHaveProperty('user');
    const crumbs = (event.breadcrumbs ?? []) as { category?: string; message?: string }[];
    expect(crumbs.find((b) => b.category === 'console')?.message).toBe('draft kept: [Filtered]');

    expect(receiver.envelopes.every((e) => e.project === '5')).toBe(true);
    expect(
      receiver.secretsFound([
        SUMMARY,
        DETAILS,
        token,
        ...token.split('.'),
        session!.value,
        csrf.csrfToken,
        'alice@klaxon.test',
        'Alice Andersen',
      ]),
    ).toEqual([]);
    expect(receiver.strayRequests).toEqual([]);
    expect(violations).toEqual([]);
  });
});

test.describe('web UI error reports without a client DSN', () => {
  let receiver: SentryReceiver;
  let stack: Stack;
  test.beforeAll(async () => {
    receiver = await startSentryReceiver();
    stack = await startStack();
  });
  test.afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  test('the SDK is neither loaded nor started, and nothing is sent', async ({ page }) => {
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    await signInWeb(page, stack.url, 'alice');
    await expect(page.getByTestId('badge-summary')).toBeVisible();
    await throwInPage(page, `Render failed for alice@klaxon.test (${receiver.dsn()})`, 'nothing to see');
    await page.waitForTimeout(1000);
    // The SDK registers itself on window.__SENTRY__ when loaded; only the app's own entry chunk was fetched.
    expect(await page.evaluate(() => '__SENTRY__' in window)).toBe(false);
    expect(new Set(scripts.filter((s) => s.startsWith('/assets/'))).size).toBe(1);
    expect(receiver.envelopes).toEqual([]);
    expect(receiver.strayRequests).toEqual([]);
  });
});
