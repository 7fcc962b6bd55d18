import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.js';
import { composePage, screenshot, signInWeb } from './support/browser.js';
import { startStack, type Stack, type StackOptions } from './support/stack.js';

// Whom a page wakes, and a page that reaches On-Call yet wakes nobody, as a person sees it in the
// page dialog (the realistic simulator org, the real server), in light and dark at 380×560, each
// screen checked with axe and saved to test-results/screenshots/.

const SRE = { id: 'sre', label: 'SRE on call', routingKey: 'sre', teams: ['team-sreKLX0000000001'], default: true };
const PLATFORM = {
  id: 'platform',
  label: 'Platform on call',
  routingKey: 'platform',
  teams: ['team-pltKLX0000000002'],
};
const TYPO = { id: 'typo', label: 'SRE (mistyped key)', routingKey: 'srr', teams: ['team-sreKLX0000000001'] };

let stack: Stack | null = null;
test.afterEach(async () => {
  await stack?.close();
  stack = null;
});

/** The server's first target check is done: the dialog then hears exact answers, not "still looking up". */
async function targetsChecked(s: Stack): Promise<void> {
  await expect
    .poll(
      async () =>
        ((await (await fetch(`${s.url}/readyz`)).json()) as { targets?: { checkedAt: string | null } }).targets
          ?.checkedAt ?? null,
      {
        timeout: 30_000,
      },
    )
    .not.toBeNull();
}

async function start(page: Page, theme: 'light' | 'dark', o: StackOptions = {}): Promise<Stack> {
  stack = await startStack(o);
  await page.emulateMedia({ colorScheme: theme });
  await signInWeb(page, stack.url, 'alice');
  return stack;
}

async function toConfirm(page: Page, summary: string, targetLabel?: string): Promise<void> {
  await composePage(page, summary);
  if (targetLabel) await page.getByLabel('Send to').selectOption({ label: targetLabel });
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('dialog', { name: 'Confirm: wake up SRE' })).toBeVisible();
}

async function check(page: Page, name: string): Promise<void> {
  await expectNoAxeViolations(page, name);
  await screenshot(page, name);
}

for (const theme of ['light', 'dark'] as const) {
  test(`the confirm step names who is woken now and later; a muted target is said plainly, and a page sent anyway reads "nobody was paged" (${theme})`, async ({
    page,
  }) => {
    const s = await start(page, theme, {
      targets: [SRE, PLATFORM],
      prepare: (sim) =>
        sim.control.startMaintenance({ routingKeys: ['platform'], purpose: 'Database upgrade', startedBy: 'priya' }),
    });
    await targetsChecked(s);
    await toConfirm(page, 'Search returns no results for any query');
    const woken = page.getByTestId('who-is-woken');
    await expect(woken).toHaveAttribute('data-certainty', 'exact');
    await expect(woken).toContainText('This will wake now (SRE on call: SRE Primary):');
    await expect(woken.locator('ul.woken').first()).toContainText('Carol Okafor');
    await expect(woken.locator('ul.woken').first()).not.toContainText('Dmitri Ivanov');
    // Local time from the server's oncall.timeZones (On-Call's API has none).
    await expect(woken.locator('ul.woken').first()).toContainText(/their time \(Europe\/Berlin\)/);
    const later = page.getByTestId('woken-later');
    await expect(later).toContainText('If nobody acknowledges in 15 min:');
    await expect(later).toContainText('Dmitri Ivanov');
    await expect(later).toContainText('If nobody acknowledges in 45 min:');
    await expect(later).toContainText(
      'Carol Okafor, Dmitri Ivanov, Ana Souza, Lars Nilsson, Jo Kowalski (SRE Batphone)',
    );
    await expect(page.getByTestId('target-notice')).toHaveCount(0);
    await check(page, `20-confirm-now-and-later-${theme}`);

    // The muted target: said before sending, with what to do instead.
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByLabel('Send to').selectOption({ label: 'Platform on call' });
    await page.getByRole('button', { name: 'Continue' }).click();
    const notice = page.getByTestId('target-notice');
    await expect(notice).toContainText('On-Call is in maintenance mode for Platform on call since');
    await expect(notice).toContainText(
      'started by priya (Database upgrade): a page now opens an incident but wakes nobody until maintenance ends.',
    );
    await expect(notice.getByRole('link', { name: 'SRE emergency line' })).toBeVisible();
    await expect(page.getByTestId('who-is-woken')).toContainText(
      'When maintenance mode ends, this will wake (Platform on call: Platform Primary):',
    );
    await check(page, `21-confirm-muted-target-${theme}`);

    await page.getByRole('button', { name: 'Send anyway' }).click();
    const headline = page.getByRole('dialog').getByTestId('page-headline');
    await expect(headline).toContainText('On-Call is in maintenance mode: nobody was paged.', { timeout: 30_000 });
    await expect(headline).toContainText(
      /Incident #\d+ is open, but On-Call pages nobody for it until maintenance mode ends/,
    );
    await expect(page.getByRole('dialog').getByTestId('fallback-contacts')).toBeVisible();
    await expect(page.getByRole('dialog').getByText('Nobody paged (maintenance mode)')).toBeVisible();
    await check(page, `22-page-maintenance-nobody-paged-${theme}`);
  });

  test(`an unknown target is warned about before sending, and a page whose incident never appears reads "unconfirmed" (${theme})`, async ({
    page,
  }) => {
    const s = await start(page, theme, { targets: [SRE, TYPO], unconfirmedAfterSeconds: 3 });
    await targetsChecked(s);
    await toConfirm(page, 'Payments fail for every card', 'SRE (mistyped key)');
    const notice = page.getByTestId('target-notice');
    await expect(notice).toContainText(
      `On-Call does not know this target's routing key, so a page goes to On-Call's default route ("routingdefault") instead. Tell the Klaxon operator.`,
    );
    await expect(notice.getByTestId('fallback-contacts')).toBeVisible();
    // What a page there really wakes: the default route's policy.
    await expect(page.getByTestId('who-is-woken')).toContainText('Carol Okafor');
    await check(page, `23-confirm-unknown-target-${theme}`);

    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByLabel('Send to').selectOption({ label: 'SRE on call' });
    await page.getByRole('button', { name: 'Continue' }).click();
    // A Rules Engine rule rewrites the page's entity_id: its incident never shows up under it.
    s.sim.control.setRules([
      { when: { field: 'monitoring_tool', matches: 'klaxon' }, set: { entity_id: 'rewritten/${{entity_id}}' } },
    ]);
    await page.getByRole('button', { name: 'Send page now' }).click();
    const headline = page.getByRole('dialog').getByTestId('page-headline');
    await expect(headline).toContainText(
      'Sent, but On-Call shows no incident for it: it may have been rewritten or dropped.',
      { timeout: 30_000 },
    );
    await expect(page.getByRole('dialog').getByTestId('fallback-contacts')).toBeVisible();
    await expect(page.getByRole('dialog').getByText('No incident in On-Call')).toBeVisible();
    await check(page, `24-page-unconfirmed-${theme}`);
  });

  test(`when whom a target wakes cannot be looked up, the team-wide view is shown labelled uncertain (${theme})`, async ({
    page,
  }) => {
    await start(page, theme, {
      targets: [SRE],
      prepare: (sim) =>
        sim.control.setFaults({ errorRate: 1, errorStatus: 503, paths: ['/api-public/v1/org/routing-keys'] }),
    });
    await toConfirm(page, 'Login page shows a blank screen');
    const woken = page.getByTestId('who-is-woken');
    await expect(woken).toHaveAttribute('data-certainty', 'uncertain');
    await expect(woken).toContainText('This will wake SRE on call: probably some of these people.');
    await expect(page.getByTestId('woken-uncertain')).toContainText(
      /Not certain: Klaxon could not look up this target's escalation policy \(On-Call is having problems \(HTTP 503: no healthy upstream\)\)\. Shown instead: everyone on call in its teams; a page may wake fewer of them\./,
    );
    for (const name of ['Carol Okafor', 'Dmitri Ivanov', 'Jo Kowalski']) await expect(woken).toContainText(name);
    await check(page, `25-confirm-uncertain-${theme}`);
  });
}
