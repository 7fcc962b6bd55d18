// The pages the server itself answers when browser sign-in fails (server/auth/auth-pages.ts,
// server/auth/web-login.ts), as a person sees them in Chromium: styled by /auth/page.css in the
// theme the system asks for, readable at the popover size (380×560) and in a full window
// (1280×800), with an axe scan and a screenshot of each. The HTML itself is checked in
// test/integration/server/auth/web-login-pages.test.ts, which shows how each page is reached.
import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.js';
import { screenshot } from './support/browser.js';
import { startServer, startStack, WEB_SECRET, type Stack } from '#test/support/server-stack.js';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;
let noSecret: Awaited<ReturnType<typeof startServer>>;
let noProvider: Awaited<ReturnType<typeof startServer>>;

test.beforeAll(async () => {
  stack = await startStack();
  server = await startServer(stack);
  await stack.idp.registerWebClient({
    clientId: 'klaxon-web',
    clientSecret: WEB_SECRET,
    redirectUris: [`${server.url}/auth/callback`],
  });
  noSecret = await startServer(stack, {
    oidc: { web: { clientSecret: '' } },
    storage: { sqlitePath: `${stack.dir}/a.db` },
  });
  // A provider that cannot be reached (at start too: the server starts and says so).
  noProvider = await startServer(stack, {
    oidc: { issuer: 'http://127.0.0.1:9' },
    storage: { sqlitePath: `${stack.dir}/b.db` },
  });
});
test.afterAll(async () => {
  await Promise.all([server, noSecret, noProvider].map((s) => s?.close()));
  await stack?.close();
});

interface AuthErrorPage {
  name: string;
  title: string;
  says: string;
  status: number;
  /** Brings the browser to the page, as a person would get there. */
  open(page: Page): Promise<number | undefined>;
}

const pages: AuthErrorPage[] = [
  {
    name: 'not-set-up',
    title: 'Web sign-in is not set up',
    says: 'The Klaxon operator has not configured oidc.web.clientSecret.',
    status: 503,
    open: async (page) => (await page.goto(`${noSecret.url}/auth/login`))?.status(),
  },
  {
    name: 'provider-unreachable',
    title: 'Sign-in is unavailable',
    says: 'Klaxon could not reach the sign-in provider.',
    status: 503,
    open: async (page) => (await page.goto(`${noProvider.url}/auth/login`))?.status(),
  },
  {
    name: 'cookie-lost',
    title: 'Sign-in could not be completed',
    says: 'your browser did not keep Klaxon’s cookie',
    status: 400,
    open: async (page) => (await page.goto(`${server.url}/auth/callback?code=x&state=y`))?.status(),
  },
  {
    name: 'declined',
    title: 'Sign-in was not completed',
    says: 'You declined to let Klaxon sign you in.',
    status: 403,
    async open(page) {
      // The real way there: the identity provider's own Deny button.
      await page.goto(`${server.url}/auth/login`);
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('alice');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const answer = page.waitForResponse((r) => r.url().startsWith(`${server.url}/auth/callback`));
      await page.getByRole('button', { name: 'Deny' }).click();
      return (await answer).status();
    },
  },
  {
    name: 'not-confirmed',
    title: 'Sign-in could not be completed',
    says: 'The sign-in provider did not confirm your sign-in.',
    status: 400,
    async open(page) {
      await page.goto(`${server.url}/auth/login`); // keeps the sign-in cookie, then a code nobody issued
      return (await page.goto(`${server.url}/auth/callback?code=forged&state=forged`))?.status();
    },
  },
];

for (const theme of ['light', 'dark'] as const) {
  for (const p of pages) {
    test(`${theme}: sign-in error page "${p.title}" (${p.name}) is styled and readable at 380×560 and full window`, async ({
      page,
    }) => {
      await page.emulateMedia({ colorScheme: theme });
      expect(await p.open(page)).toBe(p.status);
      await expect(page.getByRole('heading', { level: 1, name: p.title })).toBeVisible();
      await expect(page.getByRole('main')).toContainText(p.says);
      // The served stylesheet applied, in the theme the system asks for (colours of server/auth/auth-pages.ts).
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe(theme === 'dark' ? 'rgb(21, 23, 26)' : 'rgb(255, 255, 255)');
      const card = await page.evaluate(() => getComputedStyle(document.querySelector('main')!).backgroundColor);
      expect(card).toBe(theme === 'dark' ? 'rgb(31, 34, 39)' : 'rgb(243, 244, 246)');

      // Popover size: nothing wider than the window, the way on in view.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(380);
      const box = (await page.getByRole('main').boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(8); // the card does not touch the window's edges
      expect(box.x + box.width).toBeLessThanOrEqual(380 - 8);
      const again = page.getByRole('link', { name: /sign in again/i });
      if (p.name !== 'not-set-up' && p.name !== 'provider-unreachable') await expect(again).toBeInViewport();
      await expectNoAxeViolations(page, `sign-in error ${p.name} (${theme})`);
      await screenshot(page, `19-auth-${p.name}-${theme}`);

      await page.setViewportSize({ width: 1280, height: 800 });
      await expect(page.getByRole('heading', { level: 1, name: p.title })).toBeInViewport();
      await expectNoAxeViolations(page, `sign-in error ${p.name}, full window (${theme})`);
      await screenshot(page, `19-auth-${p.name}-full-window-${theme}`);
    });
  }
}
