import type { FastifyInstance } from 'fastify';
import type { Guard } from '../auth/guard.js';
import { addRoute } from '../http/contract-route.js';
import { HttpError } from '../http/errors.js';
import type { PagingBackend } from '../backends/paging-backend.js';

/** `GET /api/v1/oncall`: who is on call now (cached; stale while On-Call fails). */
export async function onCallRoutes(
  app: FastifyInstance,
  deps: { guard: Guard; backend: Pick<PagingBackend, 'onCallNow'> },
): Promise<void> {
  addRoute(app, 'oncall', deps.guard, async (_req, reply) => {
    try {
      const now = await deps.backend.onCallNow();
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
}
