/**
 * The OS badge, per platform, from the same TrayView as the tray (so they never disagree):
 * - macOS: dock text. Klaxon hides its dock icon (a menu-bar app), so while it is hidden the count
 *   the user sees is the menu-bar title next to the tray icon (shell/tray.ts); the dock text is kept for
 *   the moment the dock icon is shown.
 * - Windows: a taskbar overlay icon needs a taskbar button, and the tray popover has none
 *   (`skipTaskbar`, shell/popover-window.ts): Windows shows no taskbar button for a tray popover. There the
 *   tray itself carries the count: the state image (unacked / open / error are distinct images) and
 *   the tooltip, which starts with the count (electron/tray.ts). The overlay is only applied when the
 *   window is a normal one with a taskbar button.
 * - Linux: launcher count (Unity/KDE launchers; elsewhere Electron ignores it).
 */
import { app, nativeImage, type BrowserWindow } from 'electron';
import path from 'node:path';
import type { TrayView } from '../tray.js';

export interface BadgeTarget {
  platform: NodeJS.Platform;
  assetsDir: string;
  window(): BrowserWindow | null;
  /** False for the tray popover (`skipTaskbar`): there is no taskbar button to put an overlay on. */
  hasTaskbarButton?(): boolean;
}

let lastKey = '';

export function applyBadge(view: TrayView, target: BadgeTarget): void {
  const key = JSON.stringify(view.badge);
  if (key === lastKey) return;
  if (target.platform === 'darwin') {
    app.dock?.setBadge(view.badge.dockText);
  } else if (target.platform === 'win32') {
    if (target.hasTaskbarButton && !target.hasTaskbarButton()) {
      lastKey = key; // nothing to draw: the tray image and tooltip carry the count
      return;
    }
    const win = target.window();
    if (!win || win.isDestroyed()) return; // not applied: try again with the next view
    const o = view.badge.overlay;
    win.setOverlayIcon(
      o.image ? nativeImage.createFromPath(path.join(target.assetsDir, 'tray', `overlay-${o.image}.png`)) : null,
      o.description,
    );
  } else {
    app.setBadgeCount(view.badge.count);
  }
  lastKey = key; // only once it has really been applied
}

/** For tests: forget what was last applied. */
export function resetBadgeMemory(): void {
  lastKey = '';
}
