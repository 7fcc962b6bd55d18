import type { FastifyInstance } from 'fastify';
import { viewerOf, type Guard } from '../auth/guard.js';
import type { EscalateNow } from '../escalation/escalate-now.js';
import { addRoute, bodyOf } from '../http/contract-route.js';

/** `POST /api/v1/pages/:id/escalate`: "Escalate now" on one's own unacknowledged page. */
export async function pageEscalationRoutes(
  app: FastifyInstance,
  deps: { guard: Guard; escalateNow: Pick<EscalateNow, 'escalate'> },
): Promise<void> {
  addRoute(app, 'escalatePage', deps.guard, async (req, reply) => {
    bodyOf('escalatePage', req.body ?? {});
    reply.header('cache-control', 'no-store');
    return deps.escalateNow.escalate(viewerOf(req), (req.params as { id: string }).id);
  });
}
