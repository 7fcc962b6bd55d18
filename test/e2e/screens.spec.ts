import { expect, test } from '@playwright/test';
import { REST_ENDPOINT_PREFIX } from '#dev/oncall-simulator/index.js';
import { expectNoAxeViolations } from './support/axe.js';
import { composePage, screenshot, signInWeb } from './support/browser.js';
import { installFixtureBridge } from './support/fixture-bridge.js';
import { fixtureOnCall, fixturePages, fixtureState } from './support/fixture-state.js';
import { RENDERER_DIR, startStack, type Stack } from './support/stack.js';
import { serveDirectory } from './support/static-server.js';

// Every main screen, light and dark: an axe scan with zero violations, and a screenshot in
// test-results/screenshots/ for a person to review.
for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    let stack: Stack;
    test.beforeEach(async ({ page }) => {
      stack = await startStack();
      await page.emulateMedia({ colorScheme: theme });
    });
    test.afterEach(async () => {
      await stack?.close();
    });

    test(`screens (${theme}): signed out, home, page dialog, confirm, failing, delivered, acknowledged, offline`, async ({
      page,
    }) => {
      const check = async (name: string) => {
        await expectNoAxeViolations(page, `${name} (${theme})`);
        await screenshot(page, `${name}-${theme}`);
      };
      await page.goto(stack.url);
      await expect(page.getByRole('heading', { name: 'Sign in to Klaxon' })).toBeVisible();
      // The theme really follows prefers-color-scheme.
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe(theme === 'dark' ? 'rgb(21, 23, 26)' : 'rgb(255, 255, 255)');
      await check('01-signed-out');

      await signInWeb(page, stack.url, 'alice');
      await expect(page.getByText('Carol Okafor').first()).toBeVisible();
      await check('02-home');
      // Full window on the web: the same screen in a comfortable centred column.
      await page.setViewportSize({ width: 1280, height: 800 });
      await check('02-home-full-window');
      await page.setViewportSize({ width: 380, height: 560 });

      await composePage(page, 'checkout latency very high', 'Checkout takes 30 s for every customer since 10:05.');
      await expect(page.getByTestId('similar-incidents')).toBeVisible();
      await check('03-page-dialog-similar');

      await page.getByRole('textbox', { name: 'Summary' }).fill('');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByText('Summary is empty')).toBeVisible();
      await check('04-page-dialog-error');

      await page.getByRole('textbox', { name: 'Summary' }).fill('Search returns no results for any query');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByTestId('who-is-woken')).toContainText('Carol Okafor');
      await check('05-confirm');

      stack.sim.control.setFaults({ errorRate: 1, paths: [REST_ENDPOINT_PREFIX] });
      await page.getByRole('button', { name: 'Send page now' }).click();
      await expect(page.getByRole('dialog').getByTestId('fallback-contacts')).toBeVisible();
      await check('06-page-failing');

      stack.sim.control.setFaults({});
      const headline = page.getByRole('dialog').getByTestId('page-headline');
      await expect(headline).toContainText(/Delivered: incident #\d+/, { timeout: 30_000 });
      await check('07-page-delivered');

      const number = (await headline.innerText()).match(/#(\d+)/)?.[1];
      stack.sim.control.ack(number!, 'carol');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('page-headline')).toContainText('Acknowledged by Carol Okafor');
      await check('08-home-page-acknowledged');

      await stack.stopServer();
      await expect(page.getByTestId('freshness-banner')).toContainText('Offline');
      await check('09-offline');

      // A page sent while the server is down: NOT sent yet, kept by the tab, then on the home screen.
      await composePage(page, 'Video calls drop after a minute');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Send page now' }).click();
      await expect(page.getByTestId('send-uncertain')).toContainText('Your page is NOT sent yet.');
      await check('14-page-not-sent-yet');
      await page.setViewportSize({ width: 1280, height: 800 });
      await check('14-page-not-sent-yet-full-window');
      await page.setViewportSize({ width: 380, height: 560 });
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('unsent-pages')).toBeVisible();
      await check('15-home-unsent');
      await page.setViewportSize({ width: 1280, height: 800 });
      await check('15-home-unsent-full-window');
      await page.setViewportSize({ width: 380, height: 560 });
      // The tab would ask before closing while the page waits; this test is done with it.
      page.on('dialog', (d) => void d.accept());
    });

    test(`screens (${theme}): not authorised`, async ({ page }) => {
      await signInWeb(page, stack.url, 'eve');
      await expect(page.getByTestId('not-authorised')).toBeVisible();
      await expect(page.getByTestId('fallback-contacts')).toBeVisible();
      await expectNoAxeViolations(page, `not authorised (${theme})`);
      await screenshot(page, `10-not-authorised-${theme}`);
      await page.setViewportSize({ width: 1280, height: 800 });
      await expect(
        page.getByTestId('fallback-contacts').getByRole('link', { name: 'SRE emergency line' }),
      ).toBeInViewport();
      await expectNoAxeViolations(page, `not authorised, full window (${theme})`);
      await screenshot(page, `10-not-authorised-full-window-${theme}`);
    });

    test(`screens (${theme}): web, refused for the rate limit, Send off until the time it gives, popover size and full window`, async ({
      page,
    }) => {
      // One page per window, so the second is refused by the real server.
      await stack.close();
      stack = await startStack({ pageRateLimitMax: 1 });
      await signInWeb(page, stack.url, 'alice');
      await composePage(page, 'Payments fail for every customer');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Send page now' }).click();
      await expect(page.getByRole('dialog').getByTestId('page-headline')).toContainText(/Delivered: incident #\d+/, {
        timeout: 30_000,
      });
      await page.getByRole('button', { name: 'Done' }).click();
      await composePage(page, 'Payments fail again');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Send page now' }).click();
      await expect(page.getByTestId('page-again')).toContainText(/You can page again in about \d+ minutes/);
      await expect(page.getByRole('button', { name: 'Send page now' })).toBeDisabled();
      await expectNoAxeViolations(page, `rate limited, web (${theme})`);
      await screenshot(page, `16-rate-limited-web-${theme}`);
      await page.setViewportSize({ width: 1280, height: 800 });
      await expect(page.getByTestId('page-again')).toBeInViewport();
      await expectNoAxeViolations(page, `rate limited, web, full window (${theme})`);
      await screenshot(page, `16-rate-limited-web-full-window-${theme}`);
    });

    test(`screens (${theme}): desktop, one page NOT sent yet and one the server refused (fixture bridge)`, async ({
      page,
    }) => {
      const renderer = await serveDirectory(RENDERER_DIR);
      const soon = new Date(Date.now() + 8_000).toISOString();
      const base = {
        requesterSub: 'alice',
        targetLabel: 'SRE on call',
        firstTriedAt: new Date(Date.now() - 95_000).toISOString(),
      };
      try {
        await installFixtureBridge(page, {
          state: fixtureState(),
          oncall: fixtureOnCall,
          pages: [],
          unsent: [
            {
              ...base,
              request: { summary: 'Wiki edits fail to save', details: '', idempotencyKey: 'klx-aaaaaaaaaaaaaaaa' },
              attempts: 4,
              lastError:
                'Klaxon cannot reach the server at https://klaxon.example.org (ECONNREFUSED). Check your network connection.',
              nextAttemptAt: soon,
              refusal: null,
            },
            {
              ...base,
              request: { summary: 'Payroll export stuck', details: '', idempotencyKey: 'klx-bbbbbbbbbbbbbbbb' },
              attempts: 2,
              lastError: 'You have sent 3 pages in the last 10 minutes.',
              nextAttemptAt: null,
              refusal: { code: 'rate_limited', message: 'You have sent 3 pages in the last 10 minutes.' },
            },
          ],
        });
        await page.goto(renderer.url);
        const card = page.getByTestId('unsent-pages');
        await expect(card.getByRole('heading')).toHaveText('1 page NOT sent yet — Klaxon keeps trying; 1 refused');
        await expect(card).toContainText('Klaxon keeps it on this computer');
        await expect(card).toContainText(
          'NOT sent: You have sent 3 pages in the last 10 minutes. Klaxon has stopped trying.',
        );
        await expectNoAxeViolations(page, `unsent pages (${theme})`);
        await screenshot(page, `17-desktop-unsent-${theme}`);
      } finally {
        await renderer.close();
      }
    });

    test(`screens (${theme}): refused for the rate limit, Send off until the time it gives (fixture bridge)`, async ({
      page,
    }) => {
      const renderer = await serveDirectory(RENDERER_DIR);
      try {
        await installFixtureBridge(page, {
          state: fixtureState(),
          oncall: fixtureOnCall,
          pages: [],
          failures: {
            'pages:create': {
              code: 'rate_limited',
              message:
                'You have sent 3 pages in the last 10 minutes. If this is a new emergency, call the SRE emergency line (+1 555 0100).',
              retryAfterSeconds: 254,
            },
          },
        });
        await page.goto(renderer.url);
        await composePage(page, 'Payments fail again');
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByRole('button', { name: 'Send page now' }).click();
        await expect(page.getByTestId('page-again')).toContainText('You can page again in about 4 minutes');
        await expectNoAxeViolations(page, `rate limited (${theme})`);
        await screenshot(page, `16-rate-limited-${theme}`);
      } finally {
        await renderer.close();
      }
    });

    test(`screens (${theme}): signing in with a copyable link, stale data, memory-only storage (fixture state)`, async ({
      page,
    }) => {
      const renderer = await serveDirectory(RENDERER_DIR);
      try {
        await installFixtureBridge(page, {
          state: fixtureState({
            auth: {
              status: 'signing-in',
              authorizeUrl:
                'http://127.0.0.1:8788/auth?client_id=klaxon-desktop&response_type=code&code_challenge_method=S256',
            },
            storage: { mode: 'memory-only', message: 'No keyring was found.' },
          }),
          oncall: fixtureOnCall,
          pages: fixturePages,
        });
        await page.goto(renderer.url);
        await expect(page.getByRole('textbox', { name: 'Or open this link in another browser:' })).toHaveValue(
          /client_id=klaxon-desktop/,
        );
        await expectNoAxeViolations(page, `signing in (${theme})`);
        await screenshot(page, `11-signing-in-${theme}`);

        // Klaxon desktop also reports its version and update check: the footer says both.
        const stale = fixtureState({
          snapshot: {
            ...fixtureState().snapshot!,
            fetchedAt: new Date(Date.now() - 95_000).toISOString(),
            stale: true,
            upstream: { ok: false, error: 'On-Call answered 503.' },
          },
          app: {
            version: '0.1.0',
            updates: {
              enabled: true,
              lastCheckedAt: new Date(Date.now() - 5 * 60_000 - 5_000).toISOString(),
              message: null,
            },
          },
        });
        await page.evaluate(
          (s) => (window as unknown as { __klaxonPush(c: string, p: unknown): void }).__klaxonPush('state:changed', s),
          stale,
        );
        await expect(page.getByTestId('freshness-banner')).toContainText(/Data is 1 min 3\d s old/);
        await expect(page.getByTestId('app-footer')).toHaveText('Klaxon 0.1.0 · checked for updates 5 min ago');
        await expectNoAxeViolations(page, `stale data (${theme})`);
        await screenshot(page, `12-stale-${theme}`);
      } finally {
        await renderer.close();
      }
    });
  });
}

test('the ?theme= hook forces a theme whatever the system prefers', async ({ page }) => {
  const renderer = await serveDirectory(RENDERER_DIR);
  try {
    await installFixtureBridge(page, { state: fixtureState(), oncall: fixtureOnCall, pages: [] });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${renderer.url}/?theme=dark`);
    await expect(page.getByTestId('badge-summary')).toBeVisible();
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(21, 23, 26)');
  } finally {
    await renderer.close();
  }
});

/** Relative luminance and contrast (WCAG 2.x), and hue/saturation/lightness, of `rgb(r, g, b)` strings. */
function colour(css: string) {
  const [r, g, b] = (css.match(/\d+/g) ?? []).slice(0, 3).map((n) => Number(n) / 255) as [number, number, number];
  const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const lightness = (max + min) / 2;
  const saturation = max === min ? 0 : (max - min) / (1 - Math.abs(2 * lightness - 1));
  const hue = max === min ? 0 : max === r ? (60 * ((g - b) / (max - min)) + 360) % 360 : -1;
  return { luminance, lightness, saturation, hue };
}
const contrast = (a: string, b: string) => {
  const [x, y] = [colour(a).luminance, colour(b).luminance].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
};

for (const theme of ['light', 'dark'] as const) {
  test(`${theme} theme: "Wake up SRE…" keeps its alarm weight (a saturated red, white text, AA contrast)`, async ({
    page,
  }) => {
    const renderer = await serveDirectory(RENDERER_DIR);
    try {
      await installFixtureBridge(page, { state: fixtureState(), oncall: fixtureOnCall, pages: [] });
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(renderer.url);
      const button = page.getByRole('button', { name: 'Wake up SRE…' });
      const { bg, fg, card } = await button.evaluate((el) => ({
        bg: getComputedStyle(el).backgroundColor,
        fg: getComputedStyle(el).color,
        card: getComputedStyle(el.parentElement!).backgroundColor,
      }));
      const c = colour(bg);
      expect(c.hue, `hue of ${bg}`).toBeGreaterThanOrEqual(0);
      expect(c.hue < 15 || c.hue > 345, `hue of ${bg}`).toBe(true);
      expect(c.saturation, `saturation of ${bg}`).toBeGreaterThan(0.6);
      expect(c.lightness, `lightness of ${bg}`).toBeLessThan(0.55);
      expect(colour(fg).lightness, `text ${fg}`).toBeGreaterThan(0.95);
      expect(contrast(bg, fg)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(bg, card)).toBeGreaterThanOrEqual(3);
      await expectNoAxeViolations(page, `home (${theme})`);
    } finally {
      await renderer.close();
    }
  });
}
