/**
 * Renders every tray state Klaxon can show, so a person can look at them without an Electron binary:
 *   dist/tray-states/<kind>.png        the real assets/tray files for that state, enlarged 4×, on
 *                                      light and dark taskbars and as macOS template images on light
 *                                      and dark menu bars, plus the Windows overlay when there is one
 *   dist/tray-states/contact-sheet.png every state, one labelled row each
 *   dist/tray-states/states.json       tooltip, badge (dock / overlay / count), menu per state and platform
 * Run: npx tsx scripts/render-tray-states.ts
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { ClientState, Incident } from '#common/index.js';
import { trayView, type TrayView } from '#electron/tray.js';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist', 'tray-states');
const trayDir = path.join(root, 'assets', 'tray');

const now = new Date('2026-11-22T12:05:05.000Z');
const inc = (number: string, phase: Incident['phase'], title: string): Incident => ({
  number,
  title,
  phase,
  startedAt: '2026-11-22T11:50:00.000Z',
  lastAlertAt: null,
  teams: [{ slug: 'team-sre', name: 'SRE' }],
  pagedUsers: phase === 'UNACKED' ? ['carol'] : [],
  routingKey: 'sre',
  entityId: null,
  alertCount: 1,
  link: null,
  ackedBy: phase === 'ACKED' ? 'dmitri' : null,
  ackedAt: null,
  resolvedBy: null,
  resolvedAt: null,
});
const me = {
  user: { sub: 'alice', name: 'Alice Andersen', email: null, groups: ['sre'] },
  permissions: { view: true, page: true, acknowledge: true },
};
const base = (incidents: Incident[], over: Partial<ClientState> = {}): ClientState => ({
  serverUrl: 'https://klaxon.example.org',
  config: null,
  auth: { status: 'signed-in', me },
  link: { status: 'live', lastDataAt: '2026-11-22T12:05:00.000Z', error: null, retryAt: null },
  snapshot: {
    incidents,
    fetchedAt: '2026-11-22T12:05:00.000Z',
    ageSeconds: 0,
    stale: false,
    upstream: { ok: true, error: null },
    windowMinutes: 60,
    pollIntervalSeconds: 10,
  },
  storage: { mode: 'encrypted', message: null },
  ...over,
});
const offlineLink = {
  status: 'offline' as const,
  lastDataAt: '2026-11-22T12:03:00.000Z',
  error: 'ECONNREFUSED',
  retryAt: null,
};

export const STATES: Record<string, ClientState> = {
  'signed-out': base([], {
    auth: { status: 'signed-out', message: null },
    snapshot: null,
    link: { status: 'idle', lastDataAt: null, error: null, retryAt: null },
  }),
  'signing-in': base([], {
    auth: { status: 'signing-in', authorizeUrl: 'https://idp.example.org/auth?…' },
    snapshot: null,
  }),
  connecting: base([], {
    snapshot: null,
    link: { status: 'connecting', lastDataAt: null, error: null, retryAt: null },
  }),
  'live-quiet': base([]),
  'live-acked': base([inc('1043', 'ACKED', 'Elevated 5xx on edge cache')]),
  'live-unacked': base([
    inc('1042', 'UNACKED', 'Checkout latency above SLO'),
    inc('1043', 'ACKED', 'Elevated 5xx on edge cache'),
  ]),
  stale: base([inc('1042', 'UNACKED', 'Checkout latency above SLO')], {
    link: { status: 'stale', lastDataAt: '2026-11-22T12:03:00.000Z', error: null, retryAt: null },
  }),
  'stale-empty': base([], {
    link: { status: 'stale', lastDataAt: '2026-11-22T12:03:00.000Z', error: null, retryAt: null },
  }),
  offline: base([inc('1042', 'UNACKED', 'Checkout latency above SLO')], { link: offlineLink }),
  'not-authorised': base([], {
    snapshot: null,
    auth: {
      status: 'not-authorised',
      me: { ...me, permissions: { view: false, page: false, acknowledge: false } },
      requiredGroups: ['staff', 'sre'],
      message: '…',
    },
  }),
};

// ---- a tiny 5×7 bitmap font for the row labels (upper case, digits, "-")
const FONT: Record<string, string> = {
  A: '01110100011000111111100011000110001',
  B: '11110100011000111110100011000111110',
  C: '01110100011000010000100001000101110',
  D: '11110100011000110001100011000111110',
  E: '11111100001000011110100001000011111',
  F: '11111100001000011110100001000010000',
  G: '01110100011000010111100011000101111',
  H: '10001100011000111111100011000110001',
  I: '01110001000010000100001000010001110',
  K: '10001100101010011000101001001010001',
  L: '10000100001000010000100001000011111',
  N: '10001110011010110011100011000110001',
  O: '01110100011000110001100011000101110',
  P: '11110100011000111110100001000010000',
  Q: '01110100011000110001101011001001101',
  R: '11110100011000111110101001001010001',
  S: '01111100001000001110000010000111110',
  T: '11111001000010000100001000010000100',
  U: '10001100011000110001100011000101110',
  V: '10001100011000110001100010101000100',
  W: '10001100011000110101101011010101010',
  Y: '10001100010101000100001000010000100',
  M: '10001110111010110001100011000110001',
  J: '00111000100001000010100101001001100',
  '-': '00000000000000011111000000000000000',
  ' ': '00000000000000000000000000000000000',
};

function blank(w: number, h: number, c: [number, number, number]): PNG {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) {
    p.data[i * 4] = c[0];
    p.data[i * 4 + 1] = c[1];
    p.data[i * 4 + 2] = c[2];
    p.data[i * 4 + 3] = 255;
  }
  return p;
}
function fill(dst: PNG, x0: number, y0: number, w: number, h: number, c: [number, number, number]): void {
  for (let y = y0; y < y0 + h; y++)
    for (let x = x0; x < x0 + w; x++) {
      const i = (y * dst.width + x) * 4;
      dst.data[i] = c[0];
      dst.data[i + 1] = c[1];
      dst.data[i + 2] = c[2];
      dst.data[i + 3] = 255;
    }
}
/** Alpha-composites `src` scaled by `k` (nearest neighbour) onto `dst`; `tint` recolours template images. */
function blit(dst: PNG, src: PNG, x0: number, y0: number, k: number, tint?: [number, number, number]): void {
  for (let y = 0; y < src.height * k; y++) {
    for (let x = 0; x < src.width * k; x++) {
      const si = (Math.floor(y / k) * src.width + Math.floor(x / k)) * 4;
      const di = ((y0 + y) * dst.width + x0 + x) * 4;
      const a = src.data[si + 3]! / 255;
      for (let ch = 0; ch < 3; ch++) {
        const s = tint ? tint[ch]! : src.data[si + ch]!;
        dst.data[di + ch] = Math.round(s * a + dst.data[di + ch]! * (1 - a));
      }
    }
  }
}
function text(dst: PNG, s: string, x0: number, y0: number, k: number, c: [number, number, number]): void {
  let x = x0;
  for (const ch of s.toUpperCase()) {
    const g = FONT[ch] ?? FONT[' ']!;
    for (let i = 0; i < 35; i++) if (g[i] === '1') fill(dst, x + (i % 5) * k, y0 + Math.floor(i / 5) * k, k, k, c);
    x += 6 * k;
  }
}
const load = (file: string) => PNG.sync.read(readFileSync(path.join(trayDir, file)));

const CELL = 160;
const LABEL_W = 300;
const BGS: { bg: [number, number, number]; platform: NodeJS.Platform; theme: 'light' | 'dark'; template: boolean }[] = [
  { bg: [236, 236, 236], platform: 'win32', theme: 'light', template: false },
  { bg: [32, 32, 32], platform: 'win32', theme: 'dark', template: false },
  { bg: [246, 246, 246], platform: 'darwin', theme: 'light', template: true },
  { bg: [40, 40, 40], platform: 'darwin', theme: 'dark', template: true },
];

function row(kind: string, state: ClientState): { png: PNG; views: Record<string, TrayView> } {
  const png = blank(LABEL_W + CELL * (BGS.length + 1), CELL, [255, 255, 255]);
  text(png, kind, 12, CELL / 2 - 10, 3, [20, 20, 20]);
  const views: Record<string, TrayView> = {};
  BGS.forEach((b, i) => {
    const v = trayView(state, { platform: b.platform, theme: b.theme, now, timeZone: 'UTC' });
    views[`${b.platform}-${b.theme}`] = v;
    const x = LABEL_W + i * CELL;
    fill(png, x, 0, CELL, CELL, b.bg);
    const file = v.image.file.replace('.png', '@2x.png');
    // macOS recolours template images to match the menu bar: black on light, white on dark.
    blit(
      png,
      load(file),
      x + 16,
      16,
      4,
      v.image.template ? (b.theme === 'dark' ? [255, 255, 255] : [0, 0, 0]) : undefined,
    );
  });
  const overlay = views['win32-light']!.badge.overlay.image;
  if (overlay) {
    const x = LABEL_W + BGS.length * CELL;
    fill(png, x, 0, CELL, CELL, [220, 220, 230]);
    blit(png, load(`overlay-${overlay}@2x.png`), x + 16, 16, 4);
  }
  views['linux-light'] = trayView(state, { platform: 'linux', theme: 'light', now, timeZone: 'UTC' });
  return { png, views };
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const rows: PNG[] = [];
const summary: Record<string, unknown> = {};
for (const [kind, state] of Object.entries(STATES)) {
  const { png, views } = row(kind, state);
  writeFileSync(path.join(out, `${kind}.png`), PNG.sync.write(png));
  rows.push(png);
  summary[kind] = Object.fromEntries(
    Object.entries(views).map(([k, v]) => [
      k,
      {
        kind: v.kind,
        image: v.image.file,
        tooltip: v.tooltip,
        trayTitle: v.trayTitle,
        badge: v.badge,
        menu: v.menu.filter((m) => m.id !== 'separator').map((m) => `${m.label}${m.enabled ? '' : ' (disabled)'}`),
      },
    ]),
  );
}
const sheet = blank(rows[0]!.width, rows.length * (CELL + 4), [200, 200, 200]);
rows.forEach((r, i) => blit(sheet, r, 0, i * (CELL + 4), 1));
writeFileSync(path.join(out, 'contact-sheet.png'), PNG.sync.write(sheet));
writeFileSync(path.join(out, 'states.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `rendered ${rows.length} tray states to ${path.relative(root, out)}/ (contact-sheet.png, states.json, one PNG per state)`,
);
for (const [kind, v] of Object.entries(summary))
  console.log(`${kind.padEnd(15)} ${(v as Record<string, { tooltip: string }>)['win32-light']!.tooltip}`);
