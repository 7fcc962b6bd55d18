import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../http/contract-route.js';
import { HttpError } from '../http/errors.js';
import type { PagingBackend } from '../backends/paging-backend.js';
import type { Metrics } from '../http/metrics.js';
import type { IncidentsHub } from '../live/incidents-hub.js';

const WEBHOOK_SECRET_HEADER = 'x-klaxon-webhook-secret';

/** Constant-time comparison that does not leak the secret's length either. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** A JSON body as an object; anything else (form data, text, broken JSON from a template) is null. */
function jsonBody(contentType: string | undefined, raw: unknown): unknown {
  if (!Buffer.isBuffer(raw) || !/\bjson\b/i.test(contentType ?? '')) return null;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

/**
 * `POST /api/v1/webhooks/oncall`: On-Call's outgoing webhook, checked by a shared secret. A JSON body
 * with the incident's state (the template in docs/server-config.md#webhook-payload) is applied to the
 * snapshot at once; every call also triggers a refresh, whose poll confirms it. Off (404) while
 * `oncall.webhookSecret` is not set.
 */
export async function webhookRoutes(
  app: FastifyInstance,
  deps: {
    secret: string | null;
    hub: Pick<IncidentsHub, 'refreshNow' | 'applyUpdate'>;
    backend: Pick<PagingBackend, 'readWebhook'>;
    metrics: Pick<Metrics, 'authFailures' | 'webhookUpdates'>;
  },
): Promise<void> {
  // The webhook may arrive as JSON or form data (other webhook kinds, older templates): only a JSON
  // body is read, anything else only triggers a refresh, so this plugin's scope accepts any content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));

  addRoute(app, 'oncallWebhook', null, async (req) => {
    if (!deps.secret) throw new HttpError(404, 'not_found', 'On-Call webhooks are not enabled on this Klaxon server.');
    const given = req.headers[WEBHOOK_SECRET_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, deps.secret)) {
      deps.metrics.authFailures.inc({ reason: 'webhook_secret' });
      throw new HttpError(401, 'unauthorized', `Missing or wrong ${WEBHOOK_SECRET_HEADER} header.`);
    }
    const update = deps.backend.readWebhook(jsonBody(req.headers['content-type'], req.body));
    const outcome = update ? deps.hub.applyUpdate(update) : 'no_state';
    deps.metrics.webhookUpdates.inc({ outcome });
    if (update) req.log.debug({ incident: update.number, phase: update.phase, outcome }, 'webhook update');
    // Answer at once; the refresh is coalesced and rate-limited by the hub.
    void deps.hub.refreshNow('webhook').catch((e: unknown) => req.log.warn({ err: e }, 'webhook refresh failed'));
  });
}
