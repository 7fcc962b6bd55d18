// The SQLite store's schema versions (server/store/migrations/sqlite-migrations.ts): an empty file
// gets every step; a file made before migrations existed is recognised as version 1 and keeps its
// data; a database at any earlier version is upgraded; a failing step leaves nothing behind; a
// newer database is refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateSqlite, SQLITE_MIGRATIONS } from '#server/store/migrations/sqlite-migrations.js';
import { openStore } from '#server/store/open-store.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';
import { loadServerConfig } from '#server/config/index.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'klaxon-migrate-'));
  file = path.join(dir, 'klaxon.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function read<T>(sql: string): T[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
const versions = () =>
  read<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version').map((r) => r.version);
const latest = SQLITE_MIGRATIONS.length;

const OLD_PAGE = '6f1c1b52-5a8e-4c57-9a39-4c1b1b7d0a12';
/** A delivered page as an older server wrote it (only version 1's columns). */
function insertOldPage(db: DatabaseSync, summary: string): void {
  const t = Date.parse('2026-11-22T11:59:00Z');
  db.prepare(
    `INSERT INTO pages (id, requester_sub, requester_name, requester_email, summary, details, target_id, target_label,
     routing_key, client, status, attempts, created_at, updated_at, delivered_at, idempotency_key, request_hash)
     VALUES (?, 'alice', 'Alice', NULL, ?, '', 'sre', 'SRE on call', 'sre', 'web', 'delivered', 1, ?, ?, ?, 'key-old', 'hash')`,
  ).run(OLD_PAGE, summary, t, t, t);
}
/** The upgraded store finds the old page for the tracker, and stores and clears its marks. */
async function expectMarksKept(store: SqliteStore): Promise<void> {
  expect(await store.pagesAwaitingIncident(new Date('2026-11-22T11:58:59Z'))).toEqual([]);
  expect(await store.pagesAwaitingIncident(new Date('2026-11-22T12:00:00Z'))).toEqual([OLD_PAGE]);
  const at = new Date('2026-11-22T12:00:05Z');
  expect(await store.updatePage(OLD_PAGE, { unconfirmedAt: at, mutedAt: at })).toMatchObject({
    unconfirmedAt: at.toISOString(),
    mutedAt: at.toISOString(),
  });
  expect(await store.pagesAwaitingIncident(at)).toEqual([]);
}

describe('SQLite schema migrations', () => {
  it('bring an empty database to the latest version, each step recorded once', async () => {
    const store = new SqliteStore(file);
    await store.close();
    expect(versions()).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    expect(
      read<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'pages'"),
    ).toHaveLength(1);
    // Opening again applies nothing.
    await new SqliteStore(file).close();
    expect(versions()).toHaveLength(latest);
  });

  it('recognise a database from before migrations (the previous schema) as version 1, upgrade it and keep its rows', async () => {
    // What a server of the previous release left: its tables (version 1's SQL is that schema), a
    // page and a web session, and no schema_migrations.
    const old = new DatabaseSync(file);
    old.exec(SQLITE_MIGRATIONS[0]!.sql);
    const t = Date.now();
    old
      .prepare(
        `INSERT INTO pages (id, requester_sub, requester_name, requester_email, summary, details, target_id, target_label,
         routing_key, client, status, attempts, next_attempt_at, created_at, updated_at, idempotency_key, request_hash)
         VALUES ('6f1c1b52-5a8e-4c57-9a39-4c1b1b7d0a11', 'alice', 'Alice', NULL, 'From the previous release', '', 'sre',
         'SRE on call', 'sre', 'web', 'queued', 0, ?, ?, ?, 'key-previous-release', 'hash')`,
      )
      .run(t, t, t);
    old
      .prepare(
        `INSERT INTO sessions (id, sub, name, email, groups, username, csrf_token, access_expires_at, refresh_token, created_at)
         VALUES ('old-session', 'alice', 'Alice', NULL, '["sre"]', 'alice', 'csrf', ?, 'rt-old', ?)`,
      )
      .run(t + 3600_000, t);
    old.close();

    const store = new SqliteStore(file);
    try {
      expect(versions()).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
      expect((await store.getPage('6f1c1b52-5a8e-4c57-9a39-4c1b1b7d0a11'))?.page).toMatchObject({
        summary: 'From the previous release',
        status: 'queued',
      });
      expect((await store.claimDuePages('w', new Date(), 1000, 10)).map((r) => r.page.id)).toEqual([
        '6f1c1b52-5a8e-4c57-9a39-4c1b1b7d0a11',
      ]);
      expect(await store.getSession('old-session')).toMatchObject({ groups: ['sre'], refreshToken: 'rt-old' });
      expect(await store.claimSessionRenewal('old-session', 'rt-old', new Date(), 1000)).toBe(true);
      const { outcome } = await acceptQueuedPage(store, { summary: 'After the upgrade' });
      expect(outcome.kind).toBe('created');
    } finally {
      await store.close();
    }
  });

  it.each(SQLITE_MIGRATIONS.slice(0, -1).map((m) => m.version))(
    'upgrade a database at version %i (a previous release) and keep its pages, which then take every field',
    async (from) => {
      const old = new DatabaseSync(file);
      migrateSqlite(old, 'storage.sqlitePath', SQLITE_MIGRATIONS.slice(0, from));
      insertOldPage(old, `From version ${from}`);
      old.close();

      const store = new SqliteStore(file);
      try {
        expect(versions()).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
        expect((await store.getPage(OLD_PAGE))?.page).toMatchObject({
          summary: `From version ${from}`,
          mutedAt: null,
          unconfirmedAt: null,
        });
        await expectMarksKept(store);
      } finally {
        await store.close();
      }
    },
  );

  it('upgrade a file from the release before migrations that added the page marks itself (no duplicate column)', async () => {
    // That release created version 1's tables and added pages.muted_at and pages.unconfirmed_at
    // when it opened a file, recording nothing in schema_migrations.
    const old = new DatabaseSync(file);
    old.exec(SQLITE_MIGRATIONS[0]!.sql);
    old.exec('ALTER TABLE pages ADD COLUMN muted_at INTEGER; ALTER TABLE pages ADD COLUMN unconfirmed_at INTEGER;');
    insertOldPage(old, 'Marked by the previous release');
    old.prepare('UPDATE pages SET muted_at = ? WHERE id = ?').run(Date.parse('2026-11-22T12:00:00Z'), OLD_PAGE);
    old.close();

    const store = new SqliteStore(file);
    try {
      expect(versions()).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
      expect((await store.getPage(OLD_PAGE))?.page).toMatchObject({
        summary: 'Marked by the previous release',
        mutedAt: '2026-11-22T12:00:00.000Z',
        unconfirmedAt: null,
      });
      await expectMarksKept(store);
    } finally {
      await store.close();
    }
  });

  it('upgrade a file from the last release before migrations, with its escalations, acknowledgements and chat queue', async () => {
    // That release also created klaxon_acks, escalations and announcements itself (IF NOT EXISTS)
    // and added pages.acked_by_name, recording nothing in schema_migrations.
    const old = new DatabaseSync(file);
    old.exec(SQLITE_MIGRATIONS[0]!.sql);
    old.exec(
      'ALTER TABLE pages ADD COLUMN muted_at INTEGER; ALTER TABLE pages ADD COLUMN unconfirmed_at INTEGER; ALTER TABLE pages ADD COLUMN acked_by_name TEXT;',
    );
    for (const step of SQLITE_MIGRATIONS.slice(3, 5)) old.exec(step.sql);
    insertOldPage(old, 'Acknowledged in the previous release');
    old.prepare('UPDATE pages SET acked_by_name = ? WHERE id = ?').run('Alice Andersen (via Klaxon)', OLD_PAGE);
    old
      .prepare(
        `INSERT INTO escalations (incident_number, reason, policy, policy_name, as_user, status, created_at, updated_at)
         VALUES ('1043', 'nobody_paged', 'pol-1', 'Batphone', 'escalator_sysuser', 'done', 1, 1)`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO announcements (channel, event_key, text, resend_safe, created_at, next_attempt_at)
         VALUES ('irc', 'page:x:paged', 'queued before the upgrade', 0, 1, 1)`,
      )
      .run();
    old.close();

    const store = new SqliteStore(file);
    try {
      expect(versions()).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
      expect((await store.getPage(OLD_PAGE))?.page.ackedByName).toBe('Alice Andersen (via Klaxon)');
      expect((await store.escalationsSince(new Date(0))).map((e) => e.incidentNumber)).toEqual(['1043']);
      const { claimed } = await store.claimAnnouncements('irc', 'w', new Date(), 1000, 10);
      expect(claimed.map((a) => a.text)).toEqual(['queued before the upgrade']);
    } finally {
      await store.close();
    }
  });

  it('apply the steps a database lacks, and roll the whole upgrade back when one fails', () => {
    const db = new DatabaseSync(file);
    try {
      expect(migrateSqlite(db, 'storage.sqlitePath')).toEqual({ from: 0, to: latest });
      const next = [
        ...SQLITE_MIGRATIONS,
        { version: latest + 1, name: 'notes', sql: 'CREATE TABLE notes (x INTEGER)' },
      ];
      expect(migrateSqlite(db, 'storage.sqlitePath', next)).toEqual({ from: latest, to: latest + 1 });
      const broken = [
        ...next,
        { version: latest + 2, name: 'more notes', sql: 'CREATE TABLE more_notes (x INTEGER)' },
        {
          version: latest + 3,
          name: 'a broken step',
          sql: 'CREATE TABLE broken (x INTEGER); SELECT no_such_function();',
        },
      ];
      expect(() => migrateSqlite(db, 'storage.sqlitePath', broken)).toThrow(
        new RegExp(
          `^storage\\.sqlitePath: Klaxon could not upgrade the database to schema version ${latest + 3} \\(a broken step\\): .*no_such_function.*The database stays at version ${latest + 1}`,
        ),
      );
      expect(db.isTransaction).toBe(false);
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
      ).map((t) => t.name);
      expect(tables).toContain('notes');
      expect(tables).not.toContain('more_notes');
      expect(tables).not.toContain('broken');
    } finally {
      db.close();
    }
  });

  it('refuse a database a newer release migrated, naming storage.sqlitePath (exit 78 at start)', async () => {
    await new SqliteStore(file).close();
    const raw = new DatabaseSync(file);
    raw.exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${latest + 7}, 'from the future', 0)`);
    raw.close();
    const config = loadServerConfig({
      env: {},
      warn: () => {},
      overrides: {
        oidc: { issuer: 'https://idp.klaxon.test', audience: 'klaxon' },
        oncall: { apiId: 'id', apiKey: 'key', restEndpointKey: 'rest' },
        storage: { sqlitePath: file },
      },
    });
    await expect(openStore(config)).rejects.toMatchObject({
      name: 'ConfigError',
      key: 'storage.sqlitePath',
      message: expect.stringMatching(
        `schema is at version ${latest + 7}, newer than this Klaxon server knows \\(${latest}\\)`,
      ),
    });
  });
});
