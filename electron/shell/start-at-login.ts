/**
 * Starts Klaxon (hidden, in the tray) at login: `app.setLoginItemSettings` on macOS and Windows, the
 * freedesktop autostart entry of start-at-login.ts on Linux, where Electron has no such API.
 */
import { app } from 'electron';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { linuxAutostartEntry, linuxAutostartFile } from '../start-at-login.js';

export function applyStartAtLogin(enabled: boolean): void {
  if (process.platform === 'linux') {
    const file = linuxAutostartFile(os.homedir());
    if (enabled) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, linuxAutostartEntry(process.env.APPIMAGE ?? process.execPath));
    } else rmSync(file, { force: true });
  } else {
    app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
  }
}
