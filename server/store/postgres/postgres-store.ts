import type pg from 'pg';
import type { IncidentBackend, Page } from '#common/index.js';
import { decideRate, type RateLimitRule } from '../../pages/rate-limit.js';
import type {
  AcceptOutcome,
  AuditActorUses,
  AuditSearch,
  StoredAuditEntry,
  Announcement,
  AnnouncementCounts,
  AnnouncementOutcome,
  AuditEntry,
  EscalationRecord,
  EscalationStatus,
  KlaxonAck,
  KlaxonStore,
  NewAnnouncement,
  PageFollowUp,
  PagePatch,
  PageRecord,
  WebSession,
} from '../store.js';
import { checkFence, type LeaderFence } from '../../cluster/leadership.js';
import { PERSON_LOCK_SPACE } from './advisory-locks.js';
import * as auditLog from './postgres-audit-log.js';
import * as records from './postgres-incident-records.js';
import { checkOut, DURABLE_BEGIN, oneLine, storageError } from './pool.js';
import { pageRecordOf, type PageRowOf } from '../page-row.js';

interface PageRow extends PageRowOf<Date> {
  /** bigint, as pg returns it: text. */
  seq: string;
}

interface SessionRow {
  id: string;
  sub: string;
  name: string;
  email: string | null;
  groups: string[];
  username: string | null;
  csrf_token: string;
  access_expires_at: Date;
  refresh_token: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const date = (s: string | null): Date | null => (s === null ? null : new Date(s));

const toRecord = (r: PageRow): PageRecord => pageRecordOf(r, iso);

/** The longest rate-limit window the configuration allows is a day. */
const RATE_EVENT_RETENTION_MS = 24 * 3600_000;
const SESSION_PRUNE_EVERY_MS = 10 * 60_000;
/** An expired session without a refresh token still explains "your sign-in has expired" for a day. */
const DEAD_SESSION_GRACE_MS = 24 * 3600_000;
/** A session not renewed for this long cannot be renewed (refresh tokens live hours, not weeks). */
const STALE_SESSION_MS = 30 * 24 * 3600_000;
/** Statuses the delivery worker still has to act on. */
const UNDELIVERED = "('queued','delivering','failing')";
/** Deadlock and serialisation failures: PostgreSQL rolled the transaction back, so it can simply run again. */
const RETRY_STATES = new Set(['40001', '40P01']);

/**
 * The columns each statement reads, named: a prepared statement selecting `*` fails ("cached plan
 * must not change result type") once a newer release has added a column, which is what a rolling
 * upgrade does under running servers.
 */
const PAGE_COLUMNS = [
  'id',
  'requester_sub',
  'requester_name',
  'requester_email',
  'summary',
  'details',
  'target_id',
  'target_label',
  'routing_key',
  'client',
  'status',
  'attempts',
  'last_error',
  'next_attempt_at',
  'gave_up_at',
  'incident_number',
  'acked_by',
  'acked_at',
  'acked_by_name',
  'created_at',
  'updated_at',
  'delivered_at',
  'muted_at',
  'unconfirmed_at',
  'backend',
  'idempotency_key',
  'request_hash',
  'seq',
];
const PAGE = PAGE_COLUMNS.join(', ');
const SESSION =
  'id, sub, name, email, groups, username, csrf_token, access_expires_at, refresh_token, created_at, revoked_at';

const statementNames = new Map<string, string>();
/**
 * A statement with a name derived from its text: pg prepares a named statement once per
 * connection, so PostgreSQL parses and plans each of Klaxon's statements once, not per request.
 */
function statement(text: string, values: unknown[] = []): pg.QueryConfig {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `klaxon-${statementNames.size + 1}`));
  return { name, text, values };
}

const SQL = {
  lockPerson: 'SELECT pg_advisory_xact_lock($1, hashtext($2))',
  /** What accepting needs to know, in one round trip: an earlier page under this key, and the person's recent pages. */
  lookAround: `SELECT (SELECT id FROM pages WHERE requester_sub = $1 AND idempotency_key = $2) AS existing,
      ARRAY(SELECT at FROM rate_events WHERE user_sub = $1 AND at > $3) AS earlier`,
  /** The page, its rate event and its audit entry, and rate events past any window pruned: one statement. */
  insertPage: `WITH page AS (
      INSERT INTO pages (id, requester_sub, requester_name, requester_email, summary, details, target_id, target_label,
        routing_key, client, status, attempts, last_error, next_attempt_at, created_at, updated_at, idempotency_key,
        request_hash, backend)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $27)
    ), rate AS (
      INSERT INTO rate_events (user_sub, at) VALUES ($2, $19)
    ), audit AS (
      INSERT INTO audit_log (at, actor_sub, actor_name, actor_groups, action, page_id, detail) VALUES ($20, $21, $22, $26, $23, $1, $24)
    ), pruned AS (
      DELETE FROM rate_events WHERE at < $25
    ) SELECT 1`,
  pruneRate: 'DELETE FROM rate_events WHERE at < $1',
  pruneSessions:
    'DELETE FROM sessions WHERE revoked_at IS NOT NULL OR (refresh_token IS NULL AND access_expires_at < $1) OR access_expires_at < $2',
  byId: `SELECT ${PAGE} FROM pages WHERE id = $1`,
  claim: `WITH due AS (
      SELECT id FROM pages
      WHERE status IN ${UNDELIVERED} AND gave_up_at IS NULL
        AND (next_attempt_at IS NULL OR next_attempt_at <= $1) AND (lease_until IS NULL OR lease_until < $1)
        AND (attempts = 0 OR $2::text[] IS NULL OR COALESCE(backend, 'oncall') = ANY($2::text[]))
      ORDER BY created_at, seq LIMIT $3
      FOR UPDATE SKIP LOCKED
    )
    UPDATE pages SET status = 'delivering', attempts = pages.attempts + 1, lease_owner = $4, lease_until = $5,
      next_attempt_at = NULL, updated_at = $1
    FROM due WHERE pages.id = due.id
    RETURNING ${PAGE_COLUMNS.map((c) => `pages.${c}`).join(', ')}`,
} as const;

/**
 * KlaxonStore on PostgreSQL, for several Klaxon servers on one database. Each method is one
 * transaction (or one statement), so any server answers any request the same way: idempotency
 * keys, rate-limit events, web sessions and delivery leases all live in the database, never in
 * this process. Delivery claims take due pages with `FOR UPDATE SKIP LOCKED`: two servers
 * claiming at once get different pages, and a page whose lease ran out (its server died
 * mid-delivery) is claimed again by whichever server looks next, with its attempt count going up,
 * so the worker looks for its incident before resending. Errors that mean the database cannot be
 * reached surface as StorageUnavailableError.
 */
export class PostgresStore implements KlaxonStore {
  private sessionsPrunedAt = -Infinity;

  /** `pool`: connected and migrated (open-store.ts); the store ends it on close, after `onClose`. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  /** One statement on any connection of the pool (its own transaction). */
  private async query<Row extends pg.QueryResultRow>(
    q: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<pg.QueryResult<Row>> {
    try {
      return await this.pool.query<Row>(typeof q === 'string' ? statement(q, values) : q);
    } catch (e) {
      throw storageError(e);
    }
  }

  /**
   * Runs `fn` in one transaction on one connection; commits what it returns. A deadlock or
   * serialisation failure (rolled back by PostgreSQL) runs it again; anything else rolls back and
   * throws. A connection that broke is not returned to the pool.
   */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>, opts: { durable?: boolean } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let connection: Awaited<ReturnType<typeof checkOut>>;
      try {
        connection = await checkOut(this.pool);
      } catch (e) {
        throw storageError(e);
      }
      const { client } = connection;
      let broken = false;
      try {
        await client.query(opts.durable ? DURABLE_BEGIN : 'BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        const code = (e as { code?: string }).code;
        if (code && RETRY_STATES.has(code) && attempt < 3) continue;
        throw storageError(e);
      } finally {
        connection.done(broken);
      }
    }
  }

  async acceptPage(input: {
    record: PageRecord;
    rate: RateLimitRule;
    now: Date;
    audit: AuditEntry;
    announcements?: readonly NewAnnouncement[];
  }): Promise<AcceptOutcome> {
    const { record, rate, now, audit } = input;
    const sub = record.page.requester.sub;
    // The 202 is a promise to the person paging: this COMMIT returns only once the page is durable
    // (synchronous_commit on). Later writes (claims, status changes, the tracker) commit without
    // waiting for the flush, as the SQLite store's do (synchronous=NORMAL): after a crash of the
    // database server the worst case is one more attempt, which the page's entity id and the look
    // before resend make harmless; so they do not queue for the disk ahead of the next accept.
    return this.tx(
      async (c): Promise<AcceptOutcome> => {
        // One person's accepts, on whichever server, take turns: the look below (a statement of its
        // own, so its snapshot is taken after the lock) sees every page of theirs committed before.
        await c.query(statement(SQL.lockPerson, [PERSON_LOCK_SPACE, sub]));
        const nowMs = now.getTime();
        const since = new Date(nowMs - rate.windowSeconds * 1000);
        const [look] = (
          await c.query<{ existing: string | null; earlier: Date[] }>(
            statement(SQL.lookAround, [sub, record.idempotencyKey, since]),
          )
        ).rows;
        if (look?.existing) {
          const prior = toRecord((await c.query<PageRow>(statement(SQL.byId, [look.existing]))).rows[0]!);
          return prior.requestHash === record.requestHash
            ? { kind: 'replay', page: prior.page }
            : { kind: 'conflict', page: prior.page };
        }
        const decision = decideRate(
          (look?.earlier ?? []).map((d) => d.getTime()),
          rate,
          nowMs,
        );
        if (!decision.allowed)
          return { kind: 'rate_limited', count: decision.count, retryAfterSeconds: decision.retryAfterSeconds };
        const p = record.page;
        await c.query(
          statement(SQL.insertPage, [
            p.id,
            p.requester.sub,
            p.requester.name,
            p.requester.email,
            p.summary,
            p.details,
            p.target.id,
            p.target.label,
            record.routingKey,
            p.client,
            p.status,
            p.attempts,
            p.lastError,
            date(p.nextAttemptAt),
            new Date(p.createdAt),
            new Date(p.updatedAt),
            record.idempotencyKey,
            record.requestHash,
            now,
            audit.at,
            audit.actorSub,
            audit.actorName,
            audit.action,
            JSON.stringify(audit.detail),
            new Date(nowMs - RATE_EVENT_RETENTION_MS),
            audit.actorGroups ?? null,
            p.backend ?? null,
          ]),
        );
        await records.insertAnnouncements(c, input.announcements ?? [], now);
        await this.pruneSessions(c, nowMs);
        return { kind: 'created', page: p };
      },
      { durable: true },
    );
  }

  async getPage(id: string): Promise<PageRecord | null> {
    const row = (await this.query<PageRow>(SQL.byId, [id])).rows[0];
    return row ? toRecord(row) : null;
  }

  async pagesOf(sub: string, limit: number): Promise<Page[]> {
    const { rows } = await this.query<PageRow>(
      `SELECT ${PAGE} FROM pages WHERE requester_sub = $1 ORDER BY created_at DESC, seq DESC LIMIT $2`,
      [sub, limit],
    );
    return rows.map((r) => toRecord(r).page);
  }

  async claimDuePages(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
    opts: { retriesOf?: readonly IncidentBackend[] } = {},
  ): Promise<PageRecord[]> {
    const { rows } = await this.query<PageRow>(SQL.claim, [
      now,
      opts.retriesOf ?? null,
      limit,
      owner,
      new Date(now.getTime() + leaseMs),
    ]);
    // UPDATE … RETURNING keeps no order: oldest first, as they were chosen.
    rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || Number(a.seq) - Number(b.seq));
    return rows.map(toRecord);
  }

  async nextDueAt(): Promise<Date | null> {
    const { rows } = await this.query<{ t: Date | null }>(
      `SELECT MIN(COALESCE(lease_until, next_attempt_at, 'epoch'::timestamptz)) AS t FROM pages
       WHERE status IN ${UNDELIVERED} AND gave_up_at IS NULL`,
    );
    return rows[0]?.t ?? null;
  }

  async makeFailingPagesDue(now: Date, service: IncidentBackend): Promise<Page[]> {
    const { rows } = await this.query<PageRow>(
      `UPDATE pages SET next_attempt_at = $1, updated_at = $1
       WHERE status = 'failing' AND gave_up_at IS NULL AND next_attempt_at > $1 AND COALESCE(backend, 'oncall') = $2
       RETURNING ${PAGE}`,
      [now, service],
    );
    rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || Number(a.seq) - Number(b.seq));
    return rows.map((r) => toRecord(r).page);
  }

  async returnUnsentPage(id: string, owner: string, nextAttemptAt: Date): Promise<Page | null> {
    const { rows } = await this.query<PageRow>(
      `UPDATE pages SET attempts = attempts - 1, status = CASE WHEN attempts > 1 THEN 'failing' ELSE 'queued' END,
         next_attempt_at = $1, lease_owner = NULL, lease_until = NULL, updated_at = $2
       WHERE id = $3 AND lease_owner = $4 AND status = 'delivering' RETURNING ${PAGE}`,
      [nextAttemptAt, new Date(), id, owner],
    );
    return rows[0] ? toRecord(rows[0]).page : null;
  }

  async updatePage(
    id: string,
    patch: PagePatch,
    opts: { onlyIfLeasedBy?: string; audit?: Omit<AuditEntry, 'pageId'> } = {},
  ): Promise<Page | null> {
    const row = (await this.query<PageRow>(pageUpdate(id, patch, opts))).rows[0];
    return row ? toRecord(row).page : null;
  }

  async followPages(
    ids: readonly string[],
    decide: (page: Page) => PageFollowUp | null,
    opts: { fence?: LeaderFence } = {},
  ): Promise<Page[]> {
    if (ids.length === 0) return [];
    return this.tx(async (c) => {
      // Written as leader: refused (FencedOut) once another replica was elected.
      if (opts.fence) await checkFence(c, opts.fence);
      // Locked in one order (by id) on every server: two trackers following the same pages wait
      // for each other instead of deadlocking.
      const { rows } = await c.query<PageRow>(
        statement(`SELECT ${PAGE} FROM pages WHERE id = ANY($1) ORDER BY id FOR UPDATE`, [[...ids]]),
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      const changed: Page[] = [];
      for (const id of ids) {
        const row = byId.get(id);
        const next = row ? decide(toRecord(row).page) : null;
        if (!next) continue;
        const updated = (await c.query<PageRow>(pageUpdate(id, next.patch, { audit: next.audit }))).rows[0];
        if (updated) changed.push(toRecord(updated).page);
      }
      return changed;
    });
  }

  async unfinishedPageIds(): Promise<string[]> {
    const { rows } = await this.query<{ id: string }>(
      "SELECT id FROM pages WHERE status <> 'resolved' AND created_at > $1 ORDER BY created_at, seq",
      [new Date(Date.now() - 7 * 24 * 3600_000)],
    );
    return rows.map((r) => r.id);
  }

  async pagesAwaitingIncident(deliveredBefore: Date): Promise<string[]> {
    const { rows } = await this.query<{ id: string }>(
      `SELECT id FROM pages WHERE status = 'delivered' AND incident_number IS NULL AND unconfirmed_at IS NULL
       AND delivered_at <= $1 ORDER BY created_at, seq`,
      [deliveredBefore],
    );
    return rows.map((r) => r.id);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const { rows } = await this.query<{ status: string; gave_up: boolean; n: number }>(
      'SELECT status, gave_up_at IS NOT NULL AS gave_up, COUNT(*)::int AS n FROM pages GROUP BY 1, 2',
    );
    const out: Record<string, number> = {};
    for (const r of rows) {
      const key = r.gave_up ? 'gave_up' : r.status;
      out[key] = (out[key] ?? 0) + r.n;
    }
    return out;
  }

  async createSession(s: WebSession): Promise<void> {
    await this.query(
      `INSERT INTO sessions (id, sub, name, email, groups, username, csrf_token, access_expires_at, refresh_token,
       created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        s.id,
        s.sub,
        s.name,
        s.email,
        s.groups,
        s.username,
        s.csrfToken,
        s.accessExpiresAt,
        s.refreshToken,
        s.createdAt,
        s.revokedAt,
      ],
    );
  }

  async getSession(id: string): Promise<WebSession | null> {
    const r = (await this.query<SessionRow>(`SELECT ${SESSION} FROM sessions WHERE id = $1`, [id])).rows[0];
    if (!r) return null;
    return {
      id: r.id,
      sub: r.sub,
      name: r.name,
      email: r.email,
      groups: r.groups,
      username: r.username,
      csrfToken: r.csrf_token,
      accessExpiresAt: r.access_expires_at,
      refreshToken: r.refresh_token,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    };
  }

  async updateSession(
    id: string,
    patch: { accessExpiresAt?: Date; refreshToken?: string | null; groups?: string[] },
  ): Promise<void> {
    await this.query(
      `UPDATE sessions SET access_expires_at = COALESCE($2, access_expires_at),
         refresh_token = CASE WHEN $3::boolean THEN $4::text ELSE refresh_token END,
         groups = COALESCE($5::text[], groups), renewing_until = NULL
       WHERE id = $1`,
      [
        id,
        patch.accessExpiresAt ?? null,
        patch.refreshToken !== undefined,
        patch.refreshToken ?? null,
        patch.groups ?? null,
      ],
    );
  }

  async claimSessionRenewal(id: string, refreshToken: string, now: Date, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE sessions SET renewing_until = $4 WHERE id = $1 AND refresh_token = $2 AND revoked_at IS NULL
       AND (renewing_until IS NULL OR renewing_until <= $3)`,
      [id, refreshToken, now, new Date(now.getTime() + leaseMs)],
    );
    return rowCount === 1;
  }

  async revokeSession(id: string, at: Date): Promise<void> {
    // A sign-out must survive a crash of the database server, or the cookie would work again.
    await this.tx(
      (c) =>
        c.query(
          statement('UPDATE sessions SET revoked_at = $2, refresh_token = NULL WHERE id = $1 AND revoked_at IS NULL', [
            id,
            at,
          ]),
        ),
      { durable: true },
    );
  }

  async enqueueAnnouncements(items: readonly NewAnnouncement[], now: Date): Promise<void> {
    if (items.length > 0) await this.tx((c) => records.insertAnnouncements(c, items, now));
  }

  async claimAnnouncements(
    channel: string,
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<{ claimed: Announcement[]; abandoned: Announcement[] }> {
    return this.tx((c) => records.claimAnnouncements(c, channel, owner, now, leaseMs, limit));
  }

  async startSendingAnnouncement(id: number, owner: string, now: Date): Promise<boolean> {
    return this.tx((c) => records.startSendingAnnouncement(c, id, owner, now));
  }

  async finishAnnouncement(id: number, owner: string, outcome: AnnouncementOutcome): Promise<boolean> {
    return this.tx((c) => records.finishAnnouncement(c, id, owner, outcome));
  }

  async announcementCounts(now: Date): Promise<AnnouncementCounts[]> {
    return this.tx((c) => records.announcementCounts(c, now));
  }

  async recordAcknowledgement(ack: KlaxonAck, audit: AuditEntry): Promise<void> {
    await this.tx(async (c) => {
      await records.recordAck(c, ack);
      await records.insertAudit(c, audit);
    });
  }

  async acknowledgementsSince(since: Date): Promise<KlaxonAck[]> {
    return this.tx((c) => records.acksSince(c, since));
  }

  async claimEscalation(e: EscalationRecord, audit: AuditEntry, opts: { fence?: LeaderFence } = {}): Promise<boolean> {
    return this.tx((c) => records.claimEscalation(c, e, audit, opts.fence));
  }

  async settleEscalation(
    incidentNumber: string,
    outcome: { status: Exclude<EscalationStatus, 'sending'>; message: string | null; at: Date },
    audit: AuditEntry,
    opts: { fence?: LeaderFence } = {},
  ): Promise<EscalationRecord | null> {
    return this.tx((c) => records.settleEscalation(c, incidentNumber, outcome, audit, opts.fence));
  }

  async releaseEscalation(incidentNumber: string, audit: AuditEntry): Promise<void> {
    await this.tx((c) => records.releaseEscalation(c, incidentNumber, audit));
  }

  async escalationsSince(since: Date): Promise<EscalationRecord[]> {
    return this.tx((c) => records.escalationsSince(c, since));
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.tx((c) => records.insertAudit(c, entry));
  }

  async searchAudit(q: AuditSearch): Promise<StoredAuditEntry[]> {
    return this.tx((c) => auditLog.searchAudit(c, q));
  }

  async auditActorUses(actions: readonly string[]): Promise<AuditActorUses[]> {
    return this.tx((c) => auditLog.auditActorUses(c, actions));
  }

  async pruneAudit(before: Date): Promise<number> {
    return this.tx((c) => auditLog.pruneAudit(c, before));
  }

  async checkWritable(): Promise<{ ok: boolean; error: string | null }> {
    try {
      const now = new Date();
      const written = await this.tx(async (c) => {
        const { rows } = await c.query<{ at: Date }>(
          statement(
            'INSERT INTO health_probe (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at RETURNING at',
            [now],
          ),
        );
        await c.query(statement(SQL.pruneRate, [new Date(now.getTime() - RATE_EVENT_RETENTION_MS)]));
        await this.pruneSessions(c, now.getTime());
        return rows[0]?.at;
      });
      if (written?.getTime() !== now.getTime()) return { ok: false, error: 'storage did not return what was written' };
      return { ok: true, error: null };
    } catch (e) {
      return { ok: false, error: `storage is not writable: ${oneLine((e as Error).message)}` };
    }
  }

  /**
   * Keeps the sessions table small: at most every few minutes (per server), sessions nobody can use
   * any more. (Rate events older than the longest window go as pages are accepted.)
   */
  private async pruneSessions(c: pg.ClientBase, nowMs: number): Promise<void> {
    if (nowMs - this.sessionsPrunedAt < SESSION_PRUNE_EVERY_MS) return;
    this.sessionsPrunedAt = nowMs;
    await c.query(
      statement(SQL.pruneSessions, [new Date(nowMs - DEAD_SESSION_GRACE_MS), new Date(nowMs - STALE_SESSION_MS)]),
    );
  }

  private closing: Promise<void> | null = null;
  close(): Promise<void> {
    this.closing ??= this.onClose()
      .catch(() => undefined)
      .then(() => this.pool.end());
    return this.closing;
  }
}

/**
 * One UPDATE for a page patch (with `onlyIfLeasedBy`: only while that owner holds the lease), and
 * its audit entry in the same statement when there is one, returning the new row.
 */
function pageUpdate(
  id: string,
  patch: PagePatch,
  opts: { onlyIfLeasedBy?: string; audit?: Omit<AuditEntry, 'pageId'> },
): pg.QueryConfig {
  const values: unknown[] = [id, new Date()];
  const sets: string[] = [];
  const param = (v: unknown, cast = '') => {
    values.push(v);
    return `$${values.length}${cast}`;
  };
  const col = (name: string, v: unknown) => sets.push(`${name} = ${param(v)}`);
  if (patch.status !== undefined) col('status', patch.status);
  if (patch.lastError !== undefined) col('last_error', patch.lastError);
  if (patch.nextAttemptAt !== undefined) col('next_attempt_at', patch.nextAttemptAt);
  if (patch.gaveUpAt !== undefined) col('gave_up_at', patch.gaveUpAt);
  if (patch.incidentNumber !== undefined) col('incident_number', patch.incidentNumber);
  if (patch.ackedBy !== undefined) col('acked_by', patch.ackedBy);
  if (patch.ackedAt !== undefined) col('acked_at', patch.ackedAt);
  if (patch.ackedByName !== undefined) col('acked_by_name', patch.ackedByName);
  if (patch.deliveredAt !== undefined) col('delivered_at', patch.deliveredAt);
  if (patch.mutedAt !== undefined) col('muted_at', patch.mutedAt);
  if (patch.unconfirmedAt !== undefined) col('unconfirmed_at', patch.unconfirmedAt);
  // A page that left "delivering" no longer needs its lease.
  if (patch.status !== undefined && patch.status !== 'delivering') sets.push('lease_owner = NULL, lease_until = NULL');
  sets.push('updated_at = $2');
  let where = 'id = $1';
  if (opts.onlyIfLeasedBy !== undefined)
    where += ` AND lease_owner = ${param(opts.onlyIfLeasedBy)} AND status = 'delivering'`;
  const update = `UPDATE pages SET ${sets.join(', ')} WHERE ${where} RETURNING ${PAGE}`;
  const a = opts.audit;
  if (!a) return statement(update, values);
  const audit = [
    param(a.at, '::timestamptz'),
    param(a.actorSub, '::text'),
    param(a.actorName, '::text'),
    param(a.actorGroups ?? null, '::text[]'),
    param(a.action, '::text'),
  ];
  const detail = param(JSON.stringify(a.detail), '::jsonb');
  return statement(
    `WITH changed AS (${update}), logged AS (
      INSERT INTO audit_log (at, actor_sub, actor_name, actor_groups, action, page_id, detail) SELECT ${audit.join(', ')}, id, ${detail} FROM changed
    ) SELECT ${PAGE} FROM changed`,
    values,
  );
}
