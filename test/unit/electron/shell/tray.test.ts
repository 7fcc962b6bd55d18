// The tray icon (electron/shell/tray.ts) against the recording fake of `electron`.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { initialClientState } from '#common/index.js';
import { ClientStateStore } from '#electron/client-state-store.js';
import * as fake from '#test/support/fake-electron.js';
import { incident } from '#test/support/builders.js';
import { liveState } from '#test/support/electron-fixtures.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));

beforeEach(() => fake.resetFake());

describe('tray', () => {
  it('redraws image, tooltip, title and menu when the state changes', async () => {
    const { TrayController } = await import('#electron/shell/tray.js');
    const store = new ClientStateStore(
      initialClientState('http://127.0.0.1:8787', { mode: 'memory-only', message: null }),
    );
    const menuClicks: string[] = [];
    const t = new TrayController({
      assetsDir: '/assets',
      platform: 'darwin',
      state: () => store.get(),
      subscribe: (l) => store.subscribe(l),
      onOpen: () => {},
      onMenu: (id) => menuClicks.push(id),
      refreshEveryMs: 60_000,
    });
    const tray = fake.Tray.instances[0]!;
    expect(tray.image.path).toBe('/assets/tray/signed-outTemplate.png');
    expect(tray.image.template).toBe(true);
    expect(tray.tooltip).toBe('Klaxon — not signed in. Open Klaxon to sign in.');

    store.update(liveState([incident(), incident({ number: '2', phase: 'ACKED' })]));
    expect(tray.image.path).toBe('/assets/tray/unacked-light.png');
    expect(tray.image.template).toBe(false);
    expect(tray.tooltip).toMatch(/^Klaxon — 2 open incidents, 1 not acknowledged/);
    expect(tray.title).toBe('2');
    const items = tray.menu!.items;
    (items.find((i) => i.id === 'sign-out')!.click as () => void)();
    expect(menuClicks).toEqual(['sign-out']);

    const before = fake.callsTo('Tray.setImage').length;
    store.update((s) => ({ link: { ...s.link, lastDataAt: new Date().toISOString() } })); // same image: not set again
    expect(fake.callsTo('Tray.setImage').length).toBe(before);
    t.destroy();
  });
});
