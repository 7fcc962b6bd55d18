import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { createGuard } from './auth/guard.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { WebLogin } from './auth/web-login.js';
import { WebSessions } from './auth/web-session.js';
import { configWarnings, type ServerConfig } from './config/index.js';
import { DeliveryWorker } from './pages/delivery-worker.js';
import { EventStream } from './live/event-stream.js';
import { IncidentsHub } from './live/incidents-hub.js';
import { createMetrics } from './http/metrics.js';
import { OnCallClient } from './backends/splunk-oncall/client.js';
import { OnCallNowService } from './backends/splunk-oncall/on-call-now.js';
import { PageOutbox } from './pages/accept.js';
import { PageTracker } from './pages/page-tracker.js';
import { registerWebUi } from './http/web-ui.js';
import { setErrorHandlers } from './http/error-handler.js';
import { listenUrl } from './http/listen.js';
import { loggerOptions, type LogOption } from './http/logging.js';
import { addResponseHeaders } from './http/response-headers.js';
import type { Page } from '#common/index.js';
import type { KlaxonStore } from './store/store.js';
import { clientConfigRoutes } from './routes/client-config.js';
import { eventsRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { incidentsRoutes } from './routes/incidents.js';
import { meRoutes } from './routes/me.js';
import { onCallRoutes } from './routes/on-call.js';
import { pagesRoutes } from './routes/pages.js';
import { webhookRoutes } from './routes/webhook.js';

export interface AppDeps {
  config: ServerConfig;
  /** Open storage; whoever opened it closes it after the app. */
  store: KlaxonStore;
  logger?: LogOption;
}

export interface KlaxonApp {
  /** The Fastify app with every route; not listening yet. */
  app: FastifyInstance;
  hub: IncidentsHub;
  events: EventStream;
  /** Starts the background work: the incidents poll, page delivery and page tracking. */
  start(): void;
  /** Finishes (or abandons under lease) the deliveries in flight, then closes the app. */
  close(): Promise<void>;
}

/** Builds the Fastify app with every part wired; the caller listens and starts the background work. */
export async function buildApp(deps: AppDeps): Promise<KlaxonApp> {
  const { config, store } = deps;
  const metrics = createMetrics();
  const app = Fastify({ logger: loggerOptions(config, deps.logger), bodyLimit: 64 * 1024, return503OnClosing: true });
  for (const w of configWarnings(config)) app.log.warn({ config: true }, w);

  const https = (config.publicUrl ?? '').startsWith('https:');
  await app.register(fastifyCookie, { secret: config.sessionSecret || randomBytes(32).toString('base64url') });

  // One client for On-Call: its public API (incidents, who is on call, acks) and its REST endpoint
  // (alerts), each with its own timeout.
  const client = new OnCallClient({
    apiBaseUrl: config.oncall.apiBaseUrl,
    apiId: config.oncall.apiId,
    apiKey: config.oncall.apiKey,
    restEndpointBaseUrl: config.oncall.restEndpointBaseUrl,
    restEndpointKey: config.oncall.restEndpointKey,
    timeoutMs: config.oncall.timeoutMs,
    alertTimeoutMs: config.delivery.timeoutMs,
    metrics,
    logger: app.log,
  });
  const hub = new IncidentsHub({ client, config: config.oncall, metrics, logger: app.log });
  const events = new EventStream({ hub, metrics, logger: app.log });
  const oncallNow = new OnCallNowService({ client, config: config.oncall, logger: app.log });

  // Auth.
  const verifier = new JwtVerifier({
    issuer: config.oidc.issuer,
    audience: config.oidc.audience,
    algorithms: config.oidc.algorithms,
    logger: app.log,
  });
  const sessions = new WebSessions(store, https);
  const webLogin = new WebLogin({
    issuer: config.oidc.issuer,
    audience: config.oidc.audience,
    clientId: config.oidc.web.clientId,
    clientSecret: config.oidc.web.clientSecret,
    scopes: config.oidc.scopes,
    groupsClaim: config.oidc.groupsClaim,
    publicUrl: () => config.publicUrl ?? listenUrl(app),
    sessions,
    verifier,
    store,
    metrics,
    secureCookies: https,
    logger: app.log,
  });
  const groups = config.groups;
  const guard = createGuard({
    verifier,
    sessions,
    groups,
    groupsClaim: config.oidc.groupsClaim,
    metrics,
    renewSession: (s) => webLogin.renew(s),
  });

  // Pages.
  /** A page's status changed (delivery, its incident): its requester's streams hear of it. */
  const onPageChanged = (page: Page) => events.publishPage(page);
  const outbox = new PageOutbox(store, config);
  const worker = new DeliveryWorker({
    store,
    sender: client,
    incidents: hub,
    lookup: client,
    delivery: config.delivery,
    onPage: onPageChanged,
    metrics,
    logger: app.log,
  });
  const tracker = new PageTracker({
    store,
    hub,
    client,
    onPage: onPageChanged,
    intervalMs: config.oncall.pollIntervalSeconds * 1000,
    logger: app.log,
  });

  /** A page was accepted (202): its requester's streams hear of it, and the worker sends it at once. */
  function onPageAccepted(page: Page): void {
    events.publishPage(page);
    worker.kick();
  }

  addResponseHeaders(app, { https });
  setErrorHandlers(app, registerWebUi(app, config.webUi.dir));
  // Hijacked SSE sockets would keep `app.close()` waiting forever: end them first.
  app.addHook('preClose', async () => events.close());
  app.addHook('onClose', async () => hub.stop());

  await app.register(healthRoutes, { store, hub, metrics });
  await app.register(clientConfigRoutes, { config });
  await app.register(meRoutes, { guard, sessions });
  await app.register(pagesRoutes, {
    guard,
    outbox,
    store,
    metrics,
    onPageAccepted,
  });
  await app.register(incidentsRoutes, {
    guard,
    hub,
    acknowledge: { hub, oncallNow, client, serviceUser: config.oncall.ackAsUser },
  });
  await app.register(onCallRoutes, { guard, oncallNow });
  await app.register(eventsRoutes, { guard, events, store });
  await app.register(webhookRoutes, { secret: config.oncall.webhookSecret, hub, metrics });
  webLogin.register(app);

  return {
    app,
    hub,
    events,
    start() {
      hub.start();
      tracker.start();
      worker.start();
    },
    async close() {
      await worker.stop();
      await tracker.stop();
      await app.close();
    },
  };
}
