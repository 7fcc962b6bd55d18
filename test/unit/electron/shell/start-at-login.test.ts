// Start at login (electron/shell/start-at-login.ts): the Linux autostart file, the login item elsewhere.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fake from '#test/support/fake-electron.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));

let dir: string;
const saved = { platform: process.platform, xdg: process.env.XDG_CONFIG_HOME };
beforeEach(() => {
  fake.resetFake();
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-autostart-'));
  process.env.XDG_CONFIG_HOME = dir;
});
afterEach(() => {
  Object.defineProperty(process, 'platform', { value: saved.platform });
  if (saved.xdg === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = saved.xdg;
  rmSync(dir, { recursive: true, force: true });
});

describe('start at login', () => {
  it('Linux: writes and removes the autostart entry, which starts hidden', async () => {
    Object.defineProperty(process, 'platform', { value: 'linux' });
    const { applyStartAtLogin } = await import('#electron/shell/start-at-login.js');
    const file = path.join(dir, 'autostart', 'klaxon.desktop');
    applyStartAtLogin(true);
    expect(readFileSync(file, 'utf8')).toMatch(/^Exec=.* --hidden$/m);
    applyStartAtLogin(false);
    expect(existsSync(file)).toBe(false);
    expect(fake.callsTo('app.setLoginItemSettings')).toEqual([]);
  });

  it('macOS and Windows: the login item, started hidden', async () => {
    Object.defineProperty(process, 'platform', { value: 'darwin' });
    const { applyStartAtLogin } = await import('#electron/shell/start-at-login.js');
    applyStartAtLogin(true);
    expect(fake.callsTo('app.setLoginItemSettings')).toEqual([[{ openAtLogin: true, args: ['--hidden'] }]]);
    expect(existsSync(path.join(dir, 'autostart'))).toBe(false);
  });
});
