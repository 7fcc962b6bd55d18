import type { FastifyInstance } from 'fastify';
import { IncidentBackend, serviceName } from '#common/index.js';
import { addRoute } from '../http/contract-route.js';
import { HttpError } from '../http/errors.js';
import type { PagingBackend } from '../backends/paging-backend.js';
import type { Metrics } from '../http/metrics.js';
import type { IncidentsHub } from '../live/incidents-hub.js';

/** One service's webhook: its backend checks each delivery, and its hub polls at once. */
export interface WebhookService {
  backend: Pick<PagingBackend, 'checkWebhook' | 'readWebhook'>;
  hub: Pick<IncidentsHub, 'refreshNow' | 'applyUpdate'>;
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
 * `POST /api/v1/webhooks/oncall` (On-Call's outgoing webhook, checked by a shared secret) and
 * `POST /api/v1/webhooks/pagerduty` (a PagerDuty v3 subscription, checked by its signatures). Nothing
 * in the body is used before the check passes. A JSON body with the incident's state (On-Call: the
 * template in docs/server-config.md#webhook-payload; PagerDuty: its incident events) is applied to
 * that service's snapshot at once; every call also triggers a refresh, whose poll confirms it. Off
 * (404) for a service this server does not use, or whose webhook secret is not set.
 */
export async function webhookRoutes(
  app: FastifyInstance,
  deps: {
    services: Partial<Record<IncidentBackend, WebhookService>>;
    metrics: Pick<Metrics, 'authFailures' | 'webhookUpdates'>;
  },
): Promise<void> {
  // The webhook may arrive as JSON or form data; a signature covers the raw bytes, so this plugin's
  // scope keeps every body as it came, and only a JSON body is read.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));

  for (const id of IncidentBackend.options)
    addRoute(app, `${id}Webhook`, null, async (req) => {
      const service = deps.services[id];
      if (!service)
        throw new HttpError(404, 'not_found', `${serviceName(id)} webhooks are not enabled on this Klaxon server.`);
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = service.backend.checkWebhook(req.headers, raw);
      if (!check.ok) {
        if (check.off) throw new HttpError(404, 'not_found', check.message);
        // The reason keeps its first name for On-Call: metric labels are an operator's contract.
        deps.metrics.authFailures.inc({ reason: id === 'oncall' ? 'webhook_secret' : `webhook_${id}` });
        throw new HttpError(401, 'unauthorized', check.message);
      }
      const update = service.backend.readWebhook(jsonBody(req.headers['content-type'], req.body));
      const outcome = update ? service.hub.applyUpdate(update) : 'no_state';
      deps.metrics.webhookUpdates.inc({ outcome });
      if (update) req.log.debug({ incident: update.number, phase: update.phase, outcome }, 'webhook update');
      // Answer at once; the refresh is coalesced and rate-limited by the hub.
      void service.hub.refreshNow('webhook').catch((e: unknown) => req.log.warn({ err: e }, 'webhook refresh failed'));
    });
}
