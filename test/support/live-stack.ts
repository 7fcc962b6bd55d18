// The real Klaxon app (buildApp) over the real On-Call simulator, with requests authenticated from
// test headers instead of tokens, listening on a loopback port: for route-level tests of incidents,
// who is on call, acknowledgements, the webhook and the event stream. Full-stack auth against the
// real identity provider is tested through server-stack.ts.
import type { Page } from '#common/index.js';
import { startOnCallSimulator, type RunningSimulator, type SimulatorOptions } from '#dev/oncall-simulator/index.js';
import { buildApp, type KlaxonApp } from '#server/app.js';
import type { Authenticate } from '#server/auth/guard.js';
import type { Viewer } from '#server/auth/viewer.js';
import { loadServerConfig, type ServerConfigOverrides } from '#server/config/index.js';
import { HttpError } from '#server/http/errors.js';
import type { EventStreamTuning } from '#server/live/event-stream.js';
import type { Logger } from '#server/runtime/logger.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import type { KlaxonStore } from '#server/store/store.js';
import { waitFor } from './wait-for.js';

/** Records log lines so tests can assert that failures were logged. */
export class RecordingLogger implements Logger {
  lines: { level: string; obj: object; msg: string }[] = [];
  debug(obj: object, msg: string) {
    this.lines.push({ level: 'debug', obj, msg });
  }
  info(obj: object, msg: string) {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg: string) {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg: string) {
    this.lines.push({ level: 'error', obj, msg });
  }
  warnings(): string[] {
    return this.lines.filter((l) => l.level === 'warn').map((l) => `${l.msg} ${JSON.stringify(l.obj)}`);
  }
}

/**
 * The viewer from test headers (`x-test-sub`, `x-test-name`, `x-test-username`, `x-test-perms`,
 * `x-test-expires-in-ms`); no `x-test-sub` is a 401. The app's own guard then checks permissions.
 */
export const viewerFromTestHeaders: Authenticate = async (req) => {
  const sub = req.headers['x-test-sub'];
  if (typeof sub !== 'string') throw new HttpError(401, 'unauthorized', 'no test viewer');
  const perms = String(req.headers['x-test-perms'] ?? 'view,page,acknowledge').split(',');
  const expiresIn = req.headers['x-test-expires-in-ms'];
  const viewer: Viewer = {
    sub,
    name: String(req.headers['x-test-name'] ?? sub),
    email: null,
    groups: [],
    username: typeof req.headers['x-test-username'] === 'string' ? req.headers['x-test-username'] : null,
    permissions: {
      view: perms.includes('view'),
      page: perms.includes('page'),
      acknowledge: perms.includes('acknowledge'),
    },
    expiresAt: typeof expiresIn === 'string' ? new Date(Date.now() + Number(expiresIn)) : null,
    via: 'bearer',
    client: 'desktop',
  };
  return viewer;
};

export interface LiveStack {
  sim: RunningSimulator;
  url: string;
  hub: KlaxonApp['hub'];
  events: KlaxonApp['events'];
  targets: KlaxonApp['targets'];
  /** The pages each person's event stream starts with (by sub). */
  pages: Map<string, Page[]>;
  /** Runs while the events route loads a viewer's pages (to test what happens in between). */
  duringPagesFor: ((sub: string) => void) | null;
  close(): Promise<void>;
}

export async function startLiveStack(
  opts: {
    sim?: SimulatorOptions;
    hub?: { pollIntervalSeconds?: number };
    events?: EventStreamTuning;
    webhookSecret?: string | null;
    ackAsUser?: string | null;
    timeoutMs?: number;
    /** Page targets (default: one, `sre`); the target check and the dialog's look-ups use them. */
    targets?: ServerConfigOverrides['targets'];
  } = {},
): Promise<LiveStack> {
  const sim = await startOnCallSimulator({ log: false, ...opts.sim });
  const config = loadServerConfig({
    env: {},
    warn: () => {},
    overrides: {
      listen: { host: '127.0.0.1', port: 0 },
      oncall: {
        apiBaseUrl: sim.url,
        restEndpointBaseUrl: sim.restEndpointBaseUrl,
        apiId: sim.apiId,
        apiKey: sim.apiKey,
        restEndpointKey: sim.restEndpointKey,
        orgSlug: sim.orgSlug,
        pollIntervalSeconds: opts.hub?.pollIntervalSeconds ?? 10,
        recentWindowMinutes: 60,
        timeZones: { carol: 'Europe/Berlin', dmitri: 'America/New_York' },
        webhookSecret: opts.webhookSecret ?? null,
        ackAsUser: opts.ackAsUser ?? null,
        timeoutMs: opts.timeoutMs ?? 2000,
      },
      ...(opts.targets ? { targets: opts.targets } : {}),
      // Never contacted: requests are authenticated from test headers.
      oidc: { issuer: 'http://127.0.0.1:9/', audience: 'klaxon-test' },
      storage: { sqlitePath: ':memory:' },
      webUi: { dir: '/nonexistent/klaxon-ui' },
    },
  });
  const pages = new Map<string, Page[]>();
  // eslint-disable-next-line prefer-const -- assigned once the app it is read from is running
  let stack: LiveStack;
  const sqlite = new SqliteStore(':memory:');
  // The pages a stream starts with come from `pages`, loaded with a turn of the event loop in between.
  const store = new Proxy(sqlite, {
    get(target, key, receiver) {
      if (key === 'pagesOf')
        return async (sub: string) => {
          const list = pages.get(sub) ?? [];
          await new Promise((r) => setImmediate(r));
          stack.duringPagesFor?.(sub);
          return list;
        };
      const v: unknown = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as KlaxonStore;
  const klaxon = await buildApp({
    config,
    store,
    authenticate: viewerFromTestHeaders,
    ...(opts.events ? { eventStream: opts.events } : {}),
    logger: false,
  });
  const url = await klaxon.app.listen({ host: '127.0.0.1', port: 0 });
  klaxon.start();
  await waitFor('the first good poll', () => klaxon.hub.status().lastSuccessAt !== null, 10_000);
  stack = {
    sim,
    url,
    hub: klaxon.hub,
    events: klaxon.events,
    targets: klaxon.targets,
    pages,
    duringPagesFor: null,
    async close() {
      await klaxon.close();
      await sqlite.close();
      await sim.close();
    },
  };
  return stack;
}

export const viewerHeaders = (sub: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'x-test-sub': sub,
  ...extra,
});
