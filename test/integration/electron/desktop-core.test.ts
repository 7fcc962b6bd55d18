// Klaxon desktop's core end to end under Node: real IdP (completeLogin as the browser), real
// simulator, real Klaxon server. What the tray and the renderer see is asserted through the one state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countIncidents, type Page } from '#common/index.js';
import { trayView } from '#electron/tray.js';
import { memoryTokenStore } from '#electron/token-vault.js';
import { desktopCore, startDesktopStack, waitForState, type DesktopStack } from '#test/support/desktop-stack.js';

let stack: DesktopStack;
beforeAll(async () => {
  stack = await startDesktopStack();
  await stack.startServer();
});
afterAll(async () => {
  await stack?.close();
});

const tray = (s: Parameters<typeof trayView>[0]) => trayView(s, { platform: 'linux', theme: 'light', now: new Date() });

describe('desktop core against the real server', () => {
  it('starts signed out, signs in through the browser, and shows live incidents', async () => {
    const core = desktopCore(stack, 'alice');
    try {
      await core.start();
      expect(core.state.get().auth).toEqual({ status: 'signed-out', message: null });
      expect(core.state.get().config?.oidc.issuer).toBe(stack.idp.issuer);
      expect(tray(core.state.get()).kind).toBe('signed-out');

      expect(await core.invoke('auth:sign-in', undefined)).toEqual({ ok: true, value: null });
      const s = await waitForState(
        core,
        (x) => x.link.status === 'live' && x.snapshot !== null,
        15_000,
        'live snapshot',
      );
      expect(s.auth.status === 'signed-in' && s.auth.me.user.name).toBe('Alice Andersen');
      // The realistic demo org: one acknowledged incident, one paging carol, one paging nobody.
      expect(countIncidents(s.snapshot!.incidents)).toMatchObject({ open: 3, unacked: 2, unackedNobodyPaged: 1 });
      const v = tray(s);
      expect(v.kind).toBe('live-unacked');
      expect(v.tooltip).toMatch(/^Klaxon — 3 open incidents, 2 not acknowledged · updated \d+ s ago$/);
      expect(core.pushes.some((p) => p.channel === 'state:changed')).toBe(true);
    } finally {
      await core.stop();
    }
  });

  it('follows an acknowledgement made in On-Call, and notifies SRE about a new incident (not the ones it started with)', async () => {
    stack.sim.control.reset('demo');
    const core = desktopCore(stack, 'alice');
    try {
      await core.start();
      await core.invoke('auth:sign-in', undefined);
      const s0 = await waitForState(core, (x) => x.link.status === 'live' && x.snapshot !== null);
      for (const unacked of s0.snapshot!.incidents.filter((i) => i.phase === 'UNACKED'))
        stack.sim.control.ack(unacked.number, 'carol');
      await waitForState(
        core,
        (x) => countIncidents(x.snapshot?.incidents ?? []).unacked === 0,
        15_000,
        'the ack to arrive',
      );
      expect(tray(core.state.get()).kind).toBe('live-acked');
      expect(core.notifications).toEqual([]);

      const number = stack.sim.control.createIncident({ title: 'Payments API down', routingKey: 'sre' });
      await waitForState(
        core,
        (x) => x.snapshot?.incidents.some((i) => i.number === number) ?? false,
        15_000,
        'the new incident',
      );
      await waitForState(core, () => core.notifications.length > 0, 5_000, 'a notification');
      expect(core.notifications[0]).toMatchObject({
        title: `New incident #${number}, not acknowledged`,
        incidentNumber: number,
      });
    } finally {
      await core.stop();
    }
  });

  it('validates every IPC payload and answers with the field at fault', async () => {
    const core = desktopCore(stack, 'alice');
    try {
      await core.start();
      expect(await core.invoke('pages:create', { summary: '', idempotencyKey: 'short' })).toMatchObject({
        ok: false,
        error: { code: 'invalid_request', field: 'summary' },
      });
      expect(
        await core.invoke('pages:create', { summary: 'x', idempotencyKey: 'key-1234567890abcdef', admin: true }),
      ).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'admin' } });
      expect(await core.invoke('state:get', { sneaky: 1 })).toMatchObject({
        ok: false,
        error: { code: 'invalid_request' },
      });
      expect(await core.invoke('incidents:ack', { number: '12; rm -rf' })).toMatchObject({
        ok: false,
        error: { code: 'invalid_request', field: 'number' },
      });
      expect(await core.invoke('nope:nothing' as never, undefined)).toMatchObject({
        ok: false,
        error: { code: 'invalid_request', field: 'channel' },
      });
      expect(await core.invoke('shell:open-external', { url: 'https://evil.example.org/' })).toMatchObject({
        ok: false,
        error: { code: 'forbidden', field: 'url' },
      });
      expect(
        await core.invoke('pages:create', { summary: 'Checkout down', idempotencyKey: 'key-1234567890abcdef' }),
      ).toMatchObject({ ok: false, error: { code: 'unauthorized', message: 'Sign in to Klaxon first.' } });
    } finally {
      await core.stop();
    }
  });

  it('sends a page and follows it: 202, page:updated pushes, delivered, and a notification', async () => {
    const core = desktopCore(stack, 'bob');
    try {
      await core.start();
      await core.invoke('auth:sign-in', undefined);
      await waitForState(core, (x) => x.link.status === 'live');
      const key = `desktop-${crypto.randomUUID()}`;
      const r = await core.invoke('pages:create', {
        summary: 'Checkout is failing for EU customers',
        details: 'Since 12:00',
        idempotencyKey: key,
      });
      expect(r.ok).toBe(true);
      const page = (r as { ok: true; value: Page }).value;
      expect(page).toMatchObject({
        summary: 'Checkout is failing for EU customers',
        client: 'desktop',
        requester: { sub: 'bob' },
      });
      const again = await core.invoke('pages:create', {
        summary: 'Checkout is failing for EU customers',
        details: 'Since 12:00',
        idempotencyKey: key,
      });
      expect(again.ok && (again.value as Page).id).toBe(page.id); // retried request, same page
      const t0 = Date.now();
      while (
        !core.pushes.some(
          (p) =>
            p.channel === 'page:updated' &&
            (p.payload as Page).id === page.id &&
            (p.payload as Page).status === 'delivered',
        )
      ) {
        if (Date.now() - t0 > 15_000)
          throw new Error(
            `page never delivered: ${JSON.stringify(core.pushes.filter((p) => p.channel === 'page:updated').map((p) => (p.payload as Page).status))}`,
          );
        await new Promise((res) => setTimeout(res, 50));
      }
      await waitForState(
        core,
        () => core.notifications.some((n) => n.title === 'Your page reached On-Call'),
        5_000,
        'delivery notification',
      );
      const mine = await core.invoke('pages:mine', undefined);
      expect(mine.ok && (mine.value as Page[]).some((p) => p.id === page.id)).toBe(true);
    } finally {
      await core.stop();
    }
  });

  it('a user without an allowed group is told which groups to ask for', async () => {
    const core = desktopCore(stack, 'eve');
    try {
      await core.start();
      await core.invoke('auth:sign-in', undefined);
      const s = await waitForState(core, (x) => x.auth.status === 'not-authorised');
      expect(s.auth.status === 'not-authorised' && s.auth.requiredGroups).toEqual(
        expect.arrayContaining(['staff', 'sre']),
      );
      expect(s.auth.status === 'not-authorised' && s.auth.message).toMatch(
        /You are signed in as Eve Evans, but your account is not in a group allowed to use Klaxon. Ask for membership of: staff or sre./,
      );
      expect(tray(s).kind).toBe('not-authorised');
      expect(await core.invoke('oncall:get', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    } finally {
      await core.stop();
    }
  });

  it('restores a saved session without the browser, and sign-out revokes it', async () => {
    const tokenStore = memoryTokenStore();
    let browserOpened = 0;
    const first = desktopCore(stack, 'carol', {
      tokenStore,
      openBrowser: async (u) => {
        browserOpened++;
        const { completeLogin } = await import('#dev/identity-provider/index.js');
        await completeLogin(u, 'carol');
      },
    });
    await first.start();
    await first.invoke('auth:sign-in', undefined);
    await waitForState(first, (x) => x.link.status === 'live');
    await first.stop();
    const rt = await tokenStore.get();
    expect(rt).toBeTruthy();

    const second = desktopCore(stack, 'carol', {
      tokenStore,
      openBrowser: async () => {
        browserOpened++;
      },
    });
    try {
      await second.start();
      await waitForState(second, (x) => x.auth.status === 'signed-in' && x.link.status === 'live');
      expect(browserOpened).toBe(1);
      expect(await second.invoke('auth:sign-out', undefined)).toEqual({ ok: true, value: null });
      const s = second.state.get();
      expect(s.auth).toEqual({ status: 'signed-out', message: null });
      expect(s.snapshot).toBeNull();
      expect(await tokenStore.get()).toBeNull();
      expect(tray(s).kind).toBe('signed-out');
    } finally {
      await second.stop();
    }
  });

  it('a saved session the IdP no longer accepts ends with a message, not a crash', async () => {
    const tokenStore = memoryTokenStore();
    await tokenStore.set('a-refresh-token-the-idp-never-issued');
    const core = desktopCore(stack, 'alice', { tokenStore });
    try {
      await core.start();
      const s = await waitForState(core, (x) => x.auth.status === 'signed-out' && x.auth.message !== null);
      expect(s.auth.status === 'signed-out' && s.auth.message).toMatch(/session has ended.*Sign in again/);
      expect(await tokenStore.get()).toBeNull();
    } finally {
      await core.stop();
    }
  });

  it('changing the server in Settings (confirmed in the dialog) reconnects to the new one', async () => {
    const { createDesktopCore } = await import('#electron/desktop-core.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-switch-'));
    const core = createDesktopCore({
      settings: { policy: {}, userSettingsFile: path.join(dir, 's.json') },
      tokenStore: memoryTokenStore(),
      openBrowser: async () => {},
      allowInsecureIssuer: true,
      confirmServerChange: async () => true,
      log: () => {},
    });
    try {
      await core.invoke('settings:set', { serverUrl: 'http://127.0.0.1:9' });
      await core.start();
      expect(core.state.get().link.status).toBe('offline');
      const r = await core.invoke('settings:set', { serverUrl: stack.serverUrl });
      expect(r.ok).toBe(true);
      const s = await waitForState(core, (x) => x.config !== null && x.serverUrl === stack.serverUrl);
      expect(s.config?.oidc.issuer).toBe(stack.idp.issuer);
      expect(s.auth.status).toBe('signed-out');
    } finally {
      await core.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
