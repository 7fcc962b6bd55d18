import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../http/contract-route.js';
import { HttpError } from '../http/errors.js';
import type { Metrics } from '../http/metrics.js';
import type { IncidentsHub } from '../live/incidents-hub.js';

const WEBHOOK_SECRET_HEADER = 'x-klaxon-webhook-secret';

/** Constant-time comparison that does not leak the secret's length either. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * `POST /api/v1/webhooks/oncall`: On-Call's outgoing webhook, checked by a shared secret, triggers
 * an immediate refresh. Off (404) while `oncall.webhookSecret` is not set.
 */
export async function webhookRoutes(
  app: FastifyInstance,
  deps: { secret: string | null; hub: Pick<IncidentsHub, 'refreshNow'>; metrics: Pick<Metrics, 'authFailures'> },
): Promise<void> {
  // The webhook may arrive as JSON or form data; the body is not used (it only triggers a refresh),
  // so this plugin's scope accepts any content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));

  addRoute(app, 'oncallWebhook', null, async (req) => {
    if (!deps.secret) throw new HttpError(404, 'not_found', 'On-Call webhooks are not enabled on this Klaxon server.');
    const given = req.headers[WEBHOOK_SECRET_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, deps.secret)) {
      deps.metrics.authFailures.inc({ reason: 'webhook_secret' });
      throw new HttpError(401, 'unauthorized', `Missing or wrong ${WEBHOOK_SECRET_HEADER} header.`);
    }
    // Answer at once; the refresh is coalesced and rate-limited by the hub.
    void deps.hub.refreshNow('webhook').catch((e: unknown) => req.log.warn({ err: e }, 'webhook refresh failed'));
  });
}
