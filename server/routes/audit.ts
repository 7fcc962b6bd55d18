import type { FastifyInstance } from 'fastify';
import type { AuditRecord } from '#common/index.js';
import type { Guard } from '../auth/guard.js';
import { accessReview, POWER_ACTION_NAMES } from '../audit/access-review.js';
import { auditCsv } from '../audit/audit-csv.js';
import { auditRecord, auditSearch } from '../audit/audit-records.js';
import { addRoute, queryOf } from '../http/contract-route.js';
import { HttpError } from '../http/errors.js';
import type { Clock } from '../runtime/clock.js';
import type { KlaxonStore } from '../store/store.js';

export interface AuditRouteDeps {
  guard: Guard;
  store: Pick<KlaxonStore, 'searchAudit' | 'auditActorUses'>;
  retentionDays: number;
  clock: Clock;
}

/** Entries read per store call while exporting. */
const EXPORT_BATCH = 1000;
/** An export larger than this is refused: narrow the time range (it would be held in memory). */
export const EXPORT_MAX = 100_000;

/**
 * The auditors' routes (`groups.audit`): `GET /api/v1/audit` (filtered, paged, newest first),
 * `GET /api/v1/audit/export` (CSV or JSON download) and `GET /api/v1/audit/access-review`.
 */
export async function auditRoutes(app: FastifyInstance, deps: AuditRouteDeps): Promise<void> {
  addRoute(app, 'auditLog', deps.guard, async (req, reply) => {
    const q = queryOf('auditLog', req.query);
    const beforeId = q.cursor === undefined ? undefined : Number(q.cursor);
    // One more than asked tells whether there is a next page.
    const found = await deps.store.searchAudit(auditSearch(q, q.limit + 1, beforeId));
    const entries = found.slice(0, q.limit);
    reply.header('cache-control', 'no-store');
    return {
      entries: entries.map(auditRecord),
      nextCursor: found.length > q.limit ? String(entries[entries.length - 1]!.id) : null,
      retentionDays: deps.retentionDays,
    };
  });

  addRoute(app, 'auditExport', deps.guard, async (req, reply) => {
    const q = queryOf('auditExport', req.query);
    const records: AuditRecord[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const batch = await deps.store.searchAudit(auditSearch(q, EXPORT_BATCH, beforeId));
      records.push(...batch.map(auditRecord));
      if (records.length > EXPORT_MAX)
        throw new HttpError(
          400,
          'invalid_request',
          `More than ${EXPORT_MAX} entries match: narrow the time range (from, to) and export in parts.`,
          { field: 'from' },
        );
      if (batch.length < EXPORT_BATCH) break;
      beforeId = batch[batch.length - 1]!.id;
    }
    const stamp = new Date(deps.clock.now()).toISOString().replace(/[:.]/g, '-');
    reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="klaxon-audit-${stamp}.${q.format}"`)
      .type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    // A string with its content type set is sent as it is (already CSV, or already JSON).
    return q.format === 'csv' ? auditCsv(records) : JSON.stringify({ entries: records }, null, 1);
  });

  addRoute(app, 'accessReview', deps.guard, async (req, reply) => {
    const { months } = queryOf('accessReview', req.query);
    const uses = await deps.store.auditActorUses(POWER_ACTION_NAMES);
    reply.header('cache-control', 'no-store');
    return accessReview(uses, { now: new Date(deps.clock.now()), months, retentionDays: deps.retentionDays });
  });
}
