// Starts the real development identity provider, the real On-Call simulator (and, when asked, the
// real PagerDuty simulator) and a Klaxon server (in-process, or as a child process running
// server/main.ts) on loopback ports, in a temp dir.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startIdentityProvider, type IdpOptions, type RunningIdp } from '#dev/identity-provider/index.js';
import { startOnCallSimulator, type RunningSimulator, type SimulatorOptions } from '#dev/oncall-simulator/index.js';
import {
  DEMO_ROUTING_KEYS,
  DEMO_SERVICE_SRE,
  startPagerDutySimulator,
  type SimulatorOptions as PagerDutySimulatorOptions,
  type RunningPagerDutySimulator,
} from '#dev/pagerduty-simulator/index.js';
import { spawnServerProcess } from './server-process.js';
import {
  loadServerConfig,
  startKlaxonServer,
  type ServerConfigOverrides,
  type RunningServer,
  type ServerConfig,
} from '#server/index.js';

export const SESSION_SECRET = 'test-session-secret-0123456789abcdefghijklmnop';
export const WEB_SECRET = 'test-web-secret';

export interface Stack {
  idp: RunningIdp;
  sim: RunningSimulator;
  /** The PagerDuty simulator, when the stack was started with `pagerduty`. */
  pd: RunningPagerDutySimulator | null;
  dir: string;
  /** Overrides for a server config pointing at this IdP and simulator. */
  serverOverrides(extra?: ServerConfigOverrides): ServerConfigOverrides;
  /** An access token for a demo account, signed by the IdP's real key. */
  token(
    username: string,
    claims?: Record<string, unknown>,
    opts?: Parameters<RunningIdp['mintAccessToken']>[1],
  ): Promise<string>;
  close(): Promise<void>;
}

/** The PagerDuty target of a two-service stack: the demo account's SRE service. */
export const PD_TARGET = {
  id: 'pd-sre',
  label: 'SRE on PagerDuty',
  backend: 'pagerduty',
  routingKey: DEMO_ROUTING_KEYS.sre,
  service: DEMO_SERVICE_SRE,
} as const;

/**
 * `pagerduty`: also start the PagerDuty simulator; the server is then configured with one On-Call
 * target (`sre`, the default) and one PagerDuty target (`PD_TARGET`).
 */
export async function startStack(
  opts: { idp?: IdpOptions; sim?: SimulatorOptions; pagerduty?: PagerDutySimulatorOptions } = {},
): Promise<Stack> {
  const dir = mkdtempSync(path.join(tmpdir(), 'klaxon-server-'));
  const idp = await startIdentityProvider(opts.idp);
  const sim = await startOnCallSimulator({ seed: 'demo', ...opts.sim });
  const pd = opts.pagerduty ? await startPagerDutySimulator({ rateLimit: false, ...opts.pagerduty }) : null;
  return {
    idp,
    sim,
    pd,
    dir,
    serverOverrides(extra = {}) {
      const base: ServerConfigOverrides = {
        listen: { host: '127.0.0.1', port: 0 },
        oncall: {
          apiBaseUrl: sim.url,
          restEndpointBaseUrl: sim.restEndpointBaseUrl,
          apiId: sim.apiId,
          apiKey: sim.apiKey,
          restEndpointKey: sim.restEndpointKey,
          orgSlug: sim.orgSlug,
          pollIntervalSeconds: 2,
        },
        targets: [
          { id: 'sre', label: 'SRE on call', routingKey: 'sre', teams: ['team-sreKLX0000000001'], default: true },
          { id: 'platform', label: 'Platform on call', routingKey: 'platform', teams: ['team-pltKLX0000000002'] },
        ],
        oidc: {
          issuer: idp.issuer,
          audience: idp.resource,
          algorithms: ['ES256'],
          web: { clientId: 'klaxon-web', clientSecret: WEB_SECRET },
        },
        fallbackContacts: [
          { kind: 'phone', label: 'SRE emergency line', href: 'tel:+15550100' },
          { kind: 'chat', label: '#sre chat channel', href: 'https://chat.example.org/#sre' },
        ],
        storage: { sqlitePath: path.join(dir, 'klaxon.db') },
        sessionSecret: SESSION_SECRET,
        webUi: { dir: path.join(dir, 'no-ui') },
        delivery: { timeoutMs: 1000, baseDelayMs: 100, maxDelayMs: 500, giveUpAfterMinutes: 5 },
        logLevel: 'warn',
      };
      if (pd) {
        base.pagerduty = {
          apiBaseUrl: pd.url,
          eventsUrl: pd.eventsUrl,
          apiToken: pd.apiToken,
          pollIntervalSeconds: 1,
          fromEmail: 'klaxon@klaxon.test',
        };
        base.targets = [
          {
            id: 'sre',
            label: 'SRE on call',
            backend: 'oncall',
            routingKey: 'sre',
            teams: ['team-sreKLX0000000001'],
            default: true,
          },
          { ...PD_TARGET },
        ];
      }
      return deepMerge(base, extra);
    },
    async token(username, claims = {}, mintOpts) {
      const a = idp.accounts.find((x) => x.username === username);
      if (!a) throw new Error(`no demo account ${username}`);
      return idp.mintAccessToken(
        { sub: a.username, name: a.name, email: a.email, preferred_username: a.username, groups: a.groups, ...claims },
        mintOpts,
      );
    },
    async close() {
      await Promise.allSettled([idp.close(), sim.close(), pd?.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function deepMerge<T>(a: T, b: unknown): T {
  if (
    typeof a !== 'object' ||
    a === null ||
    Array.isArray(a) ||
    typeof b !== 'object' ||
    b === null ||
    Array.isArray(b)
  )
    return (b === undefined ? a : b) as T;
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b)) out[k] = deepMerge(out[k], v);
  return out as T;
}

export async function startServer(
  stack: Stack,
  extra: ServerConfigOverrides = {},
): Promise<RunningServer & { config: ServerConfig }> {
  const config = loadServerConfig({ env: {}, overrides: stack.serverOverrides(extra), warn: () => {} });
  const server = await startKlaxonServer(config, { logger: false });
  return Object.assign(server, { config });
}

/** Runs `server/main.ts` in a child process (so a test can SIGKILL it) and waits for its URL; `env` adds to the environment. */
export async function spawnServer(
  stack: Stack,
  extra: ServerConfigOverrides = {},
  env: Record<string, string> = {},
): Promise<{ url: string; child: ChildProcess; kill(signal?: NodeJS.Signals): Promise<void> }> {
  const file = path.join(stack.dir, `server-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(stack.serverOverrides(extra)));
  const { url, child } = await spawnServerProcess(file, 30_000, env);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    child,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export function randomKey(): string {
  return `key-${crypto.randomUUID()}`;
}

// Response bodies are JSON of many shapes; tests read fields directly.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export async function api(
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

/** Incidents in the simulator whose entity_id is this one. */
export function incidentsFor(sim: RunningSimulator, entityId: string): unknown[] {
  return (sim.control.incidents() as { entityId?: string }[]).filter((i) => i.entityId === entityId);
}
