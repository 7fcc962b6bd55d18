import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { parseSentryDsn, type Incident, type IncidentBackend, type Page } from '#common/index.js';
import { createAuthenticator, createGuard, type Authenticate, type Guard } from './auth/guard.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { WebLogin } from './auth/web-login.js';
import { WebSessions } from './auth/web-session.js';
import { startAuditRetention } from './audit/audit-retention.js';
import { Announcer } from './chat/announcer.js';
import { ChatWorker } from './chat/chat-worker.js';
import { configuredChannels } from './chat/configured-channels.js';
import type { PagingBackend } from './backends/paging-backend.js';
import { createPagingServices } from './backends/paging-services.js';
import { configWarnings, type ServerConfig } from './config/index.js';
import { createEscalation, type Escalation } from './escalation/escalation.js';
import { setErrorHandlers } from './http/error-handler.js';
import { registerCompression } from './http/compression.js';
import { registerJsonBodyParser } from './http/json-body.js';
import { listenUrl } from './http/listen.js';
import { loggerOptions, type LogOption } from './http/logging.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { addResponseHeaders } from './http/response-headers.js';
import { contentSecurityPolicy, registerWebUi } from './http/web-ui.js';
import { EventStream, type EventStreamTuning } from './live/event-stream.js';
import { IncidentPresenter } from './live/incident-presenter.js';
import { IncidentsHub } from './live/incidents-hub.js';
import { IncidentsView, type IncidentSource, type ShownIncidents } from './live/incidents-view.js';
import { PageOutbox } from './pages/accept.js';
import { DeliveryWorker } from './pages/delivery-worker.js';
import { PageTracker } from './pages/page-tracker.js';
import { auditRoutes } from './routes/audit.js';
import { clientConfigRoutes } from './routes/client-config.js';
import { eventsRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { incidentsRoutes } from './routes/incidents.js';
import { meRoutes } from './routes/me.js';
import { onCallRoutes } from './routes/on-call.js';
import { pageEscalationRoutes } from './routes/page-escalation.js';
import { pagesRoutes } from './routes/pages.js';
import { webhookRoutes } from './routes/webhook.js';
import { ClusterNode } from './cluster/cluster-node.js';
import { SoloLeadership, type Leadership } from './cluster/leadership.js';
import { type Clock, systemClock } from './runtime/clock.js';
import { noErrorReports, type ErrorReporter } from './runtime/error-reports.js';
import { auditEntry } from './store/audit-entry.js';
import type { KlaxonAck, KlaxonStore } from './store/store.js';
import { TargetStatus } from './targets/target-status.js';
import { TargetStatusSet } from './targets/target-status-set.js';

export interface AppDeps {
  config: ServerConfig;
  /** Open storage; whoever opened it closes it after the app. */
  store: KlaxonStore;
  /** The On-Call backend; default: the one the configuration describes. Tests pass their own. */
  backend?: PagingBackend;
  /** Backends by service, for tests that replace another service's too. */
  backends?: Partial<Record<IncidentBackend, PagingBackend>>;
  /** Who makes a request; default: bearer token or web session (auth/guard.ts). Tests pass their own. */
  authenticate?: Authenticate;
  /** Event-stream timings and limits; the defaults suit production, tests shorten them. */
  eventStream?: EventStreamTuning;
  /** This replica's name among several (`/readyz`, metrics); default `<host>/<pid>`. */
  replicaName?: string;
  logger?: LogOption;
  /** The time the audit retention and the access review go by; tests pass a ManualClock. */
  clock?: Clock;
  /** Where unexpected failures are reported (runtime/error-reports.ts); default: nowhere. */
  errorReports?: ErrorReporter;
  /** Whether singleton work (the escalator) runs in this process; default: always (one server). */
  leadership?: Leadership;
}

export interface KlaxonApp {
  /** The Fastify app with every route; not listening yet. */
  app: FastifyInstance;
  /** `/metrics`, `/readyz` and `/healthz` on `metrics.listen`; null when that is not set. */
  operatorApp: FastifyInstance | null;
  /** The incidents as this server shows them: every paging service's poll, or (several replicas) the shared view. */
  hub: ShownIncidents;
  events: EventStream;
  leadership: Leadership;
  /**
   * Reads the identity provider's discovery document: `mismatch` is the issuer it names when that
   * is not `oidc.issuer`; `unreachable` says why it could not be read (tokens are checked once it answers).
   */
  checkIdentityProvider(): Promise<{ mismatch: string | null; unreachable: string | null }>;
  /** The configured page targets as the paging service sees them (checked at start and on an interval). */
  targets: TargetStatus | TargetStatusSet;
  /**
   * Chat announcements (server/chat/): `announce` queues an event for every configured channel and
   * never throws; the escalation job and "Escalate now" announce `escalated` through it.
   */
  announcer: Announcer;
  /** Klaxon's escalations (server/escalation/): the policy checked, the escalator job, "Escalate now". */
  escalation: Escalation;
  /**
   * Starts the background work: page delivery, target checks, chat, and (on the leader only) the
   * incidents poll, page tracking and escalations. With one process everything starts before this returns.
   */
  start(): Promise<void>;
  /** Finishes (or abandons under lease) the deliveries in flight, then closes the app. */
  close(): Promise<void>;
}

/**
 * Builds the Fastify app with every part wired: the paging backend, the incidents hub and its
 * event stream, auth, the page outbox with its delivery worker and tracker, and one plugin per
 * route resource. Does not listen (see start.ts), so tests can `inject` into it or listen themselves.
 *
 * Long on purpose: it is the composition root. Each part lives in its folder and is only constructed
 * and connected here, in the order the parts depend on each other, so one read shows the whole
 * wiring (and which of it runs on the leader only); splitting it would hide those connections.
 */
export async function buildApp(deps: AppDeps): Promise<KlaxonApp> {
  const { config, store } = deps;
  const errorReports = deps.errorReports ?? noErrorReports;
  const metrics = createMetrics();
  const app = Fastify({ logger: loggerOptions(config, deps.logger), bodyLimit: 64 * 1024, return503OnClosing: true });
  for (const w of configWarnings(config)) app.log.warn({ config: true }, w);
  const https = (config.publicUrl ?? '').startsWith('https:');
  await app.register(fastifyCookie, { secret: config.sessionSecret || randomBytes(32).toString('base64url') });
  registerJsonBodyParser(app);

  const services = createPagingServices(config, {
    metrics,
    logger: app.log,
    // Responders follow `client_url` back to Klaxon; without a public URL it is the listen address.
    klaxonUrl: () => config.publicUrl ?? (app.server.listening ? listenUrl(app) : null),
    backends: { ...deps.backends, ...(deps.backend ? { oncall: deps.backend } : {}) },
  });
  // One poller per paging service, each with what only Klaxon knows about its incidents; a server
  // with one service uses its hub as it is. With several replicas they run on the leader only.
  const presenters = new Map(
    services.all.map((s) => [s.id, new IncidentPresenter({ backend: s.backend, store, logger: app.log })]),
  );
  const hubs = new Map(
    services.all.map((s) => [
      s.id,
      new IncidentsHub({
        backend: s.backend,
        config: s.poll,
        metrics,
        logger: app.log,
        serviceName: s.name,
        errorReports,
        presenter: presenters.get(s.id)!,
      }),
    ]),
  );
  // Several replicas on PostgreSQL (server/cluster/): leader election and the shared event journal.
  // With SQLite (one process) there is none of it, and this process is always the leader.
  const pgUrl = config.storage.postgresUrl;
  const cluster = pgUrl
    ? new ClusterNode({
        url: pgUrl,
        metrics,
        logger: app.log,
        ...(deps.replicaName ? { self: deps.replicaName } : {}),
      })
    : null;
  const leadership: Leadership = cluster?.leadership ?? new SoloLeadership();
  /** The pollers as one (several replicas: always, as the shared view's source); the leader's only. */
  const pollers: IncidentSource = hubs.size === 1 && !cluster ? [...hubs.values()][0]! : new IncidentsView(hubs);
  const polls = services.all.map((s) => s.poll);
  const shared = cluster
    ? cluster.sharedHub(pollers as IncidentsView, {
        pollIntervalSeconds: Math.max(...polls.map((p) => p.pollIntervalSeconds)),
        recentWindowMinutes: Math.max(...polls.map((p) => p.recentWindowMinutes)),
      })
    : null;
  const hub: ShownIncidents = shared ?? pollers;
  // Klaxon's escalations, per paging service (`escalation.policy` for On-Call, `pagerduty.escalation`
  // for PagerDuty). Each job runs where `leadership.runsHere()`, and its claims and settlements carry
  // the leader's epoch fence like the page tracker's writes (server/escalation/escalator.ts). Several
  // replicas: each reads the shared view, limited to its service's incidents.
  const escalationHub = (id: IncidentBackend) => {
    if (!shared) return hubs.get(id)!;
    const own = (i: Incident) => (i.backend ?? 'oncall') === id;
    return {
      snapshot: () => {
        const snap = shared.snapshot();
        return { ...snap, incidents: snap.incidents.filter(own) };
      },
      allIncidents: () => shared.allIncidents().filter(own),
    };
  };
  const escalation = createEscalation({
    config,
    services: services.all.map((service) => ({ service, hub: escalationHub(service.id) })),
    store,
    // By key on every server: the single On-Call or PagerDuty poller knows its incidents by number.
    hub: {
      findIncident: (key: string) => {
        if (shared) return shared.findIncident(key);
        const found = services.resolve(key);
        return found ? (hubs.get(found.service.id)?.findIncident(found.number) ?? null) : null;
      },
    },
    presenters: [...presenters.values()],
    metrics,
    logger: app.log,
    errorReports,
    leadership,
    // `announcer` is made below; escalations only happen once the app has started.
    onEscalated: (record) => void announcer.escalated(record),
  });
  /** An acknowledgement made in Klaxon: kept (with its audit entry), then shown on the incident at once. */
  async function recordAck(ack: KlaxonAck, groups: readonly string[]): Promise<void> {
    const who = { sub: ack.personSub, name: ack.personName, groups };
    await store.recordAcknowledgement(
      ack,
      auditEntry('incident.acknowledge', who, { incident: ack.incidentNumber, sentAs: ack.sentAs }),
    );
    // The key (`pagerduty:7`, On-Call's bare `7`) names the service; each presenter knows its own numbers.
    for (const p of presenters.values()) p.noteAck(ack);
  }
  const events = new EventStream({
    hub,
    metrics,
    logger: app.log,
    sharedIds: cluster !== null,
    maxStreamsPerUser: config.events.maxStreamsPerUser,
    ...deps.eventStream,
  });
  const { guard, sessions, webLogin, verifier } = auth(app, deps, metrics, https);
  // Every replica checks the targets itself: each answers its own page dialogs and /readyz from
  // what it found, and nothing of it is written to the database (read-only look-ups).
  const targetsOf = new Map(
    services.all.map((s) => [
      s.id,
      new TargetStatus({
        backend: s.backend,
        targets: config.targets,
        owns: services.all.length === 1 ? undefined : s.owns,
        // On-Call's words are the ones Klaxon always had.
        serviceName: s.id === 'oncall' ? undefined : s.name,
        intervalMs: config.targetChecks.intervalSeconds * 1000,
        metrics,
        logger: app.log,
        errorReports,
      }),
    ]),
  );
  const targets =
    targetsOf.size === 1
      ? [...targetsOf.values()][0]!
      : new TargetStatusSet(
          targetsOf,
          config.targets.map((t) => t.id),
        );

  const chatChannels = configuredChannels(config.chat, {
    logger: app.log,
    onIrcConnected: (name, connected) => metrics.chatConnected.set({ channel: name }, connected ? 1 : 0),
  });
  for (const c of config.chat.irc) metrics.chatConnected.set({ channel: c.name }, 0);
  const chat = new ChatWorker({ store, channels: chatChannels, chat: config.chat, metrics, logger: app.log });
  const announcer = new Announcer({
    store,
    channels: chatChannels,
    includeDetails: config.chat.includeDetails,
    serverName: config.serverName,
    onQueued: () => chat.kick(),
    logger: app.log,
  });
  /**
   * A page's status changed (delivery, its incident): its requester's streams hear of it, chat of
   * its incident and acknowledgement. With several replicas every page change is journalled by the
   * database itself (server/cluster/), and every replica publishes it from there under the same id;
   * chat hears of it from the replica that made the change (each event is queued once per channel).
   */
  const onPageChanged = (page: Page) => {
    if (!cluster) events.publishPage(page);
    void announcer.pageChanged(page);
  };
  const outbox = new PageOutbox(store, config, (page) => announcer.announcementsOf({ kind: 'paged', page }));
  const worker = new DeliveryWorker({
    store,
    backend: services.router,
    // Several replicas: before a resend, the shared view of the page's service must come from a poll
    // newer than the last attempt (it may predate it right after a failover); half the lease to find
    // out. Each service on its own: one service's outage holds back only its own pages' resends.
    incidents: shared
      ? {
          findByEntityId: (e, service) => shared.findForResend(e, service, config.delivery.timeoutMs + 1000),
          refreshNow: (r: string) => shared.refreshNow(r),
          listed: () => shared.listed(),
        }
      : {
          findByEntityId: (e, service) => hubs.get(service)?.findByEntityId(e) ?? null,
          refreshNow: (r: string) => pollers.refreshNow(r),
          listed: () => new Map([...hubs].map(([id, h]) => [id, h.status().lastSuccessAt !== null])),
        },
    delivery: config.delivery,
    onPage: onPageChanged,
    metrics,
    logger: app.log,
    errorReports,
  });
  const tracker = new PageTracker({
    store,
    // The leader's own pollers (the tracker is leader work).
    hub: pollers,
    fence: cluster ? () => leadership.fence() : undefined,
    onFenced: (reason) => leadership.stepDown(reason),
    backend: services.router,
    mutes: targets,
    targetRoutingKey: (id) => config.targets.find((t) => t.id === id)?.routingKey ?? null,
    onPage: onPageChanged,
    intervalMs: Math.min(...services.all.map((s) => s.poll.pollIntervalSeconds)) * 1000,
    unconfirmedAfterMs: config.delivery.unconfirmedAfterSeconds * 1000,
    metrics,
    logger: app.log,
    errorReports,
  });
  // A service's poll succeeds again after failures (or for the first time): its failing pages go
  // now, not another service's. Several replicas: as the shared view says it, on every replica.
  const answersAgain = (service: IncidentBackend, ok: boolean) => {
    if (ok) worker.serviceAnswers('the incident list answers again', service);
  };
  if (shared) shared.on('serviceStatus', (service, st) => answersAgain(service, st.ok));
  else for (const [id, h] of hubs) h.on('status', (st) => answersAgain(id, st.ok));
  /** A page was accepted (202): its requester's streams hear of it, and the worker sends it at once. */
  function onPageAccepted(page: Page): void {
    onPageChanged(page);
    worker.kick();
    chat.kick();
  }

  // One policy for every response and the web UI's <meta>: the strict defaults, plus the Sentry host
  // of `sentry.clientDsn` in connect-src when the web UI reports its errors.
  const reportOrigin = errorReportOrigin(config.sentry.clientDsn);
  addResponseHeaders(app, { https, csp: contentSecurityPolicy(reportOrigin) });
  registerCompression(app);
  setErrorHandlers(app, registerWebUi(app, config.webUi.dir, reportOrigin), errorReports);
  // Hijacked SSE sockets would keep `app.close()` waiting forever: end them first.
  app.addHook('preClose', async () => events.close());
  app.addHook('onClose', async () => {
    pollers.stop();
    targets.stop();
  });

  const health = {
    store,
    hub,
    identityProvider: verifier,
    metrics,
    targets,
    cluster,
    chatChannels: chatChannels.map((c) => c.name),
    token: config.metrics.token,
  };
  await app.register(healthRoutes, { ...health, serveOperatorDetails: config.metrics.listen === null });
  // `metrics.listen`: metrics and readiness details on their own address (e.g. a management network).
  let operatorApp: FastifyInstance | null = null;
  if (config.metrics.listen) {
    operatorApp = Fastify({ logger: loggerOptions(config, deps.logger), return503OnClosing: true });
    setErrorHandlers(operatorApp, { notFound: () => null }, errorReports);
    await operatorApp.register(healthRoutes, { ...health, serveOperatorDetails: true });
  }
  await app.register(clientConfigRoutes, {
    config,
    // Just after start the policy is still being looked up: wait for it briefly rather than offer nothing.
    services: services.all.map((s) => s.id),
    escalationOffers: () => escalation.offers(3000),
  });
  await app.register(meRoutes, { guard, sessions });
  await app.register(pagesRoutes, { guard, outbox, store, metrics, onPageAccepted });
  await app.register(incidentsRoutes, {
    guard,
    hub,
    acknowledge: { hub, serviceOf: (key) => services.resolve(key), recordAck },
  });
  await app.register(pageEscalationRoutes, { guard, escalateNow: escalation.escalateNow });
  await app.register(onCallRoutes, { guard, backend: services, targets });
  await app.register(eventsRoutes, { guard, events, store });
  const clock = deps.clock ?? systemClock;
  await app.register(auditRoutes, { guard, store, retentionDays: config.audit.retentionDays, clock });
  let auditRetention: { stop(): void } | null = null;
  /** Audit retention runs once per organisation: on the leader with several replicas (server/audit/audit-retention.ts). */
  const retentionJob = {
    start() {
      auditRetention ??= startAuditRetention({
        store,
        retentionDays: config.audit.retentionDays,
        logger: app.log,
        clock,
      });
    },
    stop() {
      auditRetention?.stop();
      auditRetention = null;
    },
  };
  await app.register(webhookRoutes, {
    services: Object.fromEntries(
      services.all.map((s) => [
        s.id,
        {
          backend: s.backend,
          // Several replicas: the leader applies it and journals it; a follower asks the leader to poll.
          hub: shared ?? hubs.get(s.id)!,
        },
      ]),
    ),
    metrics,
  });
  webLogin.register(app);

  // Several replicas: follow the shared journal from now on, before any client can connect.
  if (cluster)
    await cluster.prepare({ events, store }).catch(async (e: unknown) => {
      await cluster.stop();
      throw e;
    });

  return {
    app,
    operatorApp,
    hub,
    events,
    leadership,
    async checkIdentityProvider() {
      try {
        return { mismatch: await verifier.discoveredIssuerMismatch(), unreachable: null };
      } catch (e) {
        return { mismatch: null, unreachable: (e as Error).message };
      }
    },
    targets,
    announcer,
    escalation,
    async start() {
      for (const p of presenters.values()) void p.load();
      // The first incidents poll asks the paging service before the target check's look-ups.
      if (cluster) cluster.start([tracker, retentionJob]);
      else {
        pollers.start();
        tracker.start();
        retentionJob.start();
      }
      worker.start();
      targets.start();
      chat.start();
      escalation.start();
    },
    async close() {
      retentionJob.stop();
      await escalation.stop();
      await worker.stop();
      await chat.stop();
      if (cluster) await cluster.stop();
      else await tracker.stop();
      await operatorApp?.close();
      await app.close();
    },
  };
}

/** Where the web UI sends its error reports (for the CSP), or null while clients have no DSN. */
function errorReportOrigin(clientDsn: string | null): string | null {
  const dsn = clientDsn ? parseSentryDsn(clientDsn) : null;
  return dsn && 'origin' in dsn ? dsn.origin : null;
}

/** Token checks, browser sessions and sign-in, and the guard routes use. */
function auth(
  app: FastifyInstance,
  deps: AppDeps,
  metrics: Metrics,
  https: boolean,
): { guard: Guard; sessions: WebSessions; webLogin: WebLogin; verifier: JwtVerifier } {
  const { config, store } = deps;
  const { oidc } = config;
  const verifier = new JwtVerifier({
    issuer: oidc.issuer,
    audience: oidc.audience,
    algorithms: oidc.algorithms,
    maxLifetimeSeconds: oidc.maxTokenLifetimeSeconds,
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
  return { guard: createGuard({ authenticate, groups: config.groups, metrics }), sessions, webLogin, verifier };
}
