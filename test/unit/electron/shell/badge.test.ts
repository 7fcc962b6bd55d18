// The OS badge (electron/shell/badge.ts) per platform, against the recording fake of `electron`.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { trayView } from '#electron/tray.js';
import * as fake from '#test/support/fake-electron.js';
import { incident } from '#test/support/builders.js';
import { liveState } from '#test/support/electron-fixtures.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));

beforeEach(() => fake.resetFake());

describe('badge', () => {
  it('applies the badge per platform: dock text, Windows overlay, Linux count; never "0"', async () => {
    const { applyBadge, resetBadgeMemory } = await import('#electron/shell/badge.js');
    const view = (platform: NodeJS.Platform, s = liveState([incident()])) =>
      trayView(s, { platform, theme: 'light', now: new Date() });
    const win = new fake.BrowserWindow({});
    resetBadgeMemory();
    applyBadge(view('darwin'), { platform: 'darwin', assetsDir: '/a', window: () => null });
    expect(fake.app.dock.badge).toBe('1');
    resetBadgeMemory();
    applyBadge(view('win32'), { platform: 'win32', assetsDir: '/a', window: () => win as never });
    expect(win.overlay).toMatchObject({
      image: { path: '/a/tray/overlay-unacked.png' },
      description: '1 open incident, not acknowledged',
    });
    resetBadgeMemory();
    applyBadge(view('linux'), { platform: 'linux', assetsDir: '/a', window: () => null });
    expect(fake.app.badgeCount).toBe(1);

    const offline = liveState([], { link: { status: 'offline', lastDataAt: null, error: 'down', retryAt: null } });
    resetBadgeMemory();
    applyBadge(view('darwin', offline), { platform: 'darwin', assetsDir: '/a', window: () => null });
    expect(fake.app.dock.badge).toBe('!');
    resetBadgeMemory();
    applyBadge(view('linux', offline), { platform: 'linux', assetsDir: '/a', window: () => null });
    expect(fake.app.badgeCount).toBe(0);
  });
});

describe('Windows badge', () => {
  const view = (s = liveState([incident()])) => trayView(s, { platform: 'win32', theme: 'light', now: new Date() });

  it('the tray popover has no taskbar button: no overlay is drawn; the tray image and tooltip carry the count', async () => {
    const { applyBadge, resetBadgeMemory } = await import('#electron/shell/badge.js');
    const { PopoverWindow } = await import('#electron/shell/popover-window.js');
    const popover = new PopoverWindow({ platform: 'win32', preloadPath: '/p.cjs', trayBounds: () => null });
    const w = fake.BrowserWindow.instances[0]!;
    expect(w.options).toMatchObject({ skipTaskbar: true });
    resetBadgeMemory();
    const v = view();
    applyBadge(v, {
      platform: 'win32',
      assetsDir: '/a',
      window: () => popover.window,
      hasTaskbarButton: () => popover.mode === 'window',
    });
    expect(fake.callsTo('BrowserWindow.setOverlayIcon')).toEqual([]);
    expect(v.image.file).toBe('unacked-light.png');
    expect(v.tooltip).toMatch(/^Klaxon — 1 open incident, not acknowledged/);
  });

  it('a badge that could not be applied (no window yet) is applied once the window exists', async () => {
    const { applyBadge, resetBadgeMemory } = await import('#electron/shell/badge.js');
    resetBadgeMemory();
    let win: fake.BrowserWindow | null = null;
    const target = {
      platform: 'win32' as const,
      assetsDir: '/a',
      window: () => win as never,
      hasTaskbarButton: () => true,
    };
    applyBadge(view(), target);
    win = new fake.BrowserWindow({});
    applyBadge(view(), target); // same view: must not be skipped as "already applied"
    expect(win.overlay).toMatchObject({
      image: { path: '/a/tray/overlay-unacked.png' },
      description: '1 open incident, not acknowledged',
    });
  });
});
