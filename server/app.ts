import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Page } from '#common/index.js';
import { createAuthenticator, createGuard, type Authenticate, type Guard } from './auth/guard.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { WebLogin } from './auth/web-login.js';
import { WebSessions } from './auth/web-session.js';
import { createPagingBackend } from './backends/configured-backend.js';
import type { PagingBackend } from './backends/paging-backend.js';
import { configWarnings, type ServerConfig } from './config/index.js';
import { createEscalation, type Escalation } from './escalation/escalation.js';
import { setErrorHandlers } from './http/error-handler.js';
import { listenUrl } from './http/listen.js';
import { loggerOptions, type LogOption } from './http/logging.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { addResponseHeaders } from './http/response-headers.js';
import { registerWebUi } from './http/web-ui.js';
import { EventStream, type EventStreamTuning } from './live/event-stream.js';
import { IncidentPresenter } from './live/incident-presenter.js';
import { IncidentsHub } from './live/incidents-hub.js';
import { PageOutbox } from './pages/accept.js';
import { DeliveryWorker } from './pages/delivery-worker.js';
import { PageTracker } from './pages/page-tracker.js';
import { clientConfigRoutes } from './routes/client-config.js';
import { eventsRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { incidentsRoutes } from './routes/incidents.js';
import { meRoutes } from './routes/me.js';
import { onCallRoutes } from './routes/on-call.js';
import { pageEscalationRoutes } from './routes/page-escalation.js';
import { pagesRoutes } from './routes/pages.js';
import { webhookRoutes } from './routes/webhook.js';
import type { Leadership } from './runtime/leadership.js';
import { auditEntry } from './store/audit-entry.js';
import type { KlaxonAck, KlaxonStore } from './store/store.js';

export interface AppDeps {
  config: ServerConfig;
  /** Open storage; whoever opened it closes it after the app. */
  store: KlaxonStore;
  /** The paging service; default: the one the configuration describes. */
  backend?: PagingBackend;
  /** Who makes a request; default: bearer token or web session (auth/guard.ts). Tests pass their own. */
  authenticate?: Authenticate;
  /** Event-stream timings and limits; the defaults suit production, tests shorten them. */
  eventStream?: EventStreamTuning;
  logger?: LogOption;
  /** Whether singleton work (the escalator) runs in this process; default: always (one server). */
  leadership?: Leadership;
}

export interface KlaxonApp {
  /** The Fastify app with every route; not listening yet. */
  app: FastifyInstance;
  hub: IncidentsHub;
  events: EventStream;
  escalation: Escalation;
  /** Starts the background work: the incidents poll, page delivery and page tracking. */
  start(): void;
  /** Finishes (or abandons under lease) the deliveries in flight, then closes the app. */
  close(): Promise<void>;
}

/**
 * Builds the Fastify app with every part wired: the paging backend, the incidents hub and its
 * event stream, auth, the page outbox with its delivery worker and tracker, and one plugin per
 * route resource. Does not listen (see start.ts), so tests can `inject` into it or listen themselves.
 */
export async function buildApp(deps: AppDeps): Promise<KlaxonApp> {
  const { config, store } = deps;
  const metrics = createMetrics();
  const app = Fastify({ logger: loggerOptions(config, deps.logger), bodyLimit: 64 * 1024, return503OnClosing: true });
  for (const w of configWarnings(config)) app.log.warn({ config: true }, w);
  const https = (config.publicUrl ?? '').startsWith('https:');
  await app.register(fastifyCookie, { secret: config.sessionSecret || randomBytes(32).toString('base64url') });

  const backend = deps.backend ?? createPagingBackend(config, { metrics, logger: app.log });
  const presenter = new IncidentPresenter({ backend, store, logger: app.log });
  const hub = new IncidentsHub({ backend, config: config.oncall, metrics, logger: app.log, presenter });
  const escalation = createEscalation({
    config,
    store,
    backend,
    hub,
    presenter,
    metrics,
    logger: app.log,
    ...(deps.leadership ? { leadership: deps.leadership } : {}),
  });
  /** An acknowledgement made in Klaxon: kept (with its audit entry), then shown on the incident at once. */
  async function recordAck(ack: KlaxonAck): Promise<void> {
    const who = { sub: ack.personSub, name: ack.personName };
    await store.recordAcknowledgement(
      ack,
      auditEntry('incident.acknowledge', who, { incident: ack.incidentNumber, sentAs: ack.sentAs }),
    );
    presenter.noteAck(ack);
  }
  const events = new EventStream({ hub, metrics, logger: app.log, ...deps.eventStream });
  const { guard, sessions, webLogin } = auth(app, deps, metrics, https);

  /** A page's status changed (delivery, its incident): its requester's streams hear of it. */
  const onPageChanged = (page: Page) => events.publishPage(page);
  const outbox = new PageOutbox(store, config);
  const worker = new DeliveryWorker({
    store,
    backend,
    incidents: hub,
    delivery: config.delivery,
    onPage: onPageChanged,
    metrics,
    logger: app.log,
  });
  const tracker = new PageTracker({
    store,
    hub,
    backend,
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
  await app.register(clientConfigRoutes, {
    config,
    // Just after start the policy is still being looked up: wait for it briefly rather than offer nothing.
    escalationOffer: async () => {
      await escalation.target.settled(3000);
      return escalation.target.offer();
    },
  });
  await app.register(meRoutes, { guard, sessions });
  await app.register(pagesRoutes, { guard, outbox, store, metrics, onPageAccepted });
  await app.register(incidentsRoutes, {
    guard,
    hub,
    acknowledge: { hub, backend, serviceUser: config.oncall.ackAsUser, recordAck },
  });
  await app.register(pageEscalationRoutes, { guard, escalateNow: escalation.escalateNow });
  await app.register(onCallRoutes, { guard, backend });
  await app.register(eventsRoutes, { guard, events, store });
  await app.register(webhookRoutes, { secret: config.oncall.webhookSecret, hub, backend, metrics });
  webLogin.register(app);

  return {
    app,
    hub,
    events,
    escalation,
    start() {
      void presenter.load();
      hub.start();
      tracker.start();
      worker.start();
      escalation.start();
    },
    async close() {
      await escalation.stop();
      await worker.stop();
      await tracker.stop();
      await app.close();
    },
  };
}

/** Token checks, browser sessions and sign-in, and the guard routes use. */
function auth(
  app: FastifyInstance,
  deps: AppDeps,
  metrics: Metrics,
  https: boolean,
): { guard: Guard; sessions: WebSessions; webLogin: WebLogin } {
  const { config, store } = deps;
  const { oidc } = config;
  const verifier = new JwtVerifier({
    issuer: oidc.issuer,
    audience: oidc.audience,
    algorithms: oidc.algorithms,
    logger: app.log,
  });
  const sessions = new WebSessions(store, https);
  const webLogin = new WebLogin({
    issuer: oidc.issuer,
    audience: oidc.audience,
    clientId: oidc.web.clientId,
    clientSecret: oidc.web.clientSecret,
    scopes: oidc.scopes,
    groupsClaim: oidc.groupsClaim,
    // Without a configured public URL, browsers come back to the address the server listens on.
    publicUrl: () => config.publicUrl ?? listenUrl(app),
    sessions,
    verifier,
    store,
    metrics,
    secureCookies: https,
    logger: app.log,
  });
  const authenticate =
    deps.authenticate ??
    createAuthenticator({
      verifier,
      sessions,
      groups: config.groups,
      groupsClaim: oidc.groupsClaim,
      metrics,
      renewSession: (s) => webLogin.renew(s),
    });
  return { guard: createGuard({ authenticate, groups: config.groups, metrics }), sessions, webLogin };
}
