/**
 * Where the popover goes: against the tray icon, on the side of it that faces the screen
 * (below a top menu bar, above a bottom taskbar, beside a side taskbar), kept inside the work area.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function popoverPosition(
  tray: Rect,
  size: { width: number; height: number },
  workArea: Rect,
): { x: number; y: number } {
  const clamp = (v: number, lo: number, hi: number) => Math.round(Math.min(Math.max(v, lo), Math.max(lo, hi)));
  const maxX = workArea.x + workArea.width - size.width;
  const maxY = workArea.y + workArea.height - size.height;
  if (tray.width === 0 && tray.height === 0) {
    // No tray bounds (some Linux panels): top-right corner of the work area.
    return { x: clamp(maxX - 8, workArea.x, maxX), y: workArea.y + 8 };
  }
  const centreX = tray.x + tray.width / 2 - size.width / 2;
  const centreY = tray.y + tray.height / 2 - size.height / 2;
  const midY = workArea.y + workArea.height / 2;
  if (tray.x + tray.width <= workArea.x) return { x: workArea.x, y: clamp(centreY, workArea.y, maxY) }; // taskbar on the left
  if (tray.x >= workArea.x + workArea.width) return { x: maxX, y: clamp(centreY, workArea.y, maxY) }; // taskbar on the right
  const below = tray.y + tray.height / 2 < midY;
  return {
    x: clamp(centreX, workArea.x, maxX),
    y: below ? clamp(tray.y + tray.height + 4, workArea.y, maxY) : clamp(tray.y - size.height - 4, workArea.y, maxY),
  };
}

/** Linux panels often never send tray clicks (StatusNotifierItem without activation): use a normal window there. */
export function windowModeFor(platform: NodeJS.Platform): 'popover' | 'window' {
  return platform === 'linux' ? 'window' : 'popover';
}
