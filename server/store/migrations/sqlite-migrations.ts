import type { DatabaseSync } from 'node:sqlite';
import { type Migration, migrationFailed, pendingMigrations } from './migration.js';

/**
 * The SQLite schema, step by step. Version 1 is the schema from before migrations existed, kept
 * with its `IF NOT EXISTS`: on a database made by such a server it changes nothing, which is how an
 * existing file is recognised (and then upgraded by later steps) instead of recreated.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
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
];

/**
 * Brings a SQLite database to the latest version: the missing steps and their records in one
 * write transaction taken at once (BEGIN IMMEDIATE), so a second process opening the same file
 * waits instead of applying them twice; if a step fails, nothing of the upgrade remains.
 * Returns the version before and after.
 */
export function migrateSqlite(
  db: DatabaseSync,
  key: string,
  steps: readonly Migration[] = SQLITE_MIGRATIONS,
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
        db.exec(step.sql);
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
