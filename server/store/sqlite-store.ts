import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementResultingChanges, type StatementSync } from 'node:sqlite';
import type { IncidentBackend, Page } from '#common/index.js';
import { pageRecordOf, type PageRowOf } from './page-row.js';
import { decideRate, type RateLimitRule } from '../pages/rate-limit.js';
import { migrateSqlite } from './migrations/sqlite-migrations.js';
import { ANNOUNCEMENT_OUTCOME_UNKNOWN, ANNOUNCEMENT_RETENTION_MS } from './announcement-rules.js';
import { SqliteIncidentRecords } from './sqlite-incident-records.js';
import type {
  AcceptOutcome,
  Announcement,
  AnnouncementCounts,
  AnnouncementOutcome,
  AuditActorUses,
  AuditEntry,
  AuditSearch,
  NewAnnouncement,
  EscalationRecord,
  EscalationStatus,
  KlaxonAck,
  KlaxonStore,
  PageFollowUp,
  PagePatch,
  PageRecord,
  StoredAuditEntry,
  WebSession,
} from './store.js';

interface AuditRow {
  id: number;
  at: number;
  actor_sub: string | null;
  actor_name: string | null;
  actor_groups: string | null;
  action: string;
  page_id: string | null;
  detail: string;
}

function toAuditEntry(r: AuditRow): StoredAuditEntry {
  return {
    id: r.id,
    at: new Date(r.at),
    actorSub: r.actor_sub,
    actorName: r.actor_name,
    actorGroups: r.actor_groups === null ? null : (JSON.parse(r.actor_groups) as string[]),
    action: r.action,
    pageId: r.page_id,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}

interface PageRow extends PageRowOf<number> {
  lease_owner: string | null;
  lease_until: number | null;
}

interface AnnouncementRow {
  id: number;
  channel: string;
  event_key: string;
  text: string;
  resend_safe: number;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  sending_at: number | null;
}

const toAnnouncement = (r: AnnouncementRow): Announcement => ({
  id: r.id,
  channel: r.channel,
  key: r.event_key,
  text: r.text,
  resendSafe: r.resend_safe === 1,
  createdAt: new Date(r.created_at),
  attempts: r.attempts,
});

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const ms = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

const toRecord = (r: PageRow): PageRecord => pageRecordOf(r, iso);

/** The longest rate-limit window the configuration allows is a day. */
const RATE_EVENT_RETENTION_MS = 24 * 3600_000;
const SESSION_PRUNE_EVERY_MS = 10 * 60_000;
/** An expired session without a refresh token still explains "your sign-in has expired" for a day. */
const DEAD_SESSION_GRACE_MS = 24 * 3600_000;
/** A session not renewed for this long cannot be renewed (refresh tokens live hours, not weeks). */
const STALE_SESSION_MS = 30 * 24 * 3600_000;

/**
 * A prepared statement with the parameters it takes and the row it returns: node:sqlite types every
 * row as `Record<string, SQLOutputValue>`, so the shape is stated once here, where the SQL is.
 */
interface Query<Params extends unknown[], Row> {
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
  run(...params: Params): StatementResultingChanges;
}

/** Statuses the delivery worker still has to act on. */
const UNDELIVERED = "('queued','delivering','failing')";

/**
 * KlaxonStore on one SQLite file (WAL; accepting a page commits with synchronous=FULL so an
 * accepted page survives a power cut), through Node's built-in `node:sqlite` (no native module to
 * build). It is synchronous: each method is one short transaction on the event loop (answered
 * through the store's asynchronous interface), which keeps the accept path in the low milliseconds.
 * Every statement is prepared once, including the transaction and pragma ones.
 */
export class SqliteStore implements KlaxonStore {
  private readonly db: DatabaseSync;
  private sessionsPrunedAt = -Infinity;
  private readonly stmts;
  private readonly tx;
  private readonly records: SqliteIncidentRecords;
  private readonly updates = new Map<string, Query<[Record<string, SQLInputValue>], PageRow>>();
  private readonly auditSearches = new Map<string, Query<[Record<string, SQLInputValue>], AuditRow>>();

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new DatabaseSync(file);
    try {
      this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
      migrateSqlite(this.db, 'storage.sqlitePath');
      this.records = new SqliteIncidentRecords(this.db);
    } catch (e) {
      // A file that opens but is not a database (or is locked): do not leave the handle open.
      this.db.close();
      throw e;
    }
    const prepare = <Params extends SQLInputValue[] | [Record<string, SQLInputValue>], Row = never>(sql: string) =>
      this.db.prepare(sql) as unknown as Query<Params, Row>;
    const raw = (sql: string): StatementSync => this.db.prepare(sql);
    this.tx = {
      begin: raw('BEGIN IMMEDIATE'),
      commit: raw('COMMIT'),
      rollback: raw('ROLLBACK'),
      syncFull: raw('PRAGMA synchronous = FULL'),
      syncNormal: raw('PRAGMA synchronous = NORMAL'),
    };
    this.stmts = {
      byIdem: prepare<[string, string], PageRow>('SELECT * FROM pages WHERE requester_sub = ? AND idempotency_key = ?'),
      byId: prepare<[string], PageRow>('SELECT * FROM pages WHERE id = ?'),
      rateEvents: prepare<[string, number], { at: number }>('SELECT at FROM rate_events WHERE user_sub = ? AND at > ?'),
      insertRate: prepare<[string, number]>('INSERT INTO rate_events (user_sub, at) VALUES (?, ?)'),
      pruneRate: prepare<[number]>('DELETE FROM rate_events WHERE at < ?'),
      pruneSessions: prepare<[number, number]>(
        'DELETE FROM sessions WHERE revoked_at IS NOT NULL OR (refresh_token IS NULL AND access_expires_at < ?) OR access_expires_at < ?',
      ),
      insertPage: prepare<[Record<string, SQLInputValue>]>(
        `INSERT INTO pages (id, requester_sub, requester_name, requester_email, summary, details, target_id, target_label,
        routing_key, client, status, attempts, last_error, next_attempt_at, gave_up_at, incident_number, acked_by, acked_at, created_at,
        updated_at, delivered_at, idempotency_key, request_hash, backend) VALUES (@id, @requester_sub, @requester_name, @requester_email, @summary,
        @details, @target_id, @target_label, @routing_key, @client, @status, @attempts, @last_error, @next_attempt_at, @gave_up_at,
        @incident_number, @acked_by, @acked_at, @created_at, @updated_at, @delivered_at, @idempotency_key, @request_hash, @backend)`,
      ),
      insertAudit: prepare<[number, string | null, string | null, string | null, string, string | null, string]>(
        'INSERT INTO audit_log (at, actor_sub, actor_name, actor_groups, action, page_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      pruneAudit: prepare<[number]>('DELETE FROM audit_log WHERE at < ?'),
      pagesOf: prepare<[string, number], PageRow>(
        'SELECT * FROM pages WHERE requester_sub = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
      ),
      due: prepare<[number, number, string | null, string | null, number], PageRow>(
        `SELECT * FROM pages WHERE status IN ${UNDELIVERED} AND gave_up_at IS NULL
         AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND (lease_until IS NULL OR lease_until < ?)
         AND (attempts = 0 OR ? IS NULL OR COALESCE(backend, 'oncall') IN (SELECT value FROM json_each(?)))
         ORDER BY created_at LIMIT ?`,
      ),
      claim: prepare<[string, number, number, string], PageRow>(
        "UPDATE pages SET status = 'delivering', attempts = attempts + 1, lease_owner = ?, lease_until = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ? RETURNING *",
      ),
      failingDue: prepare<[number, number, number, string], PageRow>(
        `UPDATE pages SET next_attempt_at = ?, updated_at = ? WHERE status = 'failing' AND gave_up_at IS NULL
         AND next_attempt_at > ? AND COALESCE(backend, 'oncall') = ? RETURNING *`,
      ),
      giveBack: prepare<[number, number, string, string], PageRow>(
        `UPDATE pages SET attempts = attempts - 1, status = CASE WHEN attempts > 1 THEN 'failing' ELSE 'queued' END,
         next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE id = ? AND lease_owner = ? AND status = 'delivering' RETURNING *`,
      ),
      nextDue: prepare<[], { t: number | null }>(
        `SELECT MIN(COALESCE(lease_until, next_attempt_at, 0)) AS t FROM pages WHERE status IN ${UNDELIVERED} AND gave_up_at IS NULL`,
      ),
      awaitingIncident: prepare<[number], { id: string }>(
        "SELECT id FROM pages WHERE status = 'delivered' AND incident_number IS NULL AND unconfirmed_at IS NULL AND delivered_at <= ? ORDER BY created_at",
      ),
      unfinished: prepare<[number], { id: string }>(
        "SELECT id FROM pages WHERE status NOT IN ('resolved') AND created_at > ? ORDER BY created_at",
      ),
      counts: prepare<[], { status: string; gave_up: number; n: number }>(
        'SELECT status, gave_up_at IS NOT NULL AS gave_up, COUNT(*) AS n FROM pages GROUP BY status, gave_up',
      ),
      insertSession: prepare<SQLInputValue[]>(
        `INSERT INTO sessions (id, sub, name, email, groups, username, csrf_token, access_expires_at, refresh_token,
         created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      getSession: prepare<[string], Record<string, unknown>>('SELECT * FROM sessions WHERE id = ?'),
      updateSession: prepare<[number, string | null, string, string]>(
        'UPDATE sessions SET access_expires_at = ?, refresh_token = ?, groups = ?, renewing_until = NULL WHERE id = ?',
      ),
      claimRenewal: prepare<[number, string, string, number]>(
        `UPDATE sessions SET renewing_until = ? WHERE id = ? AND refresh_token = ? AND revoked_at IS NULL
         AND (renewing_until IS NULL OR renewing_until <= ?)`,
      ),
      revokeSession: prepare<[number, string]>(
        'UPDATE sessions SET revoked_at = ?, refresh_token = NULL WHERE id = ? AND revoked_at IS NULL',
      ),
      probe: prepare<[number]>(
        'INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at',
      ),
      readProbe: prepare<[], { at: number }>('SELECT at FROM health_probe WHERE id = 1'),
      insertAnnouncement: prepare<[string, string, string, number, number, number]>(
        `INSERT INTO announcements (channel, event_key, text, resend_safe, created_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, event_key) DO NOTHING`,
      ),
      abandonAnnouncements: prepare<[number, string, string, number], AnnouncementRow>(
        `UPDATE announcements SET failed_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
         WHERE channel = ? AND sent_at IS NULL AND failed_at IS NULL AND sending_at IS NOT NULL AND resend_safe = 0
         AND lease_until < ? RETURNING *`,
      ),
      waitingAnnouncements: prepare<[string, number], AnnouncementRow>(
        'SELECT * FROM announcements WHERE channel = ? AND sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT ?',
      ),
      claimAnnouncement: prepare<[string, number, number], AnnouncementRow>(
        'UPDATE announcements SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, sending_at = NULL WHERE id = ? RETURNING *',
      ),
      startSending: prepare<[number, number, string, number]>(
        'UPDATE announcements SET sending_at = ? WHERE id = ? AND lease_owner = ? AND lease_until > ? AND sent_at IS NULL AND failed_at IS NULL',
      ),
      announcementSent: prepare<[number, number, string]>(
        'UPDATE announcements SET sent_at = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
      ),
      announcementRetry: prepare<[number, string, number, string]>(
        `UPDATE announcements SET next_attempt_at = ?, last_error = ?, sending_at = NULL, lease_owner = NULL, lease_until = NULL
         WHERE id = ? AND lease_owner = ?`,
      ),
      announcementFailed: prepare<[number, string, number, string]>(
        'UPDATE announcements SET failed_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
      ),
      announcementCounts: prepare<
        [number, number],
        { channel: string; pending: number; failed: number; oldest: number | null }
      >(
        `SELECT channel, SUM(sent_at IS NULL AND failed_at IS NULL) AS pending, SUM(COALESCE(failed_at, 0) > ?) AS failed,
         MIN(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN created_at END) AS oldest
         FROM announcements WHERE created_at > ? OR (sent_at IS NULL AND failed_at IS NULL) GROUP BY channel ORDER BY channel`,
      ),
      pruneAnnouncements: prepare<[number, number]>(
        'DELETE FROM announcements WHERE (sent_at IS NOT NULL AND sent_at < ?) OR (failed_at IS NOT NULL AND failed_at < ?)',
      ),
    };
  }

  async acceptPage(input: {
    record: PageRecord;
    rate: RateLimitRule;
    now: Date;
    audit: AuditEntry;
    announcements?: readonly NewAnnouncement[];
  }): Promise<AcceptOutcome> {
    const { record, rate, now } = input;
    const sub = record.page.requester.sub;
    // The 202 is a promise to the person paging: this commit is synced to disk (FULL). Later status
    // updates use NORMAL (safe against a process crash; after a power cut the worst case is one
    // more attempt, which the entity_id makes harmless), so they do not stall the accept path.
    this.tx.syncFull.run();
    try {
      return this.acceptTx(record, rate, now, sub, input.audit, input.announcements ?? []);
    } finally {
      this.tx.syncNormal.run();
    }
  }

  /**
   * Runs `fn` in a write transaction taken at once (BEGIN IMMEDIATE: a reader that later writes
   * cannot deadlock with another writer; the busy timeout waits for the lock). Commits what `fn`
   * returns; if `fn` or the commit throws, rolls back unless SQLite already has.
   */
  private immediate<T>(fn: () => T): T {
    this.tx.begin.run();
    try {
      const result = fn();
      this.tx.commit.run();
      return result;
    } catch (e) {
      if (this.db.isTransaction) this.tx.rollback.run();
      throw e;
    }
  }

  private acceptTx(
    record: PageRecord,
    rate: RateLimitRule,
    now: Date,
    sub: string,
    audit: AuditEntry,
    announcements: readonly NewAnnouncement[],
  ): AcceptOutcome {
    return this.immediate((): AcceptOutcome => {
      const existing = this.stmts.byIdem.get(sub, record.idempotencyKey);
      if (existing) {
        const prior = toRecord(existing);
        return prior.requestHash === record.requestHash
          ? { kind: 'replay', page: prior.page }
          : { kind: 'conflict', page: prior.page };
      }
      const nowMs = now.getTime();
      const earlier = this.stmts.rateEvents.all(sub, nowMs - rate.windowSeconds * 1000).map((r) => r.at);
      const decision = decideRate(earlier, rate, nowMs);
      if (!decision.allowed)
        return { kind: 'rate_limited', count: decision.count, retryAfterSeconds: decision.retryAfterSeconds };
      const p = record.page;
      this.stmts.insertPage.run({
        id: p.id,
        requester_sub: p.requester.sub,
        requester_name: p.requester.name,
        requester_email: p.requester.email,
        summary: p.summary,
        details: p.details,
        target_id: p.target.id,
        target_label: p.target.label,
        routing_key: record.routingKey,
        client: p.client,
        status: p.status,
        attempts: p.attempts,
        last_error: p.lastError,
        next_attempt_at: p.nextAttemptAt ? Date.parse(p.nextAttemptAt) : null,
        gave_up_at: null,
        incident_number: null,
        acked_by: null,
        acked_at: null,
        created_at: Date.parse(p.createdAt),
        updated_at: Date.parse(p.updatedAt),
        delivered_at: null,
        idempotency_key: record.idempotencyKey,
        request_hash: record.requestHash,
        backend: p.backend ?? null,
      });
      this.stmts.insertRate.run(sub, nowMs);
      this.insertAudit({ ...audit, pageId: p.id });
      this.insertAnnouncements(announcements, nowMs);
      this.prune(nowMs);
      return { kind: 'created', page: p };
    });
  }

  async getPage(id: string): Promise<PageRecord | null> {
    const row = this.stmts.byId.get(id);
    return row ? toRecord(row) : null;
  }

  async pagesOf(sub: string, limit: number): Promise<Page[]> {
    return this.stmts.pagesOf.all(sub, limit).map((r) => toRecord(r).page);
  }

  async claimDuePages(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
    opts: { retriesOf?: readonly IncidentBackend[] } = {},
  ): Promise<PageRecord[]> {
    const nowMs = now.getTime();
    const retriesOf = opts.retriesOf ? JSON.stringify(opts.retriesOf) : null;
    // Most wake-ups find nothing due: a plain read answers that without taking the write lock.
    if (this.stmts.due.all(nowMs, nowMs, retriesOf, retriesOf, 1).length === 0) return [];
    return this.immediate(() => {
      const rows = this.stmts.due.all(nowMs, nowMs, retriesOf, retriesOf, limit);
      return rows.map((r) => toRecord(this.stmts.claim.get(owner, nowMs + leaseMs, nowMs, r.id)!));
    });
  }

  async nextDueAt(): Promise<Date | null> {
    const t = this.stmts.nextDue.get()?.t;
    return t === null || t === undefined ? null : new Date(t);
  }

  async makeFailingPagesDue(now: Date, service: IncidentBackend): Promise<Page[]> {
    const t = now.getTime();
    return this.immediate(() => this.stmts.failingDue.all(t, t, t, service).map((r) => toRecord(r).page));
  }

  async returnUnsentPage(id: string, owner: string, nextAttemptAt: Date): Promise<Page | null> {
    const row = this.immediate(() => this.stmts.giveBack.get(nextAttemptAt.getTime(), Date.now(), id, owner));
    return row ? toRecord(row).page : null;
  }

  async updatePage(
    id: string,
    patch: PagePatch,
    opts: { onlyIfLeasedBy?: string; audit?: Omit<AuditEntry, 'pageId'> } = {},
  ): Promise<Page | null> {
    return this.immediate(() => this.updateInTx(id, patch, opts));
  }

  async followPages(ids: readonly string[], decide: (page: Page) => PageFollowUp | null): Promise<Page[]> {
    return this.immediate(() => {
      const changed: Page[] = [];
      for (const id of ids) {
        const row = this.stmts.byId.get(id);
        const next = row ? decide(toRecord(row).page) : null;
        const updated = next ? this.updateInTx(id, next.patch, { audit: next.audit }) : null;
        if (updated) changed.push(updated);
      }
      return changed;
    });
  }

  private updateInTx(
    id: string,
    patch: PagePatch,
    opts: { onlyIfLeasedBy?: string; audit?: Omit<AuditEntry, 'pageId'> },
  ): Page | null {
    const sets: string[] = [];
    const values: Record<string, SQLInputValue> = { id, now: Date.now() };
    const col = (name: string, key: string, value: SQLInputValue) => {
      sets.push(`${name} = @${key}`);
      values[key] = value;
    };
    if (patch.status !== undefined) col('status', 'status', patch.status);
    if (patch.lastError !== undefined) col('last_error', 'lastError', patch.lastError);
    if (patch.nextAttemptAt !== undefined) col('next_attempt_at', 'nextAttemptAt', ms(patch.nextAttemptAt));
    if (patch.gaveUpAt !== undefined) col('gave_up_at', 'gaveUpAt', ms(patch.gaveUpAt));
    if (patch.incidentNumber !== undefined) col('incident_number', 'incidentNumber', patch.incidentNumber);
    if (patch.ackedBy !== undefined) col('acked_by', 'ackedBy', patch.ackedBy);
    if (patch.ackedAt !== undefined) col('acked_at', 'ackedAt', ms(patch.ackedAt));
    if (patch.ackedByName !== undefined) col('acked_by_name', 'ackedByName', patch.ackedByName);
    if (patch.deliveredAt !== undefined) col('delivered_at', 'deliveredAt', ms(patch.deliveredAt));
    if (patch.mutedAt !== undefined) col('muted_at', 'mutedAt', ms(patch.mutedAt));
    if (patch.unconfirmedAt !== undefined) col('unconfirmed_at', 'unconfirmedAt', ms(patch.unconfirmedAt));
    // A page that left "delivering" no longer needs its lease.
    if (patch.status !== undefined && patch.status !== 'delivering')
      sets.push('lease_owner = NULL, lease_until = NULL');
    sets.push('updated_at = @now');
    let where = 'id = @id';
    if (opts.onlyIfLeasedBy !== undefined) {
      where += " AND lease_owner = @owner AND status = 'delivering'";
      values.owner = opts.onlyIfLeasedBy;
    }
    const sql = `UPDATE pages SET ${sets.join(', ')} WHERE ${where} RETURNING *`;
    // One statement per patch shape (a handful): preparing on every update costs more than running.
    let stmt = this.updates.get(sql);
    if (!stmt)
      this.updates.set(
        sql,
        (stmt = this.db.prepare(sql) as unknown as Query<[Record<string, SQLInputValue>], PageRow>),
      );
    const row = stmt.get(values);
    if (!row) return null;
    if (opts.audit) this.insertAudit({ ...opts.audit, pageId: id });
    return toRecord(row).page;
  }

  async unfinishedPageIds(): Promise<string[]> {
    return this.stmts.unfinished.all(Date.now() - 7 * 24 * 3600_000).map((r) => r.id);
  }

  async pagesAwaitingIncident(deliveredBefore: Date): Promise<string[]> {
    return this.stmts.awaitingIncident.all(deliveredBefore.getTime()).map((r) => r.id);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of this.stmts.counts.all()) {
      const key = r.gave_up ? 'gave_up' : r.status;
      out[key] = (out[key] ?? 0) + r.n;
    }
    return out;
  }

  async createSession(s: WebSession): Promise<void> {
    this.stmts.insertSession.run(
      s.id,
      s.sub,
      s.name,
      s.email,
      JSON.stringify(s.groups),
      s.username,
      s.csrfToken,
      s.accessExpiresAt.getTime(),
      s.refreshToken,
      s.createdAt.getTime(),
      ms(s.revokedAt),
    );
  }

  async getSession(id: string): Promise<WebSession | null> {
    const r = this.stmts.getSession.get(id);
    if (!r) return null;
    return {
      id: r.id as string,
      sub: r.sub as string,
      name: r.name as string,
      email: (r.email as string | null) ?? null,
      groups: JSON.parse(r.groups as string) as string[],
      username: (r.username as string | null) ?? null,
      csrfToken: r.csrf_token as string,
      accessExpiresAt: new Date(r.access_expires_at as number),
      refreshToken: (r.refresh_token as string | null) ?? null,
      createdAt: new Date(r.created_at as number),
      revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at as number),
    };
  }

  async updateSession(
    id: string,
    patch: { accessExpiresAt?: Date; refreshToken?: string | null; groups?: string[] },
  ): Promise<void> {
    const cur = await this.getSession(id);
    if (!cur) return;
    this.stmts.updateSession.run(
      (patch.accessExpiresAt ?? cur.accessExpiresAt).getTime(),
      patch.refreshToken === undefined ? cur.refreshToken : patch.refreshToken,
      JSON.stringify(patch.groups ?? cur.groups),
      id,
    );
  }

  async claimSessionRenewal(id: string, refreshToken: string, now: Date, leaseMs: number): Promise<boolean> {
    const nowMs = now.getTime();
    return this.stmts.claimRenewal.run(nowMs + leaseMs, id, refreshToken, nowMs).changes === 1;
  }

  async revokeSession(id: string, at: Date): Promise<void> {
    this.stmts.revokeSession.run(at.getTime(), id);
  }

  async enqueueAnnouncements(items: readonly NewAnnouncement[], now: Date): Promise<void> {
    if (items.length === 0) return;
    this.immediate(() => this.insertAnnouncements(items, now.getTime()));
  }

  private insertAnnouncements(items: readonly NewAnnouncement[], nowMs: number): void {
    for (const a of items)
      this.stmts.insertAnnouncement.run(a.channel, a.key, a.text, a.resendSafe ? 1 : 0, nowMs, nowMs);
  }

  async claimAnnouncements(
    channel: string,
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<{ claimed: Announcement[]; abandoned: Announcement[] }> {
    const t = now.getTime();
    return this.immediate(() => {
      const abandoned = this.stmts.abandonAnnouncements
        .all(t, ANNOUNCEMENT_OUTCOME_UNKNOWN, channel, t)
        .map(toAnnouncement);
      const claimed: Announcement[] = [];
      // Queue order: the first one not due yet (a retry waiting, or leased by another) stops the claim.
      for (const r of this.stmts.waitingAnnouncements.all(channel, limit)) {
        if (r.next_attempt_at > t || (r.lease_until !== null && r.lease_until >= t)) break;
        claimed.push(toAnnouncement(this.stmts.claimAnnouncement.get(owner, t + leaseMs, r.id)!));
      }
      return { claimed, abandoned };
    });
  }

  async startSendingAnnouncement(id: number, owner: string, now: Date): Promise<boolean> {
    const t = now.getTime();
    return this.stmts.startSending.run(t, id, owner, t).changes === 1;
  }

  async finishAnnouncement(id: number, owner: string, outcome: AnnouncementOutcome): Promise<boolean> {
    const t = outcome.at.getTime();
    const done =
      outcome.kind === 'sent'
        ? this.stmts.announcementSent.run(t, id, owner)
        : outcome.kind === 'retry'
          ? this.stmts.announcementRetry.run(t, outcome.error, id, owner)
          : this.stmts.announcementFailed.run(t, outcome.error, id, owner);
    if (outcome.kind === 'sent') {
      const old = t - ANNOUNCEMENT_RETENTION_MS;
      this.stmts.pruneAnnouncements.run(old, old);
    }
    return done.changes === 1;
  }

  async announcementCounts(now: Date): Promise<AnnouncementCounts[]> {
    const t = now.getTime();
    return this.stmts.announcementCounts.all(t - 24 * 3600_000, t - ANNOUNCEMENT_RETENTION_MS).map((r) => ({
      channel: r.channel,
      pending: r.pending,
      failedLastDay: r.failed,
      oldestPendingAt: r.oldest === null ? null : new Date(r.oldest),
    }));
  }

  async recordAcknowledgement(ack: KlaxonAck, audit: AuditEntry): Promise<void> {
    this.immediate(() => {
      this.records.recordAck(ack);
      this.insertAudit(audit);
    });
  }

  async acknowledgementsSince(since: Date): Promise<KlaxonAck[]> {
    return this.records.acksSince(since);
  }

  async claimEscalation(e: EscalationRecord, audit: AuditEntry): Promise<boolean> {
    return this.immediate(() => {
      const claimed = this.records.claim(e);
      if (claimed) this.insertAudit(audit);
      return claimed;
    });
  }

  async settleEscalation(
    incidentNumber: string,
    outcome: { status: Exclude<EscalationStatus, 'sending'>; message: string | null; at: Date },
    audit: AuditEntry,
  ): Promise<EscalationRecord | null> {
    return this.immediate(() => {
      const settled = this.records.settle(incidentNumber, outcome.status, outcome.message, outcome.at);
      if (settled) this.insertAudit(audit);
      return settled;
    });
  }

  async releaseEscalation(incidentNumber: string, audit: AuditEntry): Promise<void> {
    this.immediate(() => {
      this.records.release(incidentNumber);
      this.insertAudit(audit);
    });
  }

  async escalationsSince(since: Date): Promise<EscalationRecord[]> {
    return this.records.escalationsSince(since);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.insertAudit(entry);
  }

  async checkWritable(): Promise<{ ok: boolean; error: string | null }> {
    try {
      const now = Date.now();
      this.stmts.probe.run(now);
      if (this.stmts.readProbe.get()?.at !== now)
        return { ok: false, error: 'storage did not return what was written' };
      this.prune(now);
      return { ok: true, error: null };
    } catch (e) {
      return { ok: false, error: `storage is not writable: ${(e as Error).message}` };
    }
  }

  /**
   * Keeps the tables that grow with use small: rate events older than the longest possible window
   * (a day) on every accept, and, at most every few minutes, sessions nobody can use any more
   * (signed out, or expired without a refresh token, or not renewed for a long time).
   */
  private prune(nowMs: number): void {
    this.stmts.pruneRate.run(nowMs - RATE_EVENT_RETENTION_MS);
    if (nowMs - this.sessionsPrunedAt < SESSION_PRUNE_EVERY_MS) return;
    this.sessionsPrunedAt = nowMs;
    this.stmts.pruneSessions.run(nowMs - DEAD_SESSION_GRACE_MS, nowMs - STALE_SESSION_MS);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }

  async searchAudit(q: AuditSearch): Promise<StoredAuditEntry[]> {
    const where: string[] = [];
    const values: Record<string, SQLInputValue> = { limit: q.limit };
    if (q.person !== undefined) {
      // SQLite's lower() folds ASCII only; names are matched as the IdP spelled them otherwise.
      where.push('(actor_sub = @person OR instr(lower(actor_name), lower(@person)) > 0)');
      values.person = q.person;
    }
    const add = (condition: string, key: string, value: SQLInputValue | undefined) => {
      if (value === undefined) return;
      where.push(condition);
      values[key] = value;
    };
    add('action = @action', 'action', q.action);
    add('at >= @from', 'from', q.from?.getTime());
    add('at < @to', 'to', q.to?.getTime());
    add('id < @beforeId', 'beforeId', q.beforeId);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    // One statement per combination of filters (at most 32).
    let stmt = this.auditSearches.get(sql);
    if (!stmt)
      this.auditSearches.set(
        sql,
        (stmt = this.db.prepare(sql) as unknown as Query<[Record<string, SQLInputValue>], AuditRow>),
      );
    return stmt.all(values).map(toAuditEntry);
  }

  async auditActorUses(actions: readonly string[]): Promise<AuditActorUses[]> {
    if (!actions.length) return [];
    const list = actions.map(() => '?').join(', ');
    const counts = this.db
      .prepare(
        `SELECT actor_sub AS sub, action, COUNT(*) AS n FROM audit_log WHERE actor_sub IS NOT NULL AND action IN (${list}) GROUP BY actor_sub, action`,
      )
      .all(...actions) as { sub: string; action: string; n: number }[];
    const lasts = this.db
      .prepare(
        `SELECT a.* FROM audit_log a JOIN (SELECT MAX(id) AS id FROM audit_log WHERE actor_sub IS NOT NULL AND action IN (${list}) GROUP BY actor_sub) l ON a.id = l.id`,
      )
      .all(...actions) as unknown as AuditRow[];
    return lasts.map((r) => ({
      sub: r.actor_sub!,
      last: toAuditEntry(r),
      counts: Object.fromEntries(counts.filter((c) => c.sub === r.actor_sub).map((c) => [c.action, c.n])),
    }));
  }

  async pruneAudit(before: Date): Promise<number> {
    return Number(this.stmts.pruneAudit.run(before.getTime()).changes);
  }

  private insertAudit(e: AuditEntry): void {
    this.stmts.insertAudit.run(
      e.at.getTime(),
      e.actorSub,
      e.actorName,
      e.actorGroups ? JSON.stringify(e.actorGroups) : null,
      e.action,
      e.pageId,
      JSON.stringify(e.detail),
    );
  }
}
