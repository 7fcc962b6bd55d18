import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.js';
import { refreshAtScrape, type ScrapeSources } from '../http/metrics-at-scrape.js';
import type { Metrics } from '../http/metrics.js';
import type { IncidentsHub } from '../live/incidents-hub.js';
import type { KlaxonStore } from '../store/store.js';
import type { ClusterNode } from '../cluster/cluster-node.js';
import type { TargetStatus } from '../targets/target-status.js';

export interface HealthDeps {
  store: Pick<KlaxonStore, 'checkWritable' | 'announcementCounts'> & ScrapeSources['store'];
  hub: Pick<IncidentsHub, 'status'>;
  /** Whether the configured issuer is the identity provider's own (auth/jwt-verifier.ts). */
  identityProvider: { status(): { ok: boolean; error: string | null } };
  metrics: Pick<Metrics, 'registry' | 'chatPending' | 'chatFailed' | 'chatOldestPending'> & ScrapeSources['metrics'];
  /** The configured chat channels' names: each has its queue gauges, 0 when nothing is queued. */
  chatChannels?: readonly string[];
  /** Several replicas: who leads, and how far this replica has followed the shared journal. */
  cluster?: Pick<ClusterNode, 'status'> | null;
  /** `metrics.token`: the bearer token /metrics and the details of /readyz need; null: none. */
  token: string | null;
  /**
   * Whether this listener serves /metrics and the details of /readyz. False on the main listener
   * when `metrics.listen` gives them their own address: there /readyz answers its status only.
   */
  serveOperatorDetails: boolean;
  /** The page targets' last check: shown in `/readyz` as detail, without changing its status. */
  targets?: Pick<TargetStatus, 'readiness'>;
}

/** Whether the request carries the metrics token (or none is configured). */
function hasToken(request: FastifyRequest, token: string | null): boolean {
  if (token === null) return true;
  const m = /^Bearer +(\S+)$/i.exec(request.headers.authorization ?? '');
  const sent = Buffer.from(m?.[1] ?? '');
  const expected = Buffer.from(token);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

/**
 * `/healthz`: the process answers (liveness; restart it if not). `/readyz`: this server can take
 * its share of the traffic — it can accept and store pages and serve the event stream, because
 * its storage takes writes (with PostgreSQL: reachable and migrated) and the identity provider is
 * the configured issuer (else every token is refused) — with the page targets' last check as
 * detail. A load balancer checks this. The paging service's health is a detail of it, not a
 * condition: while On-Call is unreachable every replica would otherwise leave the pool exactly when
 * people need Klaxon's fallback contacts, and pages still wait safely in the outbox.
 * `/healthz/upstream`: 503 while On-Call did not answer the last poll, for alerting. `/metrics`:
 * Prometheus text.
 * Metrics and the reasons behind readiness (storage errors, the paging service's errors) tell an
 * outsider about the deployment, so, as Prometheus exporters commonly allow, they can require a
 * bearer token (`metrics.token`) or live on their own address (`metrics.listen`); the readiness
 * and upstream statuses themselves stay open for load balancers and probes.
 */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get('/healthz', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (req, reply) => {
    const storage = await deps.store.checkWritable();
    const up = deps.hub.status();
    const idp = deps.identityProvider.status();
    const ready = storage.ok && idp.ok;
    reply.code(ready ? 200 : 503).header('cache-control', 'no-store');
    if (!deps.serveOperatorDetails || !hasToken(req, deps.token)) return { status: ready ? 'ready' : 'not_ready' };
    return {
      status: ready ? 'ready' : 'not_ready',
      storage,
      upstream: { ok: up.ok, error: up.error, lastSuccessAt: up.lastSuccessAt },
      identityProvider: idp,
      // A mistyped routing key is for the operator to fix, but Klaxon still pages (to the default route).
      ...(deps.targets ? { targets: deps.targets.readiness() } : {}),
      ...(deps.cluster ? { cluster: deps.cluster.status() } : {}),
    };
  });

  app.get('/healthz/upstream', async (req, reply) => {
    const up = deps.hub.status();
    reply.code(up.ok ? 200 : 503).header('cache-control', 'no-store');
    const status = up.ok ? 'ok' : 'unreachable';
    if (!deps.serveOperatorDetails || !hasToken(req, deps.token)) return { status };
    return {
      status,
      upstream: { ok: up.ok, error: up.error, lastSuccessAt: up.lastSuccessAt },
    };
  });

  if (!deps.serveOperatorDetails) return;
  app.get('/metrics', async (req, reply) => {
    if (!hasToken(req, deps.token))
      throw new HttpError(
        401,
        'unauthorized',
        'The metrics need the bearer token set as metrics.token in the Klaxon server configuration.',
        { headers: { 'www-authenticate': 'Bearer realm="klaxon-metrics"' } },
      );
    try {
      await refreshAtScrape(deps);
      await setChatGauges(deps);
    } catch {
      /* storage trouble shows in /readyz; still serve the other metrics */
    }
    reply.header('content-type', deps.metrics.registry.contentType).header('cache-control', 'no-store');
    return deps.metrics.registry.metrics();
  });
}

/** The chat queue as stored (right after a restart, and the same on every replica). */
async function setChatGauges(deps: HealthDeps): Promise<void> {
  const now = new Date();
  const counts = await deps.store.announcementCounts(now);
  const { chatPending, chatFailed, chatOldestPending } = deps.metrics;
  for (const name of new Set([...(deps.chatChannels ?? []), ...counts.map((c) => c.channel)])) {
    const c = counts.find((x) => x.channel === name);
    chatPending.set({ channel: name }, c?.pending ?? 0);
    chatFailed.set({ channel: name }, c?.failedLastDay ?? 0);
    chatOldestPending.set(
      { channel: name },
      c?.oldestPendingAt ? Math.max(0, (now.getTime() - c.oldestPendingAt.getTime()) / 1000) : 0,
    );
  }
}
