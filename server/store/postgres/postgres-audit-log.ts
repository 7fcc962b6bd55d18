import type pg from 'pg';
import type { AuditActorUses, AuditSearch, StoredAuditEntry } from '../store.js';

/**
 * What auditors read of the PostgreSQL audit log (the SQLite store's searchAudit, auditActorUses
 * and pruneAudit, same answers): functions over a client the store passes in, inside its transactions.
 */

type Client = Pick<pg.ClientBase, 'query'>;

const AUDIT = 'id, at, actor_sub, actor_name, actor_groups, action, page_id, detail';

interface AuditRow {
  /** bigint, as pg returns it: text. */
  id: string;
  at: Date;
  actor_sub: string | null;
  actor_name: string | null;
  actor_groups: string[] | null;
  action: string;
  page_id: string | null;
  detail: Record<string, unknown>;
}

const toEntry = (r: AuditRow): StoredAuditEntry => ({
  id: Number(r.id),
  at: r.at,
  actorSub: r.actor_sub,
  actorName: r.actor_name,
  actorGroups: r.actor_groups,
  action: r.action,
  pageId: r.page_id,
  detail: r.detail,
});

export async function searchAudit(c: Client, q: AuditSearch): Promise<StoredAuditEntry[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (q.person !== undefined) {
    const p = param(q.person);
    // strpos on lower(): a plain substring, so % and _ in what the auditor typed match themselves.
    where.push(`(actor_sub = ${p} OR strpos(lower(actor_name), lower(${p})) > 0)`);
  }
  if (q.action !== undefined) where.push(`action = ${param(q.action)}`);
  if (q.from !== undefined) where.push(`at >= ${param(q.from)}`);
  if (q.to !== undefined) where.push(`at < ${param(q.to)}`);
  if (q.beforeId !== undefined) where.push(`id < ${param(q.beforeId)}`);
  const limit = param(q.limit);
  const { rows } = await c.query<AuditRow>(
    `SELECT ${AUDIT} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`,
    values,
  );
  return rows.map(toEntry);
}

export async function auditActorUses(c: Client, actions: readonly string[]): Promise<AuditActorUses[]> {
  if (!actions.length) return [];
  const counts = (
    await c.query<{ sub: string; action: string; n: string }>(
      `SELECT actor_sub AS sub, action, COUNT(*) AS n FROM audit_log
       WHERE actor_sub IS NOT NULL AND action = ANY($1) GROUP BY actor_sub, action`,
      [[...actions]],
    )
  ).rows;
  const lasts = (
    await c.query<AuditRow>(
      `SELECT ${AUDIT} FROM audit_log WHERE id IN (SELECT MAX(id) FROM audit_log
       WHERE actor_sub IS NOT NULL AND action = ANY($1) GROUP BY actor_sub) ORDER BY id`,
      [[...actions]],
    )
  ).rows;
  return lasts.map((r) => ({
    sub: r.actor_sub!,
    last: toEntry(r),
    counts: Object.fromEntries(counts.filter((n) => n.sub === r.actor_sub).map((n) => [n.action, Number(n.n)])),
  }));
}

export async function pruneAudit(c: Client, before: Date): Promise<number> {
  const { rowCount } = await c.query('DELETE FROM audit_log WHERE at < $1', [before]);
  return rowCount ?? 0;
}
