import { expect, test, type Page } from '@playwright/test';
import {
  DEMO_POLICY_BATPHONE,
  DEMO_ROUTING_KEYS,
  DEMO_SERVICE_SRE,
  DEMO_USERS,
} from '#dev/pagerduty-simulator/index.js';
import { composePage, signInWeb } from './support/browser.js';
import { startStack, type Stack, type StackOptions } from './support/stack.js';

// The same flows as for On-Call, for a target on PagerDuty, in a server that has targets on both
// (the demo config: its On-Call targets and "SRE on PagerDuty", the PagerDuty simulator's SRE service).

const PD_LABEL = 'SRE on PagerDuty';
let stack: Stack | null = null;
const start = async (o: StackOptions = {}): Promise<Stack> => (stack = await startStack({ pagerduty: {}, ...o }));
test.afterEach(async () => {
  await stack?.close();
  stack = null;
});
const pd = () => stack!.pd!;

/** Klaxon's pages in the PagerDuty simulator: incidents whose dedup key is a page's. */
const klaxonIncidents = () =>
  (pd().control.incidents() as { id: string; incident_number: number; incident_key: string }[]).filter((i) =>
    i.incident_key.startsWith('klaxon/'),
  );

async function toConfirm(page: Page, summary: string): Promise<void> {
  await composePage(page, summary);
  await page.getByLabel('Send to').selectOption({ label: PD_LABEL });
  await page.getByRole('button', { name: /continue/i }).click();
  await expect(page.getByRole('dialog', { name: 'Confirm: wake up SRE' })).toBeVisible();
}

test('PagerDuty: a page is delivered once, its incident is in the one list, and it is followed to the person who acknowledged', async ({
  page,
}) => {
  const s = await start();
  await signInWeb(page, s.url, 'alice');
  await toConfirm(page, 'Orders stuck in pending');
  // Whom it wakes comes from PagerDuty's escalation policy and on-calls, with local times.
  const woken = page.getByTestId('who-is-woken');
  await expect(woken).toContainText('This will wake now (SRE on PagerDuty:');
  await expect(woken).toContainText('Carol Okafor');
  await page.getByRole('button', { name: 'Send page now' }).click();

  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('page-headline')).toContainText(
    /Delivered: incident #\d+ is open and PagerDuty is paging\./,
    { timeout: 30_000 },
  );
  const created = klaxonIncidents();
  expect(created).toHaveLength(1);
  const number = created[0]!.incident_number;
  await expect(
    dialog.getByTestId('page-status').getByRole('listitem').filter({ hasText: 'Delivered to PagerDuty' }),
  ).toContainText('(done)');

  // The home list holds it beside On-Call's incidents, linking to PagerDuty's web UI.
  await page.keyboard.press('Escape');
  const item = page.getByRole('list', { name: 'Recent incidents' }).getByRole('listitem').filter({
    hasText: 'Orders stuck in pending',
  });
  await expect(item.getByRole('link', { name: `Open in PagerDuty (incident #${number})` })).toHaveAttribute(
    'href',
    new RegExp(`^https://[a-z0-9-]+\\.pagerduty\\.com/incidents/${created[0]!.id}$`),
  );

  // Dmitri acknowledges in PagerDuty: the person who paged sees who, by name, and when.
  pd().control.acknowledge(created[0]!.id, DEMO_USERS.dmitri);
  await expect(page.getByTestId('page-headline')).toContainText(/Acknowledged by Dmitri Ivanov at \d\d:\d\d/);
  expect(pd().control.eventCounts(created[0]!.incident_key)).toMatchObject({ trigger: 1, incidents: 1 });
});

test('PagerDuty refuses every event: the page has NOT reached PagerDuty, with fallback contacts; it goes through once PagerDuty recovers', async ({
  page,
}) => {
  const s = await start();
  pd().control.setFaults({ errorRate: 1, paths: ['/v2/enqueue'] });
  await signInWeb(page, s.url, 'alice');
  await toConfirm(page, 'Payments API returns 500 for all requests');
  await page.getByRole('button', { name: 'Send page now' }).click();

  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('page-headline')).toContainText(
    'Your page has NOT reached PagerDuty yet. Klaxon keeps retrying…',
  );
  const fallback = dialog.getByTestId('fallback-contacts');
  await expect(fallback.getByRole('link', { name: 'SRE emergency line' })).toHaveAttribute('href', 'tel:+15550100');
  expect(klaxonIncidents()).toHaveLength(0);

  pd().control.setFaults({});
  await expect(dialog.getByTestId('page-headline')).toContainText(/Delivered: incident #\d+ is open/, {
    timeout: 30_000,
  });
  await expect(dialog.getByTestId('fallback-contacts')).toHaveCount(0);
  expect(klaxonIncidents()).toHaveLength(1);
});

test('a PagerDuty target in a maintenance window is said to be muted before sending, and a page sent anyway reads "nobody was paged"', async ({
  page,
}) => {
  // The window opens before the server starts, so its first look sees it.
  const s = await start({
    preparePagerDuty: (sim) =>
      void sim.control.addMaintenanceWindow({ serviceIds: [DEMO_SERVICE_SRE], description: 'Database upgrade' }),
  });
  await signInWeb(page, s.url, 'alice');
  await toConfirm(page, 'Search returns no results');
  const notice = page.getByTestId('target-notice');
  await expect(notice).toContainText(`PagerDuty is in maintenance mode for ${PD_LABEL}`, { timeout: 30_000 });
  await expect(notice).toContainText('(Database upgrade)');
  await expect(notice.getByRole('link', { name: 'SRE emergency line' })).toBeVisible();

  await page.getByRole('button', { name: 'Send anyway' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('page-headline')).toContainText(
    'PagerDuty is in maintenance mode: nobody was paged.',
    { timeout: 30_000 },
  );
  await expect(dialog.getByTestId('fallback-contacts')).toBeVisible();
  await expect(dialog.getByText('Nobody paged (maintenance mode)')).toBeVisible();
  // PagerDuty opened no incident for it.
  expect(klaxonIncidents()).toHaveLength(0);
});

test('typing a summary like an open PagerDuty incident shows the similar-incident hint', async ({ page }) => {
  const s = await start();
  pd().control.trigger({ routingKey: DEMO_ROUTING_KEYS.sre, summary: 'Kafka consumer lag on orders topic' });
  await signInWeb(page, s.url, 'alice');
  await expect(page.getByRole('list', { name: 'Recent incidents' })).toContainText(
    'Kafka consumer lag on orders topic',
    { timeout: 30_000 },
  );
  await composePage(page, 'kafka consumer lag');
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('Is it one of these? SRE already knows.')).toBeVisible();
  await expect(dialog.getByTestId('similar-incidents')).toContainText('Kafka consumer lag on orders topic');
  // Only the hint: nothing was sent.
  expect(klaxonIncidents()).toHaveLength(0);
});

test("Escalate now on a PagerDuty page sends it to PagerDuty's own fallback policy, named in the dialog; On-Call's is not touched", async ({
  page,
}) => {
  // Both services escalate, each to its own fallback: On-Call to "SRE Batphone", PagerDuty to "Batphone".
  const s = await start({
    pagerdutyEscalationPolicy: DEMO_POLICY_BATPHONE,
    server: {
      escalation: { policy: 'pol-srebatphone00003', asUser: 'escalator_sysuser', manualAfterMinutes: 0 },
    },
  });
  await signInWeb(page, s.url, 'alice');
  await toConfirm(page, 'Payments webhook backlog');
  await page.getByRole('button', { name: 'Send page now' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('page-headline')).toContainText(/Delivered: incident #\d+ is open/, {
    timeout: 30_000,
  });
  const [created] = klaxonIncidents();
  const number = created!.incident_number;

  const panel = dialog.getByRole('region', { name: 'Escalate now' });
  await panel.getByRole('button', { name: 'Escalate now to Batphone' }).click();
  const confirm = panel.getByRole('group', { name: 'Confirm the escalation' });
  await expect(confirm).toContainText(`Page Batphone too? More people will be woken for incident #${number}.`);
  await confirm.getByRole('button', { name: 'Yes, escalate now' }).click();

  const region = dialog.getByRole('region', { name: 'Escalation' });
  await expect(region.getByRole('status')).toHaveText(
    `Incident #${number} is escalated to Batphone: they are being paged now.`,
  );
  // PagerDuty reassigned the incident to Batphone, asked once, as Klaxon's PagerDuty user.
  const updates = pd()
    .control.requests()
    .filter((r) => r.method === 'PUT' && r.path === `/incidents/${created!.id}`);
  expect(updates).toHaveLength(1);
  expect(updates[0]).toMatchObject({
    from: 'klaxon@klaxon.test',
    body: { incident: { escalation_policy: { id: DEMO_POLICY_BATPHONE } } },
  });
  expect((pd().control.incident(created!.id) as { escalation_policy: { id: string } }).escalation_policy.id).toBe(
    DEMO_POLICY_BATPHONE,
  );
  expect(s.sim.control.requests().filter((r) => r.path.endsWith('/incidents/reroute'))).toEqual([]);
  // The incident in the one list carries the note too.
  await page.keyboard.press('Escape');
  await expect(
    page
      .getByRole('listitem')
      .filter({ hasText: 'Payments webhook backlog' })
      .getByText(/Klaxon escalated this to Batphone at \d\d:\d\d: Alice Andersen asked for it\.$/),
  ).toBeVisible();
});
