import { describe, expect, it } from 'vitest';
import type { ClientState } from '#common/index.js';
import { trayView, type TrayViewContext } from '#electron/tray.js';
import { clientConfig, incident, me, snapshot } from '#test/support/builders.js';
import { liveState } from '#test/support/electron-fixtures.js';

const ctx = (over: Partial<TrayViewContext> = {}): TrayViewContext => ({
  platform: 'linux',
  theme: 'light',
  now: new Date('2026-11-22T12:00:05.000Z'),
  timeZone: 'UTC',
  ...over,
});
const acked = incident({
  number: '1043',
  title: 'Elevated 5xx on edge cache',
  phase: 'ACKED',
  pagedUsers: [],
  ackedBy: 'dmitri',
});

describe('tray view: every state', () => {
  it('signed out: signed-out image, no badge, a sign-in item', () => {
    const v = trayView({ ...liveState([]), auth: { status: 'signed-out', message: null }, snapshot: null }, ctx());
    expect(v.kind).toBe('signed-out');
    expect(v.image.file).toBe('signed-out-light.png');
    expect(v.tooltip).toBe('Klaxon — not signed in. Open Klaxon to sign in.');
    expect(v.badge).toEqual({ count: 0, dockText: '', overlay: { image: null, description: '' } });
    expect(v.menu.map((m) => m.id)).toContain('sign-in');
    expect(v.menu.map((m) => m.id)).not.toContain('sign-out');
  });

  it('signing in and restoring a session say which', () => {
    expect(
      trayView({ ...liveState([]), auth: { status: 'signing-in', authorizeUrl: 'https://idp/auth' } }, ctx()).tooltip,
    ).toMatch(/finish in your browser/);
    expect(trayView({ ...liveState([]), auth: { status: 'signing-in', authorizeUrl: null } }, ctx()).tooltip).toMatch(
      /restoring your session/,
    );
    // Restoring while the server or IdP cannot be reached is shown as offline, not as "signed out".
    const stuck = trayView(
      {
        ...liveState([]),
        snapshot: null,
        auth: { status: 'signing-in', authorizeUrl: null },
        link: { status: 'offline', lastDataAt: null, error: 'x', retryAt: null },
      },
      ctx(),
    );
    expect(stuck.kind).toBe('offline');
    expect(stuck.tooltip).toBe('Klaxon — cannot reach the Klaxon server: the badge shows nothing yet');
  });

  it('connecting: grey image, no number', () => {
    const v = trayView(
      liveState([], { snapshot: null, link: { status: 'connecting', lastDataAt: null, error: null, retryAt: null } }),
      ctx(),
    );
    expect(v.kind).toBe('connecting');
    expect(v.image.state).toBe('stale');
    expect(v.tooltip).toBe('Klaxon — connecting to the Klaxon server…');
    expect(v.badge.count).toBe(0);
    expect(v.badge.dockText).toBe('');
  });

  it('live with nothing open: normal image, no badge (not "0")', () => {
    const v = trayView(liveState([]), ctx({ platform: 'darwin' }));
    expect(v.kind).toBe('live-quiet');
    expect(v.image).toEqual({ state: 'normal', file: 'normalTemplate.png', template: true });
    expect(v.tooltip).toBe('Klaxon — no open incidents · updated 5 s ago');
    expect(v.badge.dockText).toBe('');
    expect(v.trayTitle).toBe('');
  });

  it('live with an unacknowledged incident: red unacked image and counts everywhere', () => {
    const v = trayView(liveState([incident(), acked]), ctx({ platform: 'darwin', theme: 'dark' }));
    expect(v.kind).toBe('live-unacked');
    expect(v.image).toEqual({ state: 'unacked', file: 'unacked-dark.png', template: false });
    expect(v.tooltip).toBe('Klaxon — 2 open incidents, 1 not acknowledged · updated 5 s ago');
    expect(v.trayTitle).toBe('2');
    expect(v.badge.dockText).toBe('2');
    expect(v.badge.count).toBe(2);
    expect(v.badge.overlay).toEqual({ image: 'unacked', description: '2 open incidents, 1 not acknowledged' });
  });

  it('live with only acknowledged incidents: a different image from unacknowledged', () => {
    const v = trayView(liveState([acked]), ctx({ platform: 'win32' }));
    expect(v.kind).toBe('live-acked');
    expect(v.image.file).toBe('open-light.png');
    expect(v.badge.overlay).toEqual({ image: 'open', description: '1 open incident, acknowledged' });
  });

  it('Windows (no taskbar button for the tray popover): the tray itself shows the count, in the tooltip and a distinct image', () => {
    const unacked = trayView(liveState([incident(), acked]), ctx({ platform: 'win32' }));
    const open = trayView(liveState([acked]), ctx({ platform: 'win32' }));
    const quiet = trayView(liveState([]), ctx({ platform: 'win32' }));
    expect(unacked.tooltip).toMatch(/^Klaxon — 2 open incidents, 1 not acknowledged/);
    expect(open.tooltip).toMatch(/^Klaxon — 1 open incident, acknowledged/);
    expect(new Set([unacked.image.file, open.image.file, quiet.image.file]).size).toBe(3);
  });

  it('resolved incidents do not count', () => {
    const v = trayView(liveState([incident({ phase: 'RESOLVED' })]), ctx());
    expect(v.kind).toBe('live-quiet');
  });

  it('stale (client clock or server flag): grey image, "!" badge, never "0"', () => {
    const byLink = trayView(
      liveState([], { link: { status: 'stale', lastDataAt: '2026-11-22T12:00:00.000Z', error: null, retryAt: null } }),
      ctx({ platform: 'darwin' }),
    );
    const byServer = trayView(liveState([], { snapshot: snapshot([], { stale: true }) }), ctx({ platform: 'darwin' }));
    for (const v of [byLink, byServer]) {
      expect(v.kind).toBe('stale');
      expect(v.image.file).toBe('staleTemplate.png');
      expect(v.badge.dockText).toBe('!');
      expect(v.badge.count).toBe(0);
      expect(v.tooltip).toBe('Klaxon — no fresh data since 12:00: there may be incidents Klaxon cannot see');
      expect(v.tooltip).not.toMatch(/\b0\b/);
      expect(v.menu.map((m) => m.id)).toContain('reconnect');
    }
    const withIncidents = trayView(
      liveState([incident()], { snapshot: snapshot([incident()], { stale: true }) }),
      ctx(),
    );
    expect(withIncidents.tooltip).toBe(
      'Klaxon — no fresh data since 12:00; last known: 1 open incident, not acknowledged',
    );
  });

  it('offline: error image, time of last data, "!" on the dock and an error overlay', () => {
    const v = trayView(
      liveState([incident()], {
        link: { status: 'offline', lastDataAt: '2026-11-22T12:03:00.000Z', error: 'ECONNREFUSED', retryAt: null },
      }),
      ctx({ platform: 'win32' }),
    );
    expect(v.kind).toBe('offline');
    expect(v.image.file).toBe('error-light.png');
    expect(v.tooltip).toBe('Klaxon — offline since 12:03: the badge may be out of date');
    expect(v.badge).toEqual({
      count: 0,
      dockText: '!',
      overlay: { image: 'error', description: 'offline since 12:03: the badge may be out of date' },
    });
  });

  it('not authorised: names the groups to ask for', () => {
    const s: ClientState = {
      ...liveState([]),
      snapshot: null,
      auth: {
        status: 'not-authorised',
        me: me({ view: false, page: false, acknowledge: false }, 'Eve Evans', 'eve'),
        requiredGroups: ['staff', 'sre'],
        message: 'x',
      },
    };
    const v = trayView(s, ctx());
    expect(v.kind).toBe('not-authorised');
    expect(v.image.state).toBe('error');
    expect(v.tooltip).toBe('Klaxon — your account may not see incidents; ask to join staff or sre');
    expect(v.menu.map((m) => m.id)).toContain('sign-out');
  });

  it('caps the dock badge at 99+ and keeps Windows tooltips within 127 characters', () => {
    const many = Array.from({ length: 120 }, (_, i) => incident({ number: String(i + 1) }));
    expect(trayView(liveState(many), ctx({ platform: 'darwin' })).badge.dockText).toBe('99+');
    const long = trayView(
      {
        ...liveState([]),
        snapshot: null,
        auth: {
          status: 'not-authorised',
          me: null,
          requiredGroups: Array.from({ length: 20 }, (_, i) => `group-number-${i}`),
          message: 'x',
        },
      },
      ctx({ platform: 'win32' }),
    );
    expect(long.tooltip.length).toBeLessThanOrEqual(127);
  });

  it('offers "Page SRE…" only to people who may page', () => {
    const staff = trayView(liveState([], { auth: { status: 'signed-in', me: me({ acknowledge: false }) } }), ctx());
    const viewer = trayView(
      liveState([], { auth: { status: 'signed-in', me: me({ page: false, acknowledge: false }) } }),
      ctx(),
    );
    expect(staff.menu.find((m) => m.id === 'page')?.enabled).toBe(true);
    expect(viewer.menu.find((m) => m.id === 'page')?.enabled).toBe(false);
  });

  it('uses the config only for words, never for counts', () => {
    const v = trayView(liveState([incident()], { config: clientConfig({ pollIntervalSeconds: 1 }) }), ctx());
    expect(v.counts).toEqual({ open: 1, unacked: 1, acked: 0, unackedNobodyPaged: 0 });
  });
});
