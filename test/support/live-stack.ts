import Fastify, { type FastifyInstance } from 'fastify';
import type { Page } from '#common/index.js';
import { startOnCallSimulator, type RunningSimulator, type SimulatorOptions } from '#dev/oncall-simulator/index.js';
import { EventStream, type EventStreamOptions } from '#server/live/event-stream.js';
import { IncidentsHub, type HubConfig } from '#server/live/incidents-hub.js';
import { incidentsRoutes } from '#server/routes/incidents.js';
import { onCallRoutes } from '#server/routes/on-call.js';
import { eventsRoutes } from '#server/routes/events.js';
import { webhookRoutes } from '#server/routes/webhook.js';
import type { Guard } from '#server/auth/guard.js';
import { HttpError } from '#server/http/errors.js';
import { setErrorHandlers } from '#server/http/error-handler.js';
import type { Logger } from '#server/runtime/logger.js';
import { createMetrics, type Metrics } from '#server/http/metrics.js';
import { OnCallClient } from '#server/backends/splunk-oncall/client.js';
import { OnCallNowService } from '#server/backends/splunk-oncall/on-call-now.js';
import type { Viewer } from '#server/auth/viewer.js';

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
 * Stand-in for core's auth guard in these route-level tests: the viewer comes from test headers
 * (`x-test-sub`, `x-test-username`, `x-test-perms`, `x-test-expires-in-ms`). Full-stack auth is
 * tested by core against the real identity provider.
 */
export const testGuard: Guard = (p) => {
  return async (req) => {
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
    if (p !== 'user' && !viewer.permissions[p]) throw new HttpError(403, 'forbidden', `needs ${p}`);
    req.viewer = viewer;
  };
};

export interface LiveStack {
  sim: RunningSimulator;
  app: FastifyInstance;
  url: string;
  client: OnCallClient;
  hub: IncidentsHub;
  events: EventStream;
  oncallNow: OnCallNowService;
  metrics: Metrics;
  logger: RecordingLogger;
  pages: Map<string, Page[]>;
  /** Runs while the route loads a viewer's pages (to test what happens in between). */
  duringPagesFor: ((sub: string) => void) | null;
  close(): Promise<void>;
}

export async function startLiveStack(
  opts: {
    sim?: SimulatorOptions;
    hub?: Partial<HubConfig>;
    events?: Partial<EventStreamOptions>;
    webhookSecret?: string | null;
    ackAsUser?: string | null;
    timeoutMs?: number;
    startHub?: boolean;
  } = {},
): Promise<LiveStack> {
  const sim = await startOnCallSimulator({ log: false, ...opts.sim });
  const metrics = createMetrics();
  const logger = new RecordingLogger();
  const client = new OnCallClient({
    apiBaseUrl: sim.url,
    apiId: sim.apiId,
    apiKey: sim.apiKey,
    restEndpointBaseUrl: sim.restEndpointBaseUrl,
    restEndpointKey: sim.restEndpointKey,
    timeoutMs: opts.timeoutMs ?? 2000,
    alertTimeoutMs: opts.timeoutMs ?? 2000,
    metrics,
    logger,
  });
  const hub = new IncidentsHub({
    client,
    metrics,
    logger,
    config: { pollIntervalSeconds: 10, recentWindowMinutes: 60, teams: [], orgSlug: sim.orgSlug, ...opts.hub },
  });
  const events = new EventStream({ hub, metrics, logger, ...opts.events });
  const oncallNow = new OnCallNowService({
    client,
    logger,
    config: { teams: [], timeZones: { carol: 'Europe/Berlin', dmitri: 'America/New_York' } },
  });
  const pages = new Map<string, Page[]>();
  const app = Fastify({ logger: false });
  setErrorHandlers(app, { notFound: () => null });
  // eslint-disable-next-line prefer-const -- assigned after the routes that read it are registered
  let stack: LiveStack;
  const guard = testGuard;
  await app.register(incidentsRoutes, {
    guard,
    hub,
    acknowledge: { hub, oncallNow, client, serviceUser: opts.ackAsUser ?? null },
  });
  await app.register(onCallRoutes, { guard, oncallNow });
  const store = {
    pagesOf: async (sub: string) => {
      const list = pages.get(sub) ?? [];
      await new Promise((r) => setImmediate(r));
      stack.duringPagesFor?.(sub);
      return list;
    },
  };
  await app.register(eventsRoutes, { guard, events, store });
  await app.register(webhookRoutes, { secret: opts.webhookSecret ?? null, hub, metrics });
  app.addHook('preClose', async () => events.close());
  app.addHook('onClose', async () => hub.stop());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  if (opts.startHub !== false) {
    hub.start();
    await waitFor(() => hub.status().lastSuccessAt !== null, 10_000);
  }
  stack = {
    sim,
    app,
    url,
    client,
    hub,
    events,
    oncallNow,
    metrics,
    logger,
    pages,
    duringPagesFor: null,
    async close() {
      await app.close();
      await sim.close();
    },
  };
  return stack;
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const viewerHeaders = (sub: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'x-test-sub': sub,
  ...extra,
});
