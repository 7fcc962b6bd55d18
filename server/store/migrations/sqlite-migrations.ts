import type { DatabaseSync } from 'node:sqlite';
import { type Migration, migrationFailed, pendingMigrations } from './migration.js';

/**
 * The SQLite schema, step by step. Version 1 is the schema from before migrations existed, kept
 * with its `IF NOT EXISTS`: on a database made by such a server it changes nothing, which is how an
 * existing file is recognised (and then upgraded by later steps) instead of recreated.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'pages (the outbox), rate events, audit log, web sessions, health probe',
    sql: `
CREATE TABLE IF NOT EXISTS pages (
  id TEXT PRIMARY KEY,
  requester_sub TEXT NOT NULL, requester_name TEXT NOT NULL, requester_email TEXT,
  summary TEXT NOT NULL, details TEXT NOT NULL,
  target_id TEXT NOT NULL, target_label TEXT NOT NULL, routing_key TEXT NOT NULL,
  client TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT, next_attempt_at INTEGER, gave_up_at INTEGER,
  incident_number TEXT, acked_by TEXT, acked_at INTEGER,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, delivered_at INTEGER,
  idempotency_key TEXT NOT NULL, request_hash TEXT NOT NULL,
  lease_owner TEXT, lease_until INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS pages_idem ON pages (requester_sub, idempotency_key);
CREATE INDEX IF NOT EXISTS pages_by_user ON pages (requester_sub, created_at);
CREATE INDEX IF NOT EXISTS pages_due ON pages (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS rate_events (user_sub TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS rate_events_by_user ON rate_events (user_sub, at);
CREATE INDEX IF NOT EXISTS rate_events_by_time ON rate_events (at);
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor_sub TEXT, actor_name TEXT,
  action TEXT NOT NULL, page_id TEXT, detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_page ON audit_log (page_id);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, sub TEXT NOT NULL, name TEXT NOT NULL, email TEXT, groups TEXT NOT NULL,
  username TEXT, csrf_token TEXT NOT NULL, access_expires_at INTEGER NOT NULL, refresh_token TEXT,
  created_at INTEGER NOT NULL, revoked_at INTEGER
);
CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);
`,
  },
  {
    version: 2,
    name: 'sessions.renewing_until: one renewal of a web session at a time',
    sql: 'ALTER TABLE sessions ADD COLUMN renewing_until INTEGER;',
  },
  {
    version: 3,
    name: 'pages.muted_at, pages.unconfirmed_at: an incident that paged nobody (maintenance mode), a delivered page with no incident',
    ...addColumns('pages', { muted_at: 'INTEGER', unconfirmed_at: 'INTEGER' }),
  },
  {
    version: 4,
    name: 'klaxon_acks, escalations: acknowledgements made in Klaxon, escalations (one per incident, ever)',
    // IF NOT EXISTS: a file written by the release before versioned migrations may hold them already.
    sql: `
CREATE TABLE IF NOT EXISTS klaxon_acks (
  id INTEGER PRIMARY KEY AUTOINCREMENT, incident_number TEXT NOT NULL, person_sub TEXT NOT NULL,
  person_name TEXT NOT NULL, sent_as TEXT NOT NULL, at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS klaxon_acks_by_time ON klaxon_acks (at);
CREATE TABLE IF NOT EXISTS escalations (
  incident_number TEXT PRIMARY KEY, reason TEXT NOT NULL, policy TEXT NOT NULL, policy_name TEXT NOT NULL,
  as_user TEXT NOT NULL, page_id TEXT, requester_sub TEXT, requester_name TEXT, after_minutes REAL,
  status TEXT NOT NULL, message TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS escalations_by_time ON escalations (created_at);
`,
  },
  {
    version: 5,
    name: 'announcements: the chat announcement queue (once per channel and event, claimed under a lease)',
    sql: `
CREATE TABLE IF NOT EXISTS announcements (
  id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, event_key TEXT NOT NULL, text TEXT NOT NULL,
  resend_safe INTEGER NOT NULL, created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER, sending_at INTEGER,
  sent_at INTEGER, failed_at INTEGER, last_error TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS announcements_once ON announcements (channel, event_key);
CREATE INDEX IF NOT EXISTS announcements_waiting ON announcements (channel, sent_at, failed_at, id);
`,
  },
  {
    version: 6,
    name: 'pages.acked_by_name: the display name of whoever acknowledged the page',
    ...addColumns('pages', { acked_by_name: 'TEXT' }),
  },
  {
    version: 7,
    name: "audit_log.actor_groups: the groups on the actor's token (JSON array; null before it was recorded)",
    ...addColumns('audit_log', { actor_groups: 'TEXT' }),
  },
  {
    version: 8,
    name: 'audit_log indexes by time and by actor: the audit search, the access review and retention',
    sql: `
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_log (at);
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit_log (actor_sub, id);
`,
  },
  {
    version: 9,
    name: 'pages.backend: the paging service a page went to (null: On-Call, as for every page before PagerDuty)',
    ...addColumns('pages', { backend: 'TEXT' }),
  },
];

/**
 * A step that adds columns to one table, leaving alone any the table already has: the release
 * before versioned migrations added `pages.muted_at`, `pages.unconfirmed_at` and
 * `pages.acked_by_name` (and `audit_log.actor_groups`; a development build of PagerDuty support also
 * `pages.backend`) itself when it opened a file (with no record in `schema_migrations`), so such a file, recognised as version 1,
 * may already hold them. SQLite has no `ADD COLUMN IF NOT EXISTS`.
 */
function addColumns(table: string, columns: Readonly<Record<string, string>>): Pick<SqliteMigration, 'sql' | 'adds'> {
  return {
    sql: Object.entries(columns)
      .map(([name, type]) => `ALTER TABLE ${table} ADD COLUMN ${name} ${type};`)
      .join('\n'),
    adds: { table, columns },
  };
}

/** A SQLite step; `adds`: the step only adds these columns (see `addColumns`). */
interface SqliteMigration extends Migration {
  adds?: { table: string; columns: Readonly<Record<string, string>> };
}

/** The SQL of a step as this database needs it: an `addColumns` step without the columns already there. */
function sqlFor(db: DatabaseSync, step: SqliteMigration): string {
  if (!step.adds) return step.sql;
  const { table, columns } = step.adds;
  const have = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
  return addColumns(table, Object.fromEntries(Object.entries(columns).filter(([name]) => !have.has(name)))).sql;
}

/**
 * Brings a SQLite database to the latest version: the missing steps and their records in one
 * write transaction taken at once (BEGIN IMMEDIATE), so a second process opening the same file
 * waits instead of applying them twice; if a step fails, nothing of the upgrade remains.
 * Returns the version before and after.
 */
export function migrateSqlite(
  db: DatabaseSync,
  key: string,
  steps: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
): { from: number; to: number } {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    const from = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    let to = from;
    for (const step of pendingMigrations(steps, from, key)) {
      try {
        db.exec(sqlFor(db, step));
      } catch (e) {
        throw migrationFailed(key, step, from, e);
      }
      record.run(step.version, step.name, Date.now());
      to = step.version;
    }
    db.exec('COMMIT');
    return { from, to };
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  }
}
