import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../http/metrics.js';
import type { IncidentsHub } from '../live/incidents-hub.js';
import type { KlaxonStore } from '../store/store.js';
import type { TargetStatus } from '../targets/target-status.js';

export interface HealthDeps {
  store: Pick<KlaxonStore, 'checkWritable' | 'countByStatus'>;
  hub: Pick<IncidentsHub, 'status'>;
  metrics: Pick<Metrics, 'pagesByStatus' | 'registry'>;
  /** The page targets' last check: shown in `/readyz` as detail, without changing its status. */
  targets?: Pick<TargetStatus, 'readiness'>;
}

const PAGE_STATUSES = ['queued', 'delivering', 'delivered', 'failing', 'acknowledged', 'resolved', 'gave_up'];

/**
 * `/healthz`: the process answers (liveness; restart it if not). `/readyz`: it can do its job —
 * storage takes writes and the paging service answered the last poll — with the page targets' last
 * check as detail. `/metrics`: Prometheus text.
 */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get('/healthz', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (_req, reply) => {
    const storage = await deps.store.checkWritable();
    const up = deps.hub.status();
    const ready = storage.ok && up.ok;
    reply.code(ready ? 200 : 503).header('cache-control', 'no-store');
    return {
      status: ready ? 'ready' : 'not_ready',
      storage,
      upstream: { ok: up.ok, error: up.error, lastSuccessAt: up.lastSuccessAt },
      // A mistyped routing key is for the operator to fix, but Klaxon still pages (to the default route).
      ...(deps.targets ? { targets: deps.targets.readiness() } : {}),
    };
  });

  app.get('/metrics', async (_req, reply) => {
    // Page counts come from the outbox itself, so they are right after a restart too.
    try {
      const counts = await deps.store.countByStatus();
      for (const s of PAGE_STATUSES) deps.metrics.pagesByStatus.set({ status: s }, counts[s] ?? 0);
    } catch {
      /* storage trouble shows in /readyz; still serve the other metrics */
    }
    reply.header('content-type', deps.metrics.registry.contentType).header('cache-control', 'no-store');
    return deps.metrics.registry.metrics();
  });
}
