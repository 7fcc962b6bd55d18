// The real parts the desktop talks to, on loopback ports in a temp dir: the development identity
// provider, the On-Call simulator and a Klaxon server (restartable on the same port and database).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  completeLogin,
  startIdentityProvider,
  type IdpOptions,
  type RunningIdp,
} from '#dev/identity-provider/index.js';
import { startOnCallSimulator, type RunningSimulator, type SimulatorOptions } from '#dev/oncall-simulator/index.js';
import {
  loadServerConfig,
  startKlaxonServer,
  type DeepPartial,
  type RunningServer,
  type ServerConfig,
} from '#server/index.js';
import { createDesktopCore, type DesktopCore, type DesktopCoreDeps } from '#electron/desktop-core.js';
import { memoryTokenStore } from '#electron/token-vault.js';
import type { ClientState, IpcPushChannel } from '#common/index.js';
import { waitFor } from './wait-for.js';

export interface DesktopStack {
  idp: RunningIdp;
  sim: RunningSimulator;
  dir: string;
  server: RunningServer | null;
  serverUrl: string;
  startServer(extra?: DeepPartial<ServerConfig>): Promise<RunningServer>;
  stopServer(): Promise<void>;
  close(): Promise<void>;
}

export async function startDesktopStack(
  opts: { idp?: IdpOptions; sim?: SimulatorOptions; server?: DeepPartial<ServerConfig> } = {},
): Promise<DesktopStack> {
  const dir = mkdtempSync(path.join(tmpdir(), 'klaxon-desktop-'));
  const idp = await startIdentityProvider(opts.idp);
  const sim = await startOnCallSimulator({ seed: 'demo', rateLimit: false, ...opts.sim });
  let port = 0;
  const stack: DesktopStack = {
    idp,
    sim,
    dir,
    server: null,
    serverUrl: '',
    async startServer(extra = {}) {
      const overrides: DeepPartial<ServerConfig> = {
        listen: { host: '127.0.0.1', port },
        oncall: {
          apiBaseUrl: sim.url,
          restEndpointBaseUrl: sim.restEndpointBaseUrl,
          apiId: sim.apiId,
          apiKey: sim.apiKey,
          restEndpointKey: sim.restEndpointKey,
          orgSlug: sim.orgSlug,
          pollIntervalSeconds: 2,
          webhookSecret: 'desktop-test-webhook-secret',
          ...(opts.server?.oncall ?? {}),
          ...(extra.oncall ?? {}),
        },
        targets: [
          {
            id: 'sre',
            label: 'SRE on call',
            description: null,
            routingKey: 'sre',
            teams: ['team-sreKLX0000000001'],
            default: true,
          },
        ],
        oidc: { issuer: idp.issuer, audience: idp.resource, algorithms: ['ES256'] },
        fallbackContacts: [{ kind: 'phone', label: 'SRE emergency line', href: 'tel:+15550100' }],
        storage: { sqlitePath: path.join(dir, 'klaxon.db') },
        sessionSecret: 'desktop-test-session-secret-0123456789abcdef',
        webUi: { dir: path.join(dir, 'no-ui') },
        delivery: { timeoutMs: 1000, baseDelayMs: 100, maxDelayMs: 500, giveUpAfterMinutes: 5 },
        logLevel: 'silent',
      };
      const config = loadServerConfig({ env: {}, overrides, warn: () => {} });
      const server = await startKlaxonServer(config, { logger: false });
      stack.server = server;
      stack.serverUrl = server.url;
      port = Number(new URL(server.url).port); // a restart comes back on the same address
      return server;
    },
    async stopServer() {
      await stack.server?.close();
      stack.server = null;
    },
    async close() {
      await stack.server?.close().catch(() => {});
      await Promise.allSettled([idp.close(), sim.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** A desktop core pointed at the stack, with `completeLogin` as the system browser. */
export function desktopCore(
  stack: DesktopStack,
  username: string,
  extra: Partial<DesktopCoreDeps> = {},
): DesktopCore & {
  pushes: { channel: IpcPushChannel; payload: unknown }[];
  notifications: { title: string; body: string }[];
} {
  const pushes: { channel: IpcPushChannel; payload: unknown }[] = [];
  const notifications: { title: string; body: string }[] = [];
  const core = createDesktopCore({
    settings: {
      policy: { serverUrl: stack.serverUrl },
      userSettingsFile: path.join(stack.dir, `settings-${username}-${Math.random().toString(36).slice(2)}.json`),
    },
    tokenStore: memoryTokenStore(),
    openBrowser: async (url) => {
      await completeLogin(url, username);
    },
    notify: (n) => notifications.push(n),
    allowInsecureIssuer: true,
    log: () => {},
    link: { heartbeatSeconds: 15, backoff: { baseMs: 200, maxMs: 1000 } },
    ...extra,
  });
  core.subscribe((channel, payload) => pushes.push({ channel, payload }));
  return Object.assign(core, { pushes, notifications });
}

/** Waits until the core's state satisfies `pred` (polling the one state object). */
export async function waitForState(
  core: DesktopCore,
  pred: (s: ClientState) => boolean,
  timeoutMs = 15_000,
  what = 'state',
): Promise<ClientState> {
  const last = () => {
    const s = core.state.get();
    return JSON.stringify({ auth: s.auth.status, link: s.link, n: s.snapshot?.incidents.length });
  };
  return waitFor(
    what,
    () => {
      const s = core.state.get();
      if (pred(s)) return s;
      throw new Error(`last state: ${last()}`);
    },
    timeoutMs,
  );
}
