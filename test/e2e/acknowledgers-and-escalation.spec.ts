import { expect, test } from '@playwright/test';
import { composePage, signInWeb } from './support/browser.js';
import { installDesktopBridge, startDesktopCore, type DesktopHarness } from './support/desktop-bridge.js';
import { RENDERER_DIR, startStack, type Stack } from './support/stack.js';
import { serveDirectory } from './support/static-server.js';

// Against the realistic On-Call org: who acknowledged, by name; Klaxon's escalation of #1043 (its
// rotation is empty, nobody is paged) shown on the incident; "Escalate now" on one's own page.
const ESCALATION = {
  escalation: {
    policy: 'pol-srebatphone00003',
    asUser: 'escalator_sysuser',
    unpaged: { enabled: true, intervalSeconds: 1, graceSeconds: 0 },
    manualAfterMinutes: 0,
  },
};

let stack: Stack;
test.beforeEach(async () => {
  stack = await startStack({ org: 'realistic', server: ESCALATION });
});
test.afterEach(async () => {
  await stack?.close();
});

const CLOCK = /\d\d:\d\d/.source;

test('web UI: an acknowledgement alice makes in Klaxon shows her name; one made in On-Call the display name', async ({
  page,
}) => {
  await signInWeb(page, stack.url, 'alice');
  const list = page.getByRole('list', { name: 'Recent incidents' });
  // Seeded: dmitri acknowledged 1041 in On-Call.
  await expect(list.getByText('Acknowledged by Dmitri Ivanov', { exact: true })).toBeVisible();

  // Alice has no On-Call account: Klaxon acknowledges as its service user, and credits her.
  const item = list.getByRole('listitem').filter({ hasText: 'Checkout latency above SLO' });
  await item.getByRole('button', { name: /Acknowledge/ }).click();
  await expect(item.getByText('Acknowledged by Alice Andersen (via Klaxon)', { exact: true })).toBeVisible();
  const wire = stack.sim.control.incidents() as { incidentNumber: string; transitions: { by: string }[] }[];
  expect(wire.find((i) => i.incidentNumber === '1042')?.transitions.at(-1)?.by).toBe('klaxon');
  // After a reload (a fresh snapshot from the server), still hers.
  await page.reload();
  await expect(
    page
      .getByRole('listitem')
      .filter({ hasText: 'Checkout latency above SLO' })
      .getByText('Acknowledged by Alice Andersen (via Klaxon)', { exact: true }),
  ).toBeVisible();
});

test('web UI: an incident paging nobody shows that Klaxon escalated it, where to and when', async ({ page }) => {
  await signInWeb(page, stack.url, 'bob');
  const item = page.getByRole('listitem').filter({ hasText: 'Nightly export stalled' });
  await expect(item.getByRole('note').filter({ hasText: 'Klaxon escalated' })).toHaveText(
    new RegExp(`Klaxon escalated this to SRE Batphone at ${CLOCK}: nobody was being paged\\.$`),
    { timeout: 30_000 },
  );
  // Batphone pages people now: the "nobody is being paged" warning is gone.
  await expect(item.getByText('Nobody is being paged for this incident.')).toHaveCount(0, { timeout: 20_000 });
});

test.describe('desktop', () => {
  let desktop: DesktopHarness;
  let renderer: Awaited<ReturnType<typeof serveDirectory>>;
  let unbridge: (() => void) | null = null;
  test.beforeEach(async ({ page }) => {
    renderer = await serveDirectory(RENDERER_DIR);
    desktop = await startDesktopCore(stack.url);
    unbridge = await installDesktopBridge(page, desktop.core);
  });
  test.afterEach(async () => {
    unbridge?.();
    await desktop?.stop();
    await renderer?.close();
  });

  test('desktop: the person who paged presses Escalate now on their unacknowledged page, after confirming', async ({
    page,
  }) => {
    await page.goto(renderer.url);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await composePage(page, 'Wiki edits fail to save');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Send page now' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByTestId('page-headline')).toContainText(/Delivered: incident #\d+ is open/);
    const number = /incident #(\d+)/.exec((await dialog.getByTestId('page-headline').textContent()) ?? '')![1]!;

    const panel = dialog.getByRole('region', { name: 'Escalate now' });
    await expect(panel).toContainText('Nobody has acknowledged your page yet.');
    await panel.getByRole('button', { name: 'Escalate now to SRE Batphone' }).click();
    // Nothing is sent before the confirmation.
    const confirm = panel.getByRole('group', { name: 'Confirm the escalation' });
    await expect(confirm).toContainText(
      `Page SRE Batphone too? More people will be woken for incident #${number}. Klaxon escalates an incident only once.`,
    );
    const reroutesOf = () =>
      stack.sim.control
        .requests()
        .filter((r) => r.path.endsWith('/incidents/reroute'))
        .map((r) => r.body as { reroutes: { incidentNumber: string }[] })
        .filter((b) => b.reroutes[0]?.incidentNumber === number);
    expect(reroutesOf()).toEqual([]);
    await expect(confirm.getByRole('button', { name: 'Yes, escalate now' })).toBeFocused();
    await confirm.getByRole('button', { name: 'Yes, escalate now' }).click();

    const region = dialog.getByRole('region', { name: 'Escalation' });
    await expect(region.getByRole('status')).toHaveText(
      `Incident #${number} is escalated to SRE Batphone: they are being paged now.`,
    );
    await expect(region.getByTestId('page-escalation-note')).toHaveText(
      new RegExp(`Klaxon escalated this to SRE Batphone at ${CLOCK}: Alice Andersen asked for it\\.$`),
    );
    expect(reroutesOf()).toEqual([
      {
        userName: 'escalator_sysuser',
        reroutes: [{ incidentNumber: number, targets: [{ type: 'EscalationPolicy', slug: 'pol-srebatphone00003' }] }],
      },
    ]);
    // The incident in the list carries the same note once the server has it.
    await page.keyboard.press('Escape');
    await expect(
      page
        .getByRole('listitem')
        .filter({ hasText: 'Wiki edits fail to save' })
        .getByText(/Alice Andersen asked for it\.$/),
    ).toBeVisible();
  });
});
