import type { FastifyInstance } from 'fastify';
import { viewerOf, type Guard } from '../auth/guard.js';
import { addRoute, bodyOf } from '../http/contract-route.js';
import { HttpError } from '../http/errors.js';
import { acknowledgeIncident, type AcknowledgeDeps } from '../live/acknowledge.js';
import type { IncidentsHub } from '../live/incidents-hub.js';
import { shownSnapshot } from '../live/shown-incident.js';

export interface IncidentsRouteDeps {
  guard: Guard;
  hub: Pick<IncidentsHub, 'snapshot'>;
  acknowledge: AcknowledgeDeps;
}

/** `GET /api/v1/incidents` (the hub's snapshot) and `POST /api/v1/incidents/:number/ack`. */
export async function incidentsRoutes(app: FastifyInstance, deps: IncidentsRouteDeps): Promise<void> {
  addRoute(app, 'incidents', deps.guard, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return shownSnapshot(deps.hub.snapshot());
  });

  addRoute(app, 'ackIncident', deps.guard, async (req) => {
    const number = (req.params as { number?: string }).number ?? '';
    if (!/^\d{1,12}$/.test(number))
      throw new HttpError(400, 'invalid_request', `"${number.slice(0, 20)}" is not an incident number.`);
    const { message } = bodyOf('ackIncident', req.body ?? {});
    return acknowledgeIncident(deps.acknowledge, viewerOf(req), number, message);
  });
}
