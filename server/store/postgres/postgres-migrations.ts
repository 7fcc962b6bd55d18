import type pg from 'pg';
import { type Migration, migrationFailed, pendingMigrations } from '../migrations/migration.js';
import { CLUSTER_SCHEMA } from '../../cluster/schema.js';
import { KLAXON_LOCK_SPACE, LOCK } from './advisory-locks.js';

/**
 * The PostgreSQL schema, step by step. Version 1 holds what the SQLite store's version 1 holds,
 * with PostgreSQL's types (timestamptz for times, jsonb for audit details, text[] for groups);
 * version 2 adds what several replicas on one database need; version 3 is the SQLite store's
 * version 2 (the numbers of the two lists need not match); version 4 what replicas share at run
 * time (server/cluster/schema.ts); versions 5 to 8 are the SQLite store's versions 3 to 6, version 9 its 7 and 8.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'pages (the outbox), rate events, audit log, web sessions, health probe',
    sql: `
CREATE TABLE pages (
  id text PRIMARY KEY,
  requester_sub text NOT NULL, requester_name text NOT NULL, requester_email text,
  summary text NOT NULL, details text NOT NULL,
  target_id text NOT NULL, target_label text NOT NULL, routing_key text NOT NULL,
  client text NOT NULL, status text NOT NULL, attempts integer NOT NULL DEFAULT 0,
  last_error text, next_attempt_at timestamptz, gave_up_at timestamptz,
  incident_number text, acked_by text, acked_at timestamptz,
  created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, delivered_at timestamptz,
  idempotency_key text NOT NULL, request_hash text NOT NULL,
  lease_owner text, lease_until timestamptz,
  -- insertion order, for pages created in the same millisecond (SQLite's rowid)
  seq bigint GENERATED ALWAYS AS IDENTITY
);
CREATE UNIQUE INDEX pages_idem ON pages (requester_sub, idempotency_key);
CREATE INDEX pages_by_user ON pages (requester_sub, created_at);
CREATE INDEX pages_due ON pages (status, next_attempt_at);
CREATE TABLE rate_events (user_sub text NOT NULL, at timestamptz NOT NULL);
CREATE INDEX rate_events_by_user ON rate_events (user_sub, at);
CREATE INDEX rate_events_by_time ON rate_events (at);
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL, actor_sub text, actor_name text,
  action text NOT NULL, page_id text, detail jsonb NOT NULL
);
CREATE INDEX audit_by_page ON audit_log (page_id);
CREATE TABLE sessions (
  id text PRIMARY KEY, sub text NOT NULL, name text NOT NULL, email text, groups text[] NOT NULL,
  username text, csrf_token text NOT NULL, access_expires_at timestamptz NOT NULL, refresh_token text,
  created_at timestamptz NOT NULL, revoked_at timestamptz
);
CREATE TABLE health_probe (id integer PRIMARY KEY, at timestamptz NOT NULL);
`,
  },
  {
    version: 2,
    name: 'replicas: the servers using this database and the settings they must share',
    sql: `
CREATE TABLE replicas (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  fingerprint text NOT NULL,
  settings jsonb NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 3,
    name: 'sessions.renewing_until: one renewal of a web session at a time',
    sql: 'ALTER TABLE sessions ADD COLUMN renewing_until timestamptz;',
  },
  {
    version: 4,
    name: 'several replicas: the leader and its fencing epoch, the shared event journal, the incidents the leader saw',
    sql: CLUSTER_SCHEMA,
  },
  {
    version: 5,
    name: 'pages.muted_at, pages.unconfirmed_at: an incident that paged nobody (maintenance mode), a delivered page with no incident',
    sql: 'ALTER TABLE pages ADD COLUMN muted_at timestamptz, ADD COLUMN unconfirmed_at timestamptz;',
  },
  {
    version: 6,
    name: 'klaxon_acks, escalations: acknowledgements made in Klaxon, escalations (one per incident, ever)',
    sql: `
CREATE TABLE IF NOT EXISTS klaxon_acks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, incident_number text NOT NULL, person_sub text NOT NULL,
  person_name text NOT NULL, sent_as text NOT NULL, at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS klaxon_acks_by_time ON klaxon_acks (at);
CREATE TABLE IF NOT EXISTS escalations (
  incident_number text PRIMARY KEY, reason text NOT NULL, policy text NOT NULL, policy_name text NOT NULL,
  as_user text NOT NULL, page_id text, requester_sub text, requester_name text, after_minutes double precision,
  status text NOT NULL, message text, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS escalations_by_time ON escalations (created_at);
`,
  },
  {
    version: 7,
    name: 'announcements: the chat announcement queue (once per channel and event, claimed under a lease)',
    sql: `
CREATE TABLE IF NOT EXISTS announcements (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, channel text NOT NULL, event_key text NOT NULL, text text NOT NULL,
  resend_safe boolean NOT NULL, created_at timestamptz NOT NULL, attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL, lease_owner text, lease_until timestamptz, sending_at timestamptz,
  sent_at timestamptz, failed_at timestamptz, last_error text
);
CREATE UNIQUE INDEX IF NOT EXISTS announcements_once ON announcements (channel, event_key);
CREATE INDEX IF NOT EXISTS announcements_waiting ON announcements (channel, id) WHERE sent_at IS NULL AND failed_at IS NULL;
`,
  },
  {
    version: 8,
    name: 'pages.acked_by_name: the display name of whoever acknowledged the page',
    sql: 'ALTER TABLE pages ADD COLUMN IF NOT EXISTS acked_by_name text;',
  },
  {
    version: 9,
    name: 'audit_log.actor_groups and indexes by time and by actor: the audit search, the access review and retention',
    sql: `
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS actor_groups text[];
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_log (at);
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit_log (actor_sub, id);
`,
  },
  {
    version: 10,
    name: 'pages.backend: the paging service a page went to (null: On-Call, as for every page before PagerDuty)',
    sql: 'ALTER TABLE pages ADD COLUMN IF NOT EXISTS backend text;',
  },
];

/**
 * Brings a PostgreSQL database to the latest version under an advisory lock, so replicas starting
 * together wait for one another and each step runs once. Each step and its record commit together
 * (PostgreSQL's DDL is transactional): a failed step leaves the database at the step before.
 * Returns the version before and after.
 */
export async function migratePostgres(
  client: pg.ClientBase,
  key: string,
  steps: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<{ from: number; to: number }> {
  // An index on a large table may take longer than the pool's statement timeout allows a request.
  await client.query('SET statement_timeout = 0');
  await client.query('SELECT pg_advisory_lock($1, $2)', [KLAXON_LOCK_SPACE, LOCK.migrations]);
  try {
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const from = rows[0]?.v ?? 0;
    let to = from;
    for (const step of pendingMigrations(steps, from, key)) {
      await client.query('BEGIN');
      try {
        await client.query(step.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw migrationFailed(key, step, to, e);
      }
      to = step.version;
    }
    return { from, to };
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1, $2)', [KLAXON_LOCK_SPACE, LOCK.migrations])
      .catch(() => undefined);
    await client.query('RESET statement_timeout').catch(() => undefined);
  }
}
