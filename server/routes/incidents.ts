import type { FastifyInstance } from 'fastify';
import { IncidentKey } from '#common/index.js';
import { viewerOf, type Guard } from '../auth/guard.js';
import { addRoute, bodyOf } from '../http/contract-route.js';
import { HttpError } from '../http/errors.js';
import { acknowledgeIncident, type AcknowledgeDeps } from '../live/acknowledge.js';
import type { IncidentSource } from '../live/incidents-view.js';
import { shownSnapshot } from '../live/shown-incident.js';

export interface IncidentsRouteDeps {
  guard: Guard;
  hub: Pick<IncidentSource, 'snapshot'>;
  acknowledge: AcknowledgeDeps;
}

/**
 * `GET /api/v1/incidents` (the merged snapshot) and `POST /api/v1/incidents/:number/ack`, where
 * `:number` is the incident's key (`pagerduty:1043`; a bare number for On-Call, as before).
 */
export async function incidentsRoutes(app: FastifyInstance, deps: IncidentsRouteDeps): Promise<void> {
  addRoute(app, 'incidents', deps.guard, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return shownSnapshot(deps.hub.snapshot());
  });

  addRoute(app, 'ackIncident', deps.guard, async (req) => {
    const key = (req.params as { number?: string }).number ?? '';
    if (!IncidentKey.safeParse(key).success)
      throw new HttpError(400, 'invalid_request', `"${key.slice(0, 20)}" is not an incident number.`);
    const { message } = bodyOf('ackIncident', req.body ?? {});
    return acknowledgeIncident(deps.acknowledge, viewerOf(req), key, message);
  });
}
