import type { FastifyInstance } from 'fastify';
import type { Guard } from '../auth/guard.js';
import { addRoute } from '../http/contract-route.js';
import { HttpError } from '../http/errors.js';
import type { PagingBackend } from '../backends/paging-backend.js';
import type { TargetStatus } from '../targets/target-status.js';

/**
 * `GET /api/v1/oncall`: who is on call now (cached; stale while On-Call fails), and whom a page to
 * each configured target wakes now and later, with what the target check found and whether paging is
 * muted (the page dialog reads it each time it opens).
 */
export async function onCallRoutes(
  app: FastifyInstance,
  deps: { guard: Guard; backend: Pick<PagingBackend, 'onCallNow'>; targets: Pick<TargetStatus, 'reach'> },
): Promise<void> {
  addRoute(app, 'oncall', deps.guard, async (_req, reply) => {
    try {
      const [now, targets] = await Promise.all([deps.backend.onCallNow(), deps.targets.reach()]);
      reply.header('cache-control', 'no-store');
      return { ...now, targets };
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
