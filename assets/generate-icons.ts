/**
 * Writes every tray, overlay and app icon into assets/ (run: `npx tsx assets/generate-icons.ts`).
 * Names match electron/tray.ts: `<state>-<light|dark>.png` (for light / dark menu bars and
 * taskbars) with `@2x`, `<state>Template.png` (+ `@2x`) for macOS, `overlay-<kind>.png` for the
 * Windows taskbar, `icon.png` (1024) and `icon-512.png` for packaging.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { ICON_STATES, renderAppIcon, renderOverlay, renderTrayIcon } from './draw-tray-icons.js';

const here = import.meta.dirname;
const trayDir = path.join(here, 'tray');
mkdirSync(trayDir, { recursive: true });
const write = (file: string, png: PNG) => writeFileSync(file, PNG.sync.write(png));

let n = 0;
for (const state of ICON_STATES) {
  for (const variant of ['light', 'dark'] as const) {
    write(path.join(trayDir, `${state}-${variant}.png`), renderTrayIcon(state, variant, 16));
    write(path.join(trayDir, `${state}-${variant}@2x.png`), renderTrayIcon(state, variant, 32));
    n += 2;
  }
  write(path.join(trayDir, `${state}Template.png`), renderTrayIcon(state, 'template', 16));
  write(path.join(trayDir, `${state}Template@2x.png`), renderTrayIcon(state, 'template', 32));
  n += 2;
}
for (const kind of ['unacked', 'open', 'error'] as const) {
  write(path.join(trayDir, `overlay-${kind}.png`), renderOverlay(kind, 16));
  write(path.join(trayDir, `overlay-${kind}@2x.png`), renderOverlay(kind, 32));
  n += 2;
}
write(path.join(here, 'icon.png'), renderAppIcon(1024));
write(path.join(here, 'icon-512.png'), renderAppIcon(512));
console.log(`wrote ${n + 2} icons under ${here}`);
