// Desktop core races and refusals against the real identity provider and a scripted Klaxon server
// (the real server cannot be made to stall /me or to turn an account away mid-stream on demand).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { completeLogin, startIdentityProvider, type RunningIdp } from '#dev/identity-provider/index.js';
import { routes, type ServerEvent } from '#common/index.js';
import { createDesktopCore, type DesktopCore } from '#electron/desktop-core.js';
import { memoryTokenStore, type TokenStore } from '#electron/token-vault.js';
import { clientConfig, incident, me, snapshot } from '#test/support/builders.js';
import { waitForState } from '#test/support/desktop-stack.js';

interface Script {
  /** /me answers are held this long, or until `meTogether` of them are waiting (then all answer at once). */
  meDelayMs: number;
  meTogether?: number;
  /** What the n-th (1-based) events request gets. */
  events(n: number, res: http.ServerResponse): void;
}

let idp: RunningIdp;
let dir: string;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  idp = await startIdentityProvider();
});
afterAll(async () => {
  await idp?.close();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const frame = (e: ServerEvent) => `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
const snapshotEvent = (id: string): ServerEvent => ({
  type: 'snapshot',
  id,
  data: { incidents: snapshot([incident()]), pages: [] },
});

/** A Klaxon server that accepts any bearer token, with a slow /me and scripted event streams. */
async function scriptedServer(
  script: Script,
): Promise<{ url: string; openStreams: () => number; streams: () => number; meAsked: Promise<void> }> {
  let open = 0;
  let total = 0;
  let meAsked!: () => void;
  const meAskedPromise = new Promise<void>((r) => {
    meAsked = r;
  });
  const heldMe: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === routes.clientConfig.path) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify(
          clientConfig({
            oidc: {
              issuer: idp.issuer,
              desktopClientId: idp.desktopClientId,
              resource: idp.resource,
              scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
            },
          }),
        ),
      );
    } else if (url.pathname === routes.me.path) {
      meAsked();
      // An answered /me leaves the held list, so only requests still waiting count towards `meTogether`.
      const answer = () => {
        const i = heldMe.indexOf(answer);
        if (i >= 0) heldMe.splice(i, 1);
        if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(me()));
      };
      heldMe.push(answer);
      if (heldMe.length >= (script.meTogether ?? Infinity)) for (const a of heldMe.splice(0)) a();
      else setTimeout(answer, script.meDelayMs);
    } else if (url.pathname === routes.events.path) {
      total++;
      open++;
      res.on('close', () => {
        open--;
      });
      script.events(total, res);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    openStreams: () => open,
    streams: () => total,
    meAsked: meAskedPromise,
  };
}

const liveStream = (_n: number, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(frame(snapshotEvent('1')));
};

function core(serverUrl: string, tokenStore: TokenStore): DesktopCore {
  dir ??= mkdtempSync(path.join(os.tmpdir(), 'klaxon-races-'));
  const c = createDesktopCore({
    settings: {
      policy: { serverUrl },
      userSettingsFile: path.join(dir, `settings-${Math.random().toString(36).slice(2)}.json`),
    },
    tokenStore,
    openBrowser: async (u) => {
      await completeLogin(u, 'alice');
    },
    allowInsecureIssuer: true,
    log: () => {},
    link: { heartbeatSeconds: 15, backoff: { baseMs: 200, maxMs: 1000 } },
  });
  cleanups.push(() => c.stop());
  return c;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('desktop core: races around sign-in and sign-out', () => {
  it('a restore and a user sign-in at the same moment leave exactly one event stream open', async () => {
    // Two /me requests in flight at once are answered together: the worst case for two establish() runs.
    const server = await scriptedServer({ meDelayMs: 2500, meTogether: 2, events: liveStream });
    const store = memoryTokenStore();
    const first = core(server.url, store);
    await first.start();
    expect(await first.invoke('auth:sign-in', undefined)).toEqual({ ok: true, value: null });
    await first.stop(); // quit with a saved session
    expect(server.openStreams()).toBe(0);

    const second = core(server.url, store);
    const restoring = second.start(); // restore: refresh, then /me (slow)
    await waitForState(second, (s) => s.auth.status === 'signing-in', 10_000, 'restore started');
    const signIn = second.invoke('auth:sign-in', undefined); // the user clicks "Sign in" meanwhile
    await Promise.all([restoring, signIn]);
    await waitForState(second, (s) => s.auth.status === 'signed-in' && s.link.status === 'live', 15_000, 'live');
    await settle(300);
    expect(server.openStreams()).toBe(1);
  }, 40_000);

  it('signing out while /me is still on its way ends signed out, with no stream opened afterwards', async () => {
    const server = await scriptedServer({ meDelayMs: 1000, events: liveStream });
    const c = core(server.url, memoryTokenStore());
    await c.start();
    const signIn = c.invoke('auth:sign-in', undefined);
    await server.meAsked; // the browser finished and the tokens are kept; /me is pending
    const seen: string[] = [];
    c.state.subscribe((st) => seen.push(st.auth.status));
    expect(await c.invoke('auth:sign-out', undefined)).toEqual({ ok: true, value: null });
    await signIn;
    await settle(1200); // /me has answered by now
    expect(c.state.get().auth.status).toBe('signed-out');
    expect(seen).not.toContain('signed-in'); // not even for a moment
    expect(server.streams()).toBe(0);
    expect(c.state.get().snapshot).toBeNull();
  }, 30_000);

  it('when the server turns the account away mid-session, the incidents it sent before are no longer shown', async () => {
    const server = await scriptedServer({
      meDelayMs: 0,
      events: (n, res) => {
        if (n === 1) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(frame(snapshotEvent('1')));
          return;
        }
        res.writeHead(403, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: {
              code: 'forbidden',
              message: 'Your account may no longer see incidents.',
              requiredGroups: ['sre'],
            },
          }),
        );
      },
    });
    const c = core(server.url, memoryTokenStore());
    let shownIncidents = 0;
    c.state.subscribe((st) => {
      shownIncidents = Math.max(shownIncidents, st.snapshot?.incidents.length ?? 0);
    });
    await c.start();
    expect(await c.invoke('auth:sign-in', undefined)).toEqual({ ok: true, value: null });
    const s = await waitForState(c, (st) => st.auth.status === 'not-authorised', 15_000, 'not authorised');
    expect(s.auth).toMatchObject({ status: 'not-authorised', requiredGroups: ['sre'] });
    expect(shownIncidents).toBe(1); // it was on screen before the refusal
    expect(s.snapshot).toBeNull();
  }, 30_000);
});
