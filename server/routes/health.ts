import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../http/metrics.js';
import type { IncidentsHub } from '../live/incidents-hub.js';
import type { KlaxonStore } from '../store/store.js';
import type { ClusterNode } from '../cluster/cluster-node.js';

export interface HealthDeps {
  store: Pick<KlaxonStore, 'checkWritable' | 'countByStatus'>;
  hub: Pick<IncidentsHub, 'status'>;
  metrics: Pick<Metrics, 'pagesByStatus' | 'registry'>;
  /** Several replicas: who leads, and how far this replica has followed the shared journal. */
  cluster?: Pick<ClusterNode, 'status'> | null;
}

const PAGE_STATUSES = ['queued', 'delivering', 'delivered', 'failing', 'acknowledged', 'resolved', 'gave_up'];

/**
 * `/healthz`: the process answers (liveness; restart it if not). `/readyz`: this server can take
 * its share of the traffic — it can accept and store pages and serve the event stream, because
 * its storage takes writes (with PostgreSQL: reachable and migrated). A load balancer checks this.
 * The paging service's health is a detail of it, not a condition: while On-Call is unreachable
 * every replica would otherwise leave the pool exactly when people need Klaxon's fallback
 * contacts, and pages still wait safely in the outbox. `/healthz/upstream`: 503 while On-Call did
 * not answer the last poll, for alerting. `/metrics`: Prometheus text.
 */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get('/healthz', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (_req, reply) => {
    const storage = await deps.store.checkWritable();
    const up = deps.hub.status();
    const ready = storage.ok;
    reply.code(ready ? 200 : 503).header('cache-control', 'no-store');
    return {
      status: ready ? 'ready' : 'not_ready',
      storage,
      upstream: { ok: up.ok, error: up.error, lastSuccessAt: up.lastSuccessAt },
      ...(deps.cluster ? { cluster: deps.cluster.status() } : {}),
    };
  });

  app.get('/healthz/upstream', async (_req, reply) => {
    const up = deps.hub.status();
    reply.code(up.ok ? 200 : 503).header('cache-control', 'no-store');
    return {
      status: up.ok ? 'ok' : 'unreachable',
      upstream: { ok: up.ok, error: up.error, lastSuccessAt: up.lastSuccessAt },
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
