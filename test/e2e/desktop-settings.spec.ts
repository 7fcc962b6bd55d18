import { expect, test } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.js';
import { screenshot } from './support/browser.js';
import { installDesktopBridge, startDesktopCore, type DesktopHarness } from './support/desktop-bridge.js';
import { RENDERER_DIR, startStack, type Stack } from './support/stack.js';
import { serveDirectory } from './support/static-server.js';

// The settings screen against the real desktop core (settings:get / settings:set, policy > user >
// default, the user's settings file in a temp dir), with IT's policy forcing "start at login" off.
let stack: Stack;
let desktop: DesktopHarness;
let renderer: Awaited<ReturnType<typeof serveDirectory>>;
let unbridge: (() => void) | null = null;

test.beforeEach(async ({ page }) => {
  stack = await startStack();
  renderer = await serveDirectory(RENDERER_DIR);
  desktop = await startDesktopCore(stack.url, { policy: { startAtLogin: false } });
  unbridge = await installDesktopBridge(page, desktop.core);
});
test.afterEach(async () => {
  unbridge?.();
  await desktop?.stop();
  await renderer?.close();
  await stack?.close();
});

test('desktop settings: keyboard-reachable from the popover, a policy-locked setting is disabled with the reason, changes persist', async ({
  page,
}) => {
  await page.goto(renderer.url);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('badge-summary')).toHaveText('3 open incidents, 2 not acknowledged');

  // The shell reports its version and update state: the footer says it in words.
  desktop.core.setAppInfo({
    version: '0.1.0',
    updates: { enabled: false, lastCheckedAt: null, message: 'Updates are managed by your IT department.' },
  });
  await expect(page.getByTestId('app-footer')).toHaveText('Klaxon 0.1.0 · Updates are managed by your IT department.');

  // Keyboard only: focus the button, Enter opens the settings with the focus on its heading.
  const open = page.getByRole('button', { name: 'Settings' });
  await open.focus();
  await page.keyboard.press('Enter');
  const settings = page.getByRole('region', { name: 'Settings' });
  await expect(settings.getByRole('heading', { name: 'Settings' })).toBeFocused();

  // IT forces start-at-login off: shown, disabled, with the reason next to it.
  const startAtLogin = settings.getByRole('checkbox', { name: 'Start Klaxon when I log in' });
  await expect(startAtLogin).toBeDisabled();
  await expect(startAtLogin).not.toBeChecked();
  await expect(settings.getByTestId('locked-startAtLogin')).toHaveText('Set by your IT department');
  await expect(startAtLogin).toHaveAccessibleDescription(/Set by your IT department/);
  // Not locked: the default "on for SRE" is what is selected for new-incident notifications.
  await expect(settings.getByRole('radio', { name: /^Default: on if you are in SRE/ })).toBeChecked();
  await expect(settings.getByRole('textbox', { name: 'Klaxon server URL' })).toBeEnabled();

  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await expectNoAxeViolations(page, `settings (${theme})`);
    await screenshot(page, `13-settings-${theme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });

  // Bad values are refused before anything is saved, each under its own field.
  await settings.getByRole('textbox', { name: 'Klaxon server URL' }).fill('klaxon.example.org');
  await settings.getByRole('textbox', { name: 'Shortcut that opens Klaxon' }).fill('K');
  await settings.getByRole('button', { name: 'Save' }).click();
  await expect(settings.getByRole('textbox', { name: 'Shortcut that opens Klaxon' })).toHaveAccessibleDescription(
    /at least one modifier/,
  );
  await expect(settings.getByRole('textbox', { name: 'Klaxon server URL' })).toHaveAccessibleDescription(
    /not a web address: it should look like https:\/\/klaxon\.example\.org/,
  );
  await expect(settings.getByRole('textbox', { name: 'Klaxon server URL' })).toHaveAttribute('aria-invalid', 'true');
  // The first field in error (in screen order) gets the focus.
  await expect(settings.getByRole('textbox', { name: 'Shortcut that opens Klaxon' })).toBeFocused();
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await expectNoAxeViolations(page, `settings with errors (${theme})`);
    await screenshot(page, `14-settings-errors-${theme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  expect(desktop.core.settings().values.globalShortcut).toBe('CommandOrControl+Shift+K');

  await settings.getByRole('textbox', { name: 'Klaxon server URL' }).fill(stack.url);
  await settings.getByRole('textbox', { name: 'Shortcut that opens Klaxon' }).fill('CommandOrControl+Alt+K');
  await settings.getByRole('radio', { name: 'Off', exact: true }).check();
  await settings.getByRole('checkbox', { name: 'Notify me when my pages are delivered or acknowledged' }).uncheck();
  await settings.getByRole('button', { name: 'Save' }).click();
  await expect(settings.getByTestId('settings-saved')).toHaveText('Settings saved.');
  expect(desktop.core.settings().values).toMatchObject({
    notifyNewIncidents: false,
    notifyOwnPages: false,
    globalShortcut: 'CommandOrControl+Alt+K',
    startAtLogin: false,
  });

  // Esc leaves the settings and gives the focus back to the button; the next Esc hides the popover.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('region', { name: 'Settings' })).toHaveCount(0);
  await expect(open).toBeFocused();
  expect(desktop.hideCalls).toBe(0);

  // Reopening the popover (a fresh renderer) shows the saved values.
  await page.reload();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(settings.getByRole('radio', { name: 'Off', exact: true })).toBeChecked();
  await expect(
    settings.getByRole('checkbox', { name: 'Notify me when my pages are delivered or acknowledged' }),
  ).not.toBeChecked();
  await expect(settings.getByRole('textbox', { name: 'Shortcut that opens Klaxon' })).toHaveValue(
    'CommandOrControl+Alt+K',
  );
  await expect(settings.getByRole('checkbox', { name: 'Start Klaxon when I log in' })).toBeDisabled();
});
