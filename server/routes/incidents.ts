import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AckRequest, type AckResult, type Incident, type Page, routes } from '#common/index.js';
import type { Guard } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import type { EventStream } from '../live/event-stream.js';
import type { IncidentsHub } from '../live/incidents-hub.js';
import type { Metrics } from '../http/metrics.js';
import { type OnCallClient, UpstreamError } from '../backends/splunk-oncall/client.js';
import type { OnCallNowService } from '../backends/splunk-oncall/on-call-now.js';

export interface LiveRoutesDeps {
  hub: Pick<IncidentsHub, 'snapshot' | 'refreshNow'>;
  events: Pick<EventStream, 'attach' | 'currentId'>;
  oncallNow: Pick<OnCallNowService, 'get' | 'isOnCallUser'>;
  client: Pick<OnCallClient, 'ackIncidents'>;
  config: { oncall: { webhookSecret?: string | null; ackAsUser?: string | null } };
  guard: Guard;
  metrics?: Metrics | null;
  pagesFor(sub: string): Promise<Page[]>;
}

export const WEBHOOK_SECRET_HEADER = 'x-klaxon-webhook-secret';
/** How long an ack waits for the follow-up poll before answering with what it knows. */
const ACK_REFRESH_WAIT_MS = 3000;

/** Constant-time comparison that does not leak the secret's length either. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | undefined> =>
  Promise.race([
    p,
    new Promise<undefined>((resolve) => {
      setTimeout(() => resolve(undefined), ms).unref();
    }),
  ]);

/**
 * The live half of the HTTP API: incident snapshot, who is on call, the event stream, the On-Call
 * webhook and acknowledgements. Core's guard does authentication and permissions.
 */
export function registerLiveRoutes(app: FastifyInstance, deps: LiveRoutesDeps): void {
  const { hub, events, oncallNow, client, config, guard } = deps;

  app.get(routes.incidents.path, { preHandler: guard('view') }, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return hub.snapshot();
  });

  app.get(routes.oncall.path, { preHandler: guard('view') }, async (_req, reply) => {
    try {
      const now = await oncallNow.get();
      reply.header('cache-control', 'no-store');
      return now;
    } catch (e) {
      const why = e instanceof Error ? e.message : 'On-Call did not answer.';
      throw new HttpError(
        503,
        'upstream_unavailable',
        `Klaxon cannot tell who is on call right now. ${why} Paging still works.`,
      );
    }
  });

  app.get(routes.events.path, { preHandler: guard('view') }, async (req, reply) => {
    const viewer = req.viewer;
    if (!viewer) throw new HttpError(401, 'unauthorized', 'Sign in to see live incidents.');
    const asOf = events.currentId();
    const pages = await deps.pagesFor(viewer.sub);
    events.attach(req, reply, viewer, pages, asOf);
    return reply;
  });

  app.post(routes.ackIncident.path, { preHandler: guard('acknowledge') }, async (req) => {
    const viewer = req.viewer;
    if (!viewer) throw new HttpError(401, 'unauthorized', 'Sign in to acknowledge incidents.');
    const number = (req.params as { number?: string }).number ?? '';
    if (!/^\d{1,12}$/.test(number))
      throw new HttpError(400, 'invalid_request', `"${number.slice(0, 20)}" is not an incident number.`);
    const parsed = AckRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw HttpError.invalid(parsed.error.issues);

    const ackAs = config.oncall.ackAsUser ?? null;
    let userName: string | null = null;
    // `null` (cannot tell right now) → try the person's own name and let On-Call decide.
    if (viewer.username && (await oncallNow.isOnCallUser(viewer.username)) !== false) userName = viewer.username;
    userName ??= ackAs;
    if (!userName) {
      throw new HttpError(
        409,
        'conflict',
        `Your account${viewer.username ? ` (${viewer.username})` : ''} is not an On-Call user and this Klaxon server has no service user for acknowledgements (oncall.ackAsUser). Acknowledge in the On-Call app, or ask the Klaxon operator to set oncall.ackAsUser.`,
      );
    }
    const message = `Acknowledged in Klaxon by ${viewer.name}${parsed.data.message ? `: ${parsed.data.message}` : ''}`;
    let results;
    try {
      results = await client.ackIncidents(userName, [number], message);
    } catch (e) {
      // On-Call said "User not found": nothing was acknowledged, so asking again as the service user is safe.
      if (e instanceof UpstreamError && e.kind === 'not_found' && ackAs && userName !== ackAs) {
        userName = ackAs;
        try {
          results = await client.ackIncidents(userName, [number], message);
        } catch (e2) {
          throw ackFailed(e2, userName);
        }
      } else {
        throw ackFailed(e, userName);
      }
    }
    const r = results.find((x) => x.incidentNumber === number) ?? results[0];
    const accepted = r?.cmdAccepted ?? false;
    await within(hub.refreshNow('ack'), ACK_REFRESH_WAIT_MS).catch(() => undefined);
    let incident: Incident | null = hub.snapshot().incidents.find((i) => i.number === number) ?? null;
    // On-Call is eventually consistent: show the accepted ack even if the list lags behind.
    if (accepted && incident && incident.phase === 'UNACKED') {
      incident = { ...incident, phase: 'ACKED', ackedBy: userName, ackedAt: new Date().toISOString(), pagedUsers: [] };
    }
    const result: AckResult = {
      incident,
      accepted,
      message: accepted
        ? `Incident #${number} is acknowledged in On-Call (as ${userName}).`
        : `On-Call did not acknowledge incident #${number}: ${r?.message || 'no reason given'}.`,
    };
    return result;
  });

  // On-Call's outgoing webhooks may arrive as JSON or form data; the body is not used (it only
  // triggers a refresh), so this route gets its own scope that accepts any content type.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    scope.post(routes.oncallWebhook.path, async (req, reply) => {
      const secret = config.oncall.webhookSecret;
      if (!secret) throw new HttpError(404, 'not_found', 'On-Call webhooks are not enabled on this Klaxon server.');
      const given = req.headers[WEBHOOK_SECRET_HEADER];
      if (typeof given !== 'string' || !sameSecret(given, secret)) {
        deps.metrics?.authFailures.inc({ reason: 'webhook_secret' });
        throw new HttpError(401, 'unauthorized', `Missing or wrong ${WEBHOOK_SECRET_HEADER} header.`);
      }
      // Answer at once; the refresh is coalesced and rate-limited by the hub.
      void hub.refreshNow('webhook').catch((e: unknown) => req.log.warn({ err: e }, 'webhook refresh failed'));
      return reply.code(204).send();
    });
  });
}

function ackFailed(e: unknown, userName: string): HttpError {
  if (e instanceof UpstreamError && e.kind === 'not_found') {
    return new HttpError(
      409,
      'conflict',
      `On-Call does not know the user "${userName}", so nothing was acknowledged. Acknowledge in the On-Call app.`,
    );
  }
  const why = e instanceof Error ? e.message : 'On-Call did not answer.';
  return new HttpError(
    502,
    'upstream_unavailable',
    `The incident was not acknowledged: ${why} Try again, or acknowledge in the On-Call app.`,
  );
}
