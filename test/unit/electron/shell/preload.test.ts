// The preload (electron/shell/preload.ts): only window.klaxon, only the contract's channels.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_PUSH_CHANNELS, IPC_REQUEST_CHANNELS } from '#common/index.js';
import * as fake from '#test/support/fake-electron.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));

beforeEach(() => fake.resetFake());

describe('preload', () => {
  it('exposes only window.klaxon, forwards known channels, and drops the IpcRendererEvent', async () => {
    // First import in this file: the preload exposes its bridge on load, after resetFake() ran.
    const { klaxonBridge, PRELOAD_REQUEST_CHANNELS, PRELOAD_PUSH_CHANNELS } =
      await import('#electron/shell/preload.js');
    expect([...PRELOAD_REQUEST_CHANNELS].sort()).toEqual([...IPC_REQUEST_CHANNELS].sort());
    expect([...PRELOAD_PUSH_CHANNELS].sort()).toEqual([...IPC_PUSH_CHANNELS].sort());
    expect([...fake.contextBridge.exposed.keys()]).toEqual(['klaxon']);
    expect(fake.contextBridge.exposed.get('klaxon')).toBe(klaxonBridge);
    expect(Object.keys(klaxonBridge).sort()).toEqual(['invoke', 'on']);

    expect(await klaxonBridge.invoke('settings:set', { startAtLogin: true })).toEqual({
      ok: true,
      value: 'echo:settings:set',
    });
    expect(fake.callsTo('ipcRenderer.invoke')).toEqual([['settings:set', { startAtLogin: true }]]);
    expect(await (klaxonBridge.invoke as (c: string) => Promise<unknown>)('evil:channel')).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(fake.callsTo('ipcRenderer.invoke')).toHaveLength(1);

    const got: unknown[] = [];
    const off = klaxonBridge.on('state:changed', (p) => got.push(p));
    fake.ipcRenderer.emit('state:changed', { sender: 'SECRET-EVENT-OBJECT' }, { hello: 1 });
    expect(got).toEqual([{ hello: 1 }]);
    off();
    fake.ipcRenderer.emit('state:changed', {}, { hello: 2 });
    expect(got).toHaveLength(1);
    expect(() => (klaxonBridge.on as (c: string, l: () => void) => void)('ipc:raw', () => {})).toThrow(
      /Unknown Klaxon event/,
    );
    expect(IPC_PUSH_CHANNELS).toContain('page:updated');
  });
});
