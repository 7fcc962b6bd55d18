// The confirmation dialog for a new server or sign-in provider (electron/shell/server-change.ts),
// against the recording fake of `electron`: a native message box of the main process, which no
// script in the window can click.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as fake from '#test/support/fake-electron.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));

beforeEach(() => fake.resetFake());

const change = [{ key: 'serverUrl' as const, from: 'https://klaxon.example.org', to: 'https://evil.example.org' }];

describe('confirming a server change', () => {
  it('shows a native warning naming the new host, Cancel first and the default; Cancel refuses', async () => {
    const { confirmServerChangeInDialog } = await import('#electron/shell/server-change.js');
    fake.dialog.response = 0;
    expect(await confirmServerChangeInDialog(change)).toBe(false);
    const [options, modality] = fake.callsTo('dialog.showMessageBox')[0] as [Record<string, unknown>, string];
    expect(options).toMatchObject({
      type: 'warning',
      message: 'Connect Klaxon to evil.example.org?',
      buttons: ['Cancel', 'Connect'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    });
    expect(options.detail).toContain('Klaxon server: https://evil.example.org (now https://klaxon.example.org)');
    // Not attached to the popover, which hides when it loses focus (a sheet on a hidden window is invisible).
    expect(modality).toBe('app-modal');
  });

  it('Connect confirms', async () => {
    const { confirmServerChangeInDialog } = await import('#electron/shell/server-change.js');
    fake.dialog.response = 1;
    expect(await confirmServerChangeInDialog(change)).toBe(true);
  });
});
