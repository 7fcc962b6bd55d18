// IPC registration (electron/shell/ipc.ts): sender check, payload validation, pushes to Klaxon windows only.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_REQUEST_CHANNELS } from '#common/index.js';
import { createDesktopCore } from '#electron/desktop-core.js';
import { memoryTokenStore } from '#electron/token-vault.js';
import * as fake from '#test/support/fake-electron.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));

let dir: string;
beforeEach(() => {
  fake.resetFake();
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-shell-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('IPC', () => {
  const core = () =>
    createDesktopCore({
      settings: { policy: { serverUrl: 'http://127.0.0.1:9' }, userSettingsFile: path.join(dir, 's.json') },
      tokenStore: memoryTokenStore(),
      openBrowser: async () => {},
      log: () => {},
    });

  it('registers every channel of the contract and refuses senders that are not app://klaxon (or gone)', async () => {
    const { registerIpcHandlers, REFUSED_SENDER } = await import('#electron/shell/ipc.js');
    const c = core();
    registerIpcHandlers(fake.ipcMain as never, c);
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...IPC_REQUEST_CHANNELS].sort());
    const handler = fake.ipcMain.handlers.get('settings:get')!;
    expect(await handler({ senderFrame: null }, undefined)).toEqual(REFUSED_SENDER);
    expect(await handler({ senderFrame: { url: 'https://evil.example.org/' } }, undefined)).toEqual(REFUSED_SENDER);
    expect(await handler({ senderFrame: { url: 'app://klaxon.evil/index.html' } }, undefined)).toEqual(REFUSED_SENDER);
    expect(await handler({ senderFrame: { url: 'file:///app/index.html' } }, undefined)).toEqual(REFUSED_SENDER);
    expect(await handler({ senderFrame: { url: 'app://klaxon/index.html' } }, undefined)).toMatchObject({
      ok: true,
      value: { values: { serverUrl: 'http://127.0.0.1:9' } },
    });
  });

  it('rejects invalid payloads from the real window with the field named', async () => {
    const { registerIpcHandlers } = await import('#electron/shell/ipc.js');
    registerIpcHandlers(fake.ipcMain as never, core());
    const frame = { senderFrame: { url: 'app://klaxon/index.html' } };
    expect(
      await fake.ipcMain.handlers.get('pages:create')!(frame, {
        summary: 'x'.repeat(500),
        idempotencyKey: 'key-1234567890abcdef',
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'summary' } });
    expect(await fake.ipcMain.handlers.get('settings:set')!(frame, { serverUrl: 'javascript:alert(1)' })).toMatchObject(
      { ok: false, error: { code: 'invalid_request', field: 'serverUrl' } },
    );
    expect(
      await fake.ipcMain.handlers.get('settings:set')!(frame, { serverUrl: 'http://klaxon.example.org' }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'serverUrl' } });
    expect(
      await fake.ipcMain.handlers.get('settings:set')!(frame, { updateFeedUrl: 'https://x.example' }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'updateFeedUrl' } });
  });

  it('refuses to open links that are not allow-listed; shell.openExternal is never called for them', async () => {
    const { registerIpcHandlers } = await import('#electron/shell/ipc.js');
    const c = createDesktopCore({
      settings: { policy: {}, userSettingsFile: path.join(dir, 's.json') },
      tokenStore: memoryTokenStore(),
      openBrowser: async () => {},
      openExternal: (u) => fake.shell.openExternal(u.href),
      log: () => {},
    });
    registerIpcHandlers(fake.ipcMain as never, c);
    const open = fake.ipcMain.handlers.get('shell:open-external')!;
    for (const url of ['https://evil.example.org/', 'file:///etc/passwd', 'http://127.0.0.1:8787/']) {
      expect(await open({ senderFrame: { url: 'app://klaxon/index.html' } }, { url })).toMatchObject({
        ok: false,
        error: { code: expect.stringMatching(/forbidden|invalid_request/) },
      });
    }
    expect(fake.callsTo('shell.openExternal')).toEqual([]);
  });

  it('forwards pushes only to Klaxon windows', async () => {
    const { forwardPushes } = await import('#electron/shell/ipc.js');
    const listeners: ((c: never, p: unknown) => void)[] = [];
    const good = new fake.BrowserWindow({}).webContents;
    good.url = 'app://klaxon/index.html';
    const bad = new fake.BrowserWindow({}).webContents;
    bad.url = 'https://evil.example.org/';
    forwardPushes(
      {
        subscribe: (l) => {
          listeners.push(l as never);
          return () => {};
        },
      },
      () => [good, bad] as never,
    );
    listeners[0]!('navigate:incident' as never, { number: '7' });
    expect(good.sent).toEqual([{ channel: 'navigate:incident', payload: { number: '7' } }]);
    expect(bad.sent).toEqual([]);
  });
});
