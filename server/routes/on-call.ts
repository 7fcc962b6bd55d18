import type { FastifyInstance } from 'fastify';
import type { Guard } from '../auth/guard.js';
import { addRoute } from '../http/contract-route.js';
import { HttpError } from '../http/errors.js';
import type { OnCallNowService } from '../backends/splunk-oncall/on-call-now.js';

/** `GET /api/v1/oncall`: who is on call now (cached; stale while On-Call fails). */
export async function onCallRoutes(
  app: FastifyInstance,
  deps: { guard: Guard; oncallNow: Pick<OnCallNowService, 'get'> },
): Promise<void> {
  addRoute(app, 'oncall', deps.guard, async (_req, reply) => {
    try {
      const now = await deps.oncallNow.get();
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
