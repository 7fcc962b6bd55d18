// The Klaxon window (electron/shell/popover-window.ts) against the recording fake of `electron`.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as fake from '#test/support/fake-electron.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));

beforeEach(() => fake.resetFake());

describe('window', () => {
  it('uses hardened web preferences on every platform', async () => {
    const { createKlaxonWindow } = await import('#electron/shell/popover-window.js');
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      expect(
        (createKlaxonWindow(platform, '/app/preload.cjs') as unknown as fake.BrowserWindow).options.webPreferences,
      ).toEqual({
        preload: '/app/preload.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
        disableBlinkFeatures: 'Auxclick',
      });
    }
  });
  it('is a frameless popover that hides on blur on macOS, anchored under the tray icon; a normal window on Linux', async () => {
    const { PopoverWindow } = await import('#electron/shell/popover-window.js');
    const mac = new PopoverWindow({
      platform: 'darwin',
      preloadPath: '/p.cjs',
      trayBounds: () => ({ x: 1000, y: 0, width: 22, height: 22 }),
    });
    const w = fake.BrowserWindow.instances[0]!;
    expect(w.options).toMatchObject({ frame: false, skipTaskbar: true, show: false });
    expect(w.webContents.url).toBe('app://klaxon/index.html');
    mac.show();
    expect(w.position).toEqual([811, 26]);
    expect(w.visible).toBe(true);
    w.emit('blur');
    expect(w.visible).toBe(false);

    new PopoverWindow({ platform: 'linux', preloadPath: '/p.cjs', trayBounds: () => null });
    const l = fake.BrowserWindow.instances[1]!;
    expect(l.options).toMatchObject({ frame: true, skipTaskbar: false });
    l.show();
    l.emit('blur');
    expect(l.visible).toBe(true);
  });
});
