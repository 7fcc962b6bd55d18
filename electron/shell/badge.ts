/**
 * The OS badge, per platform, from the same TrayView as the tray (so they never disagree):
 * macOS dock text, Windows taskbar overlay icon with a description, Linux launcher count
 * (Unity/KDE launchers; elsewhere Electron ignores it).
 */
import { app, nativeImage, type BrowserWindow } from 'electron';
import path from 'node:path';
import type { TrayView } from '../tray-view.js';

export interface BadgeTarget {
  platform: NodeJS.Platform;
  assetsDir: string;
  window(): BrowserWindow | null;
}

let lastKey = '';

export function applyBadge(view: TrayView, target: BadgeTarget): void {
  const key = JSON.stringify(view.badge);
  if (key === lastKey) return;
  lastKey = key;
  if (target.platform === 'darwin') {
    app.dock?.setBadge(view.badge.dockText);
  } else if (target.platform === 'win32') {
    const win = target.window();
    if (!win || win.isDestroyed()) return;
    const o = view.badge.overlay;
    win.setOverlayIcon(o.image ? nativeImage.createFromPath(path.join(target.assetsDir, 'tray', `overlay-${o.image}.png`)) : null, o.description);
  } else {
    app.setBadgeCount(view.badge.count);
  }
}

/** For tests: forget what was last applied. */
export function resetBadgeMemory(): void {
  lastKey = '';
}
