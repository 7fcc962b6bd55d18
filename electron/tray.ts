/**
 * ClientState → everything the tray, dock, taskbar and launcher show. A pure function, so every
 * state is tested and rendered to PNG (scripts/render-tray-states.ts) without an Electron binary.
 * Rule from the SRE's side: the badge never lies. No "0" and no count-shaped calm while the data
 * is stale or the link is down; those states get their own image and a "!" badge.
 */
import { countIncidents, describeCounts, type ClientState, type IncidentCounts } from '#common/index.js';

export type TrayImageState = 'normal' | 'open' | 'unacked' | 'stale' | 'error' | 'signed-out';
export const TRAY_IMAGE_STATES: readonly TrayImageState[] = [
  'normal',
  'open',
  'unacked',
  'stale',
  'error',
  'signed-out',
];

type TrayKind =
  | 'signed-out'
  | 'signing-in'
  | 'not-authorised'
  | 'connecting'
  | 'live-quiet'
  | 'live-acked'
  | 'live-unacked'
  | 'stale'
  | 'offline';

type Theme = 'light' | 'dark';

export interface TrayMenuItem {
  id: 'status' | 'open' | 'page' | 'sign-in' | 'sign-out' | 'reconnect' | 'quit' | 'separator';
  label: string;
  enabled: boolean;
}

export interface TrayView {
  kind: TrayKind;
  image: {
    state: TrayImageState;
    /** File under assets/tray/. `-light` is drawn for light menu bars/taskbars (dark glyph), `-dark` for dark ones. */
    file: string;
    /** macOS template image: the system recolours it for the menu bar. */
    template: boolean;
  };
  tooltip: string;
  /** macOS: text next to the menu-bar icon (`tray.setTitle`). */
  trayTitle: string;
  badge: {
    /** Linux launcher count (`app.setBadgeCount`); 0 removes the badge. */
    count: number;
    /** macOS dock (`app.dock.setBadge`); '' removes it. Never "0". */
    dockText: string;
    /** Windows taskbar overlay (`setOverlayIcon`): which image, and the accessible description. */
    overlay: { image: 'unacked' | 'open' | 'error' | null; description: string };
  };
  menu: TrayMenuItem[];
  counts: IncidentCounts | null;
}

export interface TrayViewContext {
  platform: NodeJS.Platform;
  theme: Theme;
  now: Date;
  /** For deterministic tests; defaults to the system zone. */
  timeZone?: string;
}

const APP = 'Klaxon';
/** Windows truncates tray tooltips at 127 characters. */
const WINDOWS_TOOLTIP_MAX = 127;

function clock(iso: string, ctx: TrayViewContext): string {
  return new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    ...(ctx.timeZone ? { timeZone: ctx.timeZone } : {}),
  }).format(new Date(iso));
}

function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min ago`;
}

function headline(c: IncidentCounts): string {
  return c.open === 0 ? 'no open incidents' : describeCounts(c);
}

function imageFor(state: TrayImageState, ctx: TrayViewContext): TrayView['image'] {
  // On macOS calm states are template images (the system matches the menu bar); incident states
  // keep their colour so a red "unacknowledged" stands out.
  if (ctx.platform === 'darwin' && state !== 'unacked' && state !== 'open')
    return { state, file: `${state}Template.png`, template: true };
  return { state, file: `${state}-${ctx.theme}.png`, template: false };
}

export function trayView(s: ClientState, ctx: TrayViewContext): TrayView {
  const counts = s.snapshot ? countIncidents(s.snapshot.incidents) : null;
  const updatedAt = s.snapshot?.fetchedAt ?? s.link.lastDataAt;
  let kind: TrayKind;
  let image: TrayImageState;
  let tooltip: string;

  if (s.auth.status === 'signed-out') {
    kind = 'signed-out';
    image = 'signed-out';
    tooltip = `${APP} — not signed in. Open Klaxon to sign in.`;
  } else if (s.auth.status === 'signing-in' && !(s.auth.authorizeUrl === null && s.link.status === 'offline')) {
    kind = 'signing-in';
    image = 'signed-out';
    tooltip = s.auth.authorizeUrl ? `${APP} — signing in: finish in your browser` : `${APP} — restoring your session…`;
  } else if (s.auth.status === 'not-authorised') {
    kind = 'not-authorised';
    image = 'error';
    const groups = s.auth.requiredGroups.join(' or ');
    tooltip = `${APP} — your account may not see incidents${groups ? `; ask to join ${groups}` : ''}`;
  } else if (s.link.status === 'offline') {
    // Also a saved session that cannot be restored yet because the server or IdP is unreachable.
    kind = 'offline';
    image = 'error';
    const since = s.link.lastDataAt ?? updatedAt; // when the server was last heard from
    tooltip = since
      ? `${APP} — offline since ${clock(since, ctx)}: the badge may be out of date`
      : `${APP} — cannot reach the Klaxon server: the badge shows nothing yet`;
  } else if (!counts || s.link.status === 'connecting' || s.link.status === 'idle') {
    kind = 'connecting';
    image = 'stale';
    tooltip =
      counts && updatedAt
        ? `${APP} — reconnecting… as of ${clock(updatedAt, ctx)}: ${headline(counts)}`
        : `${APP} — connecting to the Klaxon server…`;
  } else if (s.link.status === 'stale' || s.snapshot?.stale) {
    kind = 'stale';
    image = 'stale';
    const since = updatedAt ? ` since ${clock(updatedAt, ctx)}` : '';
    tooltip =
      counts.open === 0
        ? `${APP} — no fresh data${since}: there may be incidents Klaxon cannot see`
        : `${APP} — no fresh data${since}; last known: ${headline(counts)}`;
  } else {
    kind = counts.unacked > 0 ? 'live-unacked' : counts.open > 0 ? 'live-acked' : 'live-quiet';
    image = counts.unacked > 0 ? 'unacked' : counts.open > 0 ? 'open' : 'normal';
    tooltip = `${APP} — ${headline(counts)}${updatedAt ? ` · updated ${ago(updatedAt, ctx.now)}` : ''}`;
  }
  if (ctx.platform === 'win32' && tooltip.length > WINDOWS_TOOLTIP_MAX)
    tooltip = `${tooltip.slice(0, WINDOWS_TOOLTIP_MAX - 1)}…`;

  const live = kind === 'live-quiet' || kind === 'live-acked' || kind === 'live-unacked';
  const alarm = kind === 'offline' || kind === 'stale' || kind === 'not-authorised';
  const n = counts?.open ?? 0;
  const badge: TrayView['badge'] = {
    count: live ? n : 0,
    dockText: live ? (n > 0 ? (n > 99 ? '99+' : String(n)) : '') : alarm ? '!' : '',
    overlay:
      live && counts && n > 0
        ? { image: counts.unacked > 0 ? 'unacked' : 'open', description: describeCounts(counts) }
        : alarm
          ? { image: 'error', description: tooltip.replace(`${APP} — `, '') }
          : { image: null, description: '' },
  };

  const statusLabel = tooltip.replace(`${APP} — `, '');
  const menu: TrayMenuItem[] = [
    { id: 'status', label: statusLabel.charAt(0).toUpperCase() + statusLabel.slice(1), enabled: false },
    { id: 'separator', label: '', enabled: false },
    { id: 'open', label: 'Open Klaxon', enabled: true },
  ];
  if (s.auth.status === 'signed-in') menu.push({ id: 'page', label: 'Page SRE…', enabled: s.auth.me.permissions.page });
  if (kind === 'offline' || kind === 'stale') menu.push({ id: 'reconnect', label: 'Reconnect now', enabled: true });
  if (s.auth.status === 'signed-out') menu.push({ id: 'sign-in', label: 'Sign in…', enabled: true });
  else if (s.auth.status !== 'signing-in') menu.push({ id: 'sign-out', label: 'Sign out', enabled: true });
  menu.push({ id: 'separator', label: '', enabled: false }, { id: 'quit', label: 'Quit Klaxon', enabled: true });

  return {
    kind,
    image: imageFor(image, ctx),
    tooltip,
    trayTitle: ctx.platform === 'darwin' && live && n > 0 ? String(n) : '',
    badge,
    menu,
    counts,
  };
}
