// The server link against the real Klaxon server + simulator: restart, staleness, offline, and an
// access token that expires while the stream is open (short TTL on the real IdP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trayView } from '#electron/tray.js';
import { memoryTokenStore } from '#electron/token-vault.js';
import { desktopCore, startDesktopStack, waitForState, type DesktopStack } from '#test/support/desktop-stack.js';

let stack: DesktopStack;
beforeAll(async () => {
  stack = await startDesktopStack({ idp: { accessTokenTtlSeconds: 4 } });
  await stack.startServer();
});
afterAll(async () => {
  await stack?.close();
});

const tray = (s: Parameters<typeof trayView>[0]) =>
  trayView(s, { platform: 'darwin', theme: 'light', now: new Date() });

describe('server link against the real server', () => {
  it('renews an access token that expires mid-stream without the user noticing', async () => {
    const writes: string[] = [];
    const base = memoryTokenStore();
    const tokenStore = {
      mode: base.mode,
      message: null,
      get: base.get,
      clear: base.clear,
      set: async (rt: string) => {
        writes.push(rt);
        await base.set(rt);
      },
    };
    const core = desktopCore(stack, 'alice', { tokenStore });
    try {
      await core.start();
      await core.invoke('auth:sign-in', undefined);
      await waitForState(core, (x) => x.link.status === 'live');
      const statuses = new Set<string>();
      const off = core.state.subscribe((s) => {
        statuses.add(s.auth.status);
      });
      // Two token lifetimes: the server ends the stream at expiry with a `session` event each time.
      const t0 = Date.now();
      while (writes.length < 3 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 100));
      off();
      expect(writes.length).toBeGreaterThanOrEqual(3); // sign-in + at least two rotations
      expect(statuses.has('signed-out')).toBe(false);
      expect(core.state.get().auth.status).toBe('signed-in');
      await waitForState(core, (x) => x.link.status === 'live', 5_000, 'live again');
    } finally {
      await core.stop();
    }
  });

  it('goes offline (never "0") when the server stops, and live again when it restarts', async () => {
    const core = desktopCore(stack, 'alice');
    try {
      await core.start();
      await core.invoke('auth:sign-in', undefined);
      const live = await waitForState(core, (x) => x.link.status === 'live' && x.snapshot !== null);
      expect(tray(live).badge.dockText).toBe('3');

      await stack.stopServer();
      const offline = await waitForState(core, (x) => x.link.status === 'offline', 10_000, 'offline');
      const v = tray(offline);
      expect(v.kind).toBe('offline');
      expect(v.badge.dockText).toBe('!');
      expect(v.tooltip).toMatch(/offline since \d\d:\d\d: the badge may be out of date/);
      expect(offline.link.error).toMatch(/Cannot reach the Klaxon server|closed/);
      expect(offline.link.retryAt).not.toBeNull();

      await stack.startServer();
      const back = await waitForState(core, (x) => x.link.status === 'live', 15_000, 'live after restart');
      expect(tray(back).kind).toBe('live-unacked');
    } finally {
      await core.stop();
      if (!stack.server) await stack.startServer();
    }
  });

  it('shows stale data as stale when On-Call stops answering the server', async () => {
    const core = desktopCore(stack, 'carol');
    try {
      await core.start();
      await core.invoke('auth:sign-in', undefined);
      await waitForState(core, (x) => x.link.status === 'live' && x.snapshot !== null);
      stack.sim.control.setFaults({ errorRate: 1 });
      // The server marks its data stale after two poll intervals; the next heartbeat (or a resumed
      // stream's snapshot) carries that. Reconnect now and then to avoid waiting a full heartbeat.
      const timer = setInterval(() => core.reconnectNow(), 3_000);
      const s = await waitForState(
        core,
        // Not while a reconnect (the timer above) is under way: the tray then rightly says "connecting".
        (x) => x.link.status === 'stale' || (x.link.status === 'live' && (x.snapshot?.stale ?? false)),
        25_000,
        'stale',
      ).finally(() => clearInterval(timer));
      const v = tray(s);
      expect(v.kind).toBe('stale');
      expect(v.image.state).toBe('stale');
      expect(v.badge.dockText).toBe('!');
      stack.sim.control.setFaults({});
      await waitForState(core, (x) => x.link.status === 'live' && !(x.snapshot?.stale ?? true), 25_000, 'fresh again');
    } finally {
      stack.sim.control.setFaults({});
      await core.stop();
    }
  });
});
