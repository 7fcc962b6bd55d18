import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { errorBody } from './http/errors.js';
import { HttpError } from './http/errors.js';
import { registerApiRoutes } from './routes/pages.js';
import { createGuard } from './auth/guard.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { WebLogin } from './auth/web-login.js';
import { WebSessions } from './auth/web-session.js';
import { configWarnings, type ServerConfig } from './config/index.js';
import { listenError, openStore } from './store/open-store.js';
import { DeliveryWorker } from './pages/delivery-worker.js';
import { EventStream } from './live/event-stream.js';
import { registerHealthRoutes } from './routes/health.js';
import { IncidentsHub } from './live/incidents-hub.js';
import { registerLiveRoutes } from './routes/incidents.js';
import { createMetrics } from './http/metrics.js';
import { OnCallClient } from './backends/splunk-oncall/client.js';
import { OnCallNowService } from './backends/splunk-oncall/on-call-now.js';
import { PageOutbox } from './pages/accept.js';
import { PageTracker } from './pages/page-tracker.js';
import { CONTENT_SECURITY_POLICY, registerWebUi } from './http/web-ui.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** false: no logs; true (default): JSON logs to stdout; an object: extra pino options (e.g. `{ stream }`). */
  logger?: boolean | object;
}

/** Never log credentials: headers are not logged, and the OAuth callback's query (the code) is cut. */
const requestSerializer = (req: { method: string; url: string; ip?: string }) => ({
  method: req.method,
  url: req.url.startsWith('/auth/callback') ? '/auth/callback' : req.url,
  remoteAddress: req.ip,
});

function loggerOptions(config: ServerConfig, opt: StartOptions['logger']): object | false {
  if (opt === false) return false;
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.access_token',
        '*.refresh_token',
        '*.token',
      ],
      censor: '[redacted]',
    },
    serializers: { req: requestSerializer },
    ...(typeof opt === 'object' ? opt : {}),
  };
}

/** Builds the Fastify app with every part wired, starts listening and the background work. */
export async function startKlaxonServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const metrics = createMetrics();
  const store = openStore(config.storage.sqlitePath);
  const logger = loggerOptions(config, opts.logger);
  const app: FastifyInstance = Fastify({
    logger,
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
  });
  for (const w of configWarnings(config)) app.log.warn({ config: true }, w);

  let publicUrl = config.publicUrl;
  const secure = (config.publicUrl ?? '').startsWith('https:');
  await app.register(fastifyCookie, { secret: config.sessionSecret || randomBytes(32).toString('base64url') });

  // Live half (server live helper): one On-Call client, one poller, the SSE fan-out.
  const client = new OnCallClient({
    apiBaseUrl: config.oncall.apiBaseUrl,
    apiId: config.oncall.apiId,
    apiKey: config.oncall.apiKey,
    restEndpointBaseUrl: config.oncall.restEndpointBaseUrl,
    restEndpointKey: config.oncall.restEndpointKey,
    timeoutMs: config.oncall.timeoutMs,
    metrics,
    logger: app.log,
  });
  // The REST endpoint gets the delivery timeout (it is a different service from the public API).
  const alertClient = new OnCallClient({
    apiBaseUrl: config.oncall.apiBaseUrl,
    apiId: config.oncall.apiId,
    apiKey: config.oncall.apiKey,
    restEndpointBaseUrl: config.oncall.restEndpointBaseUrl,
    restEndpointKey: config.oncall.restEndpointKey,
    timeoutMs: config.delivery.timeoutMs,
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
  const sessions = new WebSessions(store, secure);
  const webLogin = new WebLogin({
    issuer: config.oidc.issuer,
    audience: config.oidc.audience,
    clientId: config.oidc.web.clientId,
    clientSecret: config.oidc.web.clientSecret,
    scopes: config.oidc.scopes,
    groupsClaim: config.oidc.groupsClaim,
    publicUrl: () => publicUrl!,
    sessions,
    verifier,
    store,
    metrics,
    secureCookies: secure,
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
  const publish = (page: Parameters<EventStream['publishPage']>[0]) => events.publishPage(page);
  const outbox = new PageOutbox(store, config);
  const worker = new DeliveryWorker({
    store,
    sender: alertClient,
    incidents: hub,
    lookup: client,
    delivery: config.delivery,
    onPage: publish,
    metrics,
    logger: app.log,
  });
  const tracker = new PageTracker({
    store,
    hub,
    client,
    onPage: publish,
    intervalMs: config.oncall.pollIntervalSeconds * 1000,
    logger: app.log,
  });

  // Server-Timing on API answers: how long the server itself took (token check, validation,
  // durable write), visible in browser dev tools and to benchmarks, next to the round trip.
  const receivedAt = new WeakMap<object, number>();
  app.addHook('onRequest', async (req) => {
    receivedAt.set(req, performance.now());
  });
  // Security headers on every response (the CSP also covers error pages and JSON).
  app.addHook('onSend', async (req, reply, payload) => {
    const t0 = receivedAt.get(req);
    if (t0 !== undefined && req.url.startsWith('/api/'))
      reply.header('server-timing', `app;dur=${(performance.now() - t0).toFixed(2)}`);
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (secure) reply.header('strict-transport-security', 'max-age=31536000');
    if (!reply.hasHeader('cache-control') && req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.extra.headers ?? {})) reply.header(k, v);
      return reply.code(err.statusCode).send(err.body());
    }
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply.code(413).send(errorBody('invalid_request', 'The request is too large (at most 64 KB).'));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return reply.code(415).send(errorBody('invalid_request', 'Send the request body as application/json.'));
    if (status === 400 && (err.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError)) {
      return reply.code(400).send(errorBody('invalid_request', 'The request body is not valid JSON.'));
    }
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody('invalid_request', err.message));
    req.log.error({ err }, 'request failed');
    return reply
      .code(500)
      .send(
        errorBody(
          'internal',
          'Something went wrong on the Klaxon server. Try again; if it keeps happening, tell the Klaxon operator.',
        ),
      );
  });

  const ui = registerWebUi(app, config.webUi.dir);
  app.setNotFoundHandler((req, reply) => {
    const handled = ui.notFound(req, reply);
    if (handled) return handled;
    return reply.code(404).send(errorBody('not_found', `There is nothing at ${req.method} ${req.url.split('?')[0]}.`));
  });

  registerHealthRoutes(app, { store, hub, metrics });
  registerApiRoutes(app, {
    config,
    guard,
    outbox,
    store,
    sessions,
    metrics,
    onAccepted: (page) => (publish(page), worker.kick()),
  });
  registerLiveRoutes(app, {
    hub,
    events,
    oncallNow,
    client,
    config,
    guard,
    metrics,
    pagesFor: (sub) => store.pagesOf(sub, 50),
  });
  webLogin.register(app);

  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (e) {
    await store.close();
    await app.close().catch(() => undefined);
    throw listenError(e, config.listen);
  }
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  publicUrl ??= url;

  hub.start();
  tracker.start();
  worker.start();
  app.log.info({ url, publicUrl }, 'Klaxon server listening');

  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      closing ??= (async () => {
        // Finish (or abandon under lease) the attempts in flight before storage goes away.
        await worker.stop();
        await tracker.stop();
        await app.close();
        await store.close();
      })();
      return closing;
    },
  };
}
