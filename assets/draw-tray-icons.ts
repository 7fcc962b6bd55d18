/**
 * Draws Klaxon's tray, overlay and app icons with plain geometry (no image editor, reproducible).
 * Every state differs in SHAPE, not only colour, so the icons work for colour-blind users and as
 * macOS template images (black + alpha only):
 *   normal      bell
 *   open        bell + ring with a check mark      (amber: incidents open, all acknowledged)
 *   unacked     bell + solid dot with "!"          (red: somebody must act)
 *   stale       bell + warning triangle with "!"   (grey: data is old)
 *   error       bell crossed out by a slash        (red slash: offline / not allowed)
 *   signed-out  bell drawn as an outline only
 */
import { PNG } from 'pngjs';

export type IconState = 'normal' | 'open' | 'unacked' | 'stale' | 'error' | 'signed-out';
export const ICON_STATES: readonly IconState[] = ['normal', 'open', 'unacked', 'stale', 'error', 'signed-out'];
export type IconVariant = 'light' | 'dark' | 'template';

type Rgba = [number, number, number, number];
type Shape = (x: number, y: number) => boolean;
interface Layer {
  shape: Shape;
  color: Rgba | 'erase';
}

const RED: Rgba = [211, 47, 47, 255];
const AMBER: Rgba = [245, 159, 0, 255];
const GREY: Rgba = [128, 128, 128, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const INK_FOR_LIGHT_BG: Rgba = [32, 32, 32, 255];
const INK_FOR_DARK_BG: Rgba = [240, 240, 240, 255];
const BLACK: Rgba = [0, 0, 0, 255];

const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const union =
  (...s: Shape[]): Shape =>
  (x, y) =>
    s.some((f) => f(x, y));
const minus =
  (a: Shape, b: Shape): Shape =>
  (x, y) =>
    a(x, y) && !b(x, y);
const capsule =
  (x0: number, y0: number, x1: number, y1: number, r: number): Shape =>
  (x, y) => {
    const dx = x1 - x0,
      dy = y1 - y0;
    const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
    return (x - (x0 + t * dx)) ** 2 + (y - (y0 + t * dy)) ** 2 <= r * r;
  };
const triangle =
  (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape =>
  (x, y) => {
    const s = (px: number, py: number, qx: number, qy: number) => (x - qx) * (py - qy) - (px - qx) * (y - qy);
    const d1 = s(ax, ay, bx, by),
      d2 = s(bx, by, cx, cy),
      d3 = s(cx, cy, ax, ay);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };

/** The bell, in unit coordinates, a little left of centre to leave room for the state mark. */
function bell(scale = 1, ox = 0.42, oy = 0.5): Shape {
  const t = (x: number, y: number): [number, number] => [(x - ox) / scale + 0.5, (y - oy) / scale + 0.5];
  const body: Shape = (x, y) => {
    if (y < 0.2 || y > 0.7) return false;
    const k = (y - 0.2) / 0.5;
    const half = 0.13 + 0.23 * k ** 1.8;
    return Math.abs(x - 0.5) <= half;
  };
  const parts = union(
    body,
    circle(0.5, 0.3, 0.14),
    capsule(0.16, 0.72, 0.84, 0.72, 0.055),
    circle(0.5, 0.83, 0.075),
    circle(0.5, 0.13, 0.05),
  );
  return (x, y) => {
    const [u, v] = t(x, y);
    return parts(u, v);
  };
}

/** Inside the shape but within `w` of its edge. */
function outline(s: Shape, w: number): Shape {
  const dirs = Array.from(
    { length: 12 },
    (_, i) => [Math.cos((i * Math.PI) / 6) * w, Math.sin((i * Math.PI) / 6) * w] as const,
  );
  return (x, y) => s(x, y) && dirs.some(([dx, dy]) => !s(x + dx, y + dy));
}

const MARK = { cx: 0.76, cy: 0.28, r: 0.22 };
const markGap = circle(MARK.cx, MARK.cy, MARK.r + 0.07);
const exclamation = (cx: number, top: number, bottom: number, w: number): Shape =>
  union(capsule(cx, top, cx, bottom - 0.1, w), circle(cx, bottom, w * 1.05));
const check = (cx: number, cy: number, r: number): Shape =>
  union(
    capsule(cx - r * 0.5, cy, cx - r * 0.12, cy + r * 0.4, r * 0.17),
    capsule(cx - r * 0.12, cy + r * 0.4, cx + r * 0.55, cy - r * 0.38, r * 0.17),
  );

export function iconLayers(state: IconState, variant: IconVariant): Layer[] {
  const ink = variant === 'dark' ? INK_FOR_DARK_BG : variant === 'light' ? INK_FOR_LIGHT_BG : BLACK;
  const coloured = variant !== 'template';
  const b = bell();
  const { cx, cy, r } = MARK;
  switch (state) {
    case 'normal':
      return [{ shape: bell(1.05, 0.5), color: ink }];
    case 'signed-out':
      return [{ shape: outline(bell(1.05, 0.5), 0.075), color: ink }];
    case 'unacked': {
      const dot = circle(cx, cy, r);
      const bang = exclamation(cx, cy - r * 0.6, cy + r * 0.55, r * 0.16);
      return coloured
        ? [
            { shape: minus(b, markGap), color: ink },
            { shape: dot, color: RED },
            { shape: bang, color: WHITE },
          ]
        : [
            { shape: minus(b, markGap), color: ink },
            { shape: minus(dot, bang), color: ink },
          ];
    }
    case 'open': {
      const ring = minus(circle(cx, cy, r), circle(cx, cy, r * 0.62));
      const tick = check(cx, cy, r * 0.62);
      return coloured
        ? [
            { shape: minus(b, markGap), color: ink },
            { shape: circle(cx, cy, r), color: AMBER },
            { shape: tick, color: WHITE },
          ]
        : [
            { shape: minus(b, markGap), color: ink },
            { shape: ring, color: ink },
            { shape: tick, color: ink },
          ];
    }
    case 'stale': {
      const tx = cx + 0.03,
        ty = cy - 0.02;
      const tri = triangle(tx, ty - r * 0.95, tx - r * 1.0, ty + r * 0.8, tx + r * 1.0, ty + r * 0.8);
      const gap = triangle(tx, ty - r * 1.3, tx - r * 1.32, ty + r * 1.0, tx + r * 1.32, ty + r * 1.0);
      const bang = exclamation(tx, ty - r * 0.42, ty + r * 0.52, r * 0.12);
      const faded: Rgba = coloured ? GREY : ink;
      return coloured
        ? [
            { shape: minus(b, gap), color: faded },
            { shape: tri, color: GREY },
            { shape: bang, color: WHITE },
          ]
        : [
            { shape: minus(b, gap), color: ink },
            { shape: minus(tri, bang), color: ink },
          ];
    }
    case 'error': {
      const slash = capsule(0.12, 0.86, 0.86, 0.12, 0.055);
      const gap = capsule(0.12, 0.86, 0.86, 0.12, 0.12);
      return [
        { shape: minus(bell(1.05, 0.5), gap), color: coloured ? ink : ink },
        { shape: slash, color: coloured ? RED : ink },
      ];
    }
  }
}

/** Renders layers at `size` px with 4×4 supersampling (smooth edges at 16 px). */
export function renderLayers(layers: Layer[], size: number, background: Rgba | null = null): PNG {
  const png = new PNG({ width: size, height: size });
  const ss = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let acc: [number, number, number, number] = [0, 0, 0, 0];
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          let c: Rgba = background ?? [0, 0, 0, 0];
          for (const l of layers) {
            if (!l.shape(x, y)) continue;
            c = l.color === 'erase' ? [0, 0, 0, 0] : l.color;
          }
          // premultiplied accumulation so transparent samples do not darken edges
          acc = [acc[0] + c[0] * c[3], acc[1] + c[1] * c[3], acc[2] + c[2] * c[3], acc[3] + c[3]];
        }
      }
      const i = (py * size + px) * 4;
      const a = acc[3] / (ss * ss);
      png.data[i] = acc[3] ? Math.round(acc[0] / acc[3]) : 0;
      png.data[i + 1] = acc[3] ? Math.round(acc[1] / acc[3]) : 0;
      png.data[i + 2] = acc[3] ? Math.round(acc[2] / acc[3]) : 0;
      png.data[i + 3] = Math.round(a);
    }
  }
  return png;
}

export function renderTrayIcon(state: IconState, variant: IconVariant, size: number): PNG {
  return renderLayers(iconLayers(state, variant), size);
}

/** Windows taskbar overlay (16 px): a solid mark only. */
export function renderOverlay(kind: 'unacked' | 'open' | 'error', size: number): PNG {
  const c = circle(0.5, 0.5, 0.48);
  if (kind === 'unacked')
    return renderLayers(
      [
        { shape: c, color: RED },
        { shape: exclamation(0.5, 0.2, 0.76, 0.075), color: WHITE },
      ],
      size,
    );
  if (kind === 'open')
    return renderLayers(
      [
        { shape: c, color: AMBER },
        { shape: check(0.5, 0.5, 0.42), color: WHITE },
      ],
      size,
    );
  return renderLayers(
    [
      { shape: c, color: GREY },
      { shape: capsule(0.3, 0.3, 0.7, 0.7, 0.08), color: WHITE },
      { shape: capsule(0.7, 0.3, 0.3, 0.7, 0.08), color: WHITE },
    ],
    size,
  );
}

/** The application icon: a white bell on a red rounded square. */
export function renderAppIcon(size: number): PNG {
  const rounded: Shape = (x, y) => {
    const r = 0.2,
      m = 0.06;
    const qx = Math.max(Math.abs(x - 0.5) - (0.5 - m - r), 0);
    const qy = Math.max(Math.abs(y - 0.5) - (0.5 - m - r), 0);
    return qx * qx + qy * qy <= r * r;
  };
  return renderLayers(
    [
      { shape: rounded, color: RED },
      { shape: bell(0.68, 0.5, 0.5), color: WHITE },
    ],
    size,
  );
}
