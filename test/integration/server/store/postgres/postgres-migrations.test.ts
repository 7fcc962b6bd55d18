// The PostgreSQL store's schema versions (server/store/postgres/postgres-migrations.ts), on a
// throwaway cluster: an empty database gets every step; a database at any earlier version is
// upgraded and keeps its pages and sessions; replicas starting together apply each step once
// (advisory lock); a failing step leaves the database at the step before; a newer database is refused.
import pg from 'pg';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '#server/store/open-store.js';
import { migratePostgres, POSTGRES_MIGRATIONS } from '#server/store/postgres/postgres-migrations.js';
import { createPool } from '#server/store/postgres/pool.js';
import { postgresForSuite, type PostgresCluster } from '#test/support/postgres.js';
import { TEST_SHARED_SETTINGS } from '#test/support/store-harness.js';

const suite = postgresForSuite();
let cluster: PostgresCluster;
beforeEach(async () => {
  cluster = await suite.get();
});
afterAll(() => suite.close());

async function read<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
const versions = async (url: string) =>
  (await read<{ version: number }>(url, 'SELECT version FROM schema_migrations ORDER BY version')).map(
    (r) => r.version,
  );
const tableExists = async (url: string, table: string) =>
  (await read<{ t: string | null }>(url, `SELECT to_regclass('${table}')::text AS t`))[0]!.t !== null;
const latest = POSTGRES_MIGRATIONS.length;
const all = POSTGRES_MIGRATIONS.map((m) => m.version);

describe('PostgreSQL schema migrations', () => {
  it('bring an empty database to the latest version, each step recorded once', async () => {
    const url = await cluster.createDatabase('empty');
    await (await openPostgres(url, 2, TEST_SHARED_SETTINGS)).close();
    expect(await versions(url)).toEqual(all);
    for (const t of ['pages', 'rate_events', 'audit_log', 'sessions', 'health_probe', 'replicas'])
      expect(await tableExists(url, t)).toBe(true);
    await (await openPostgres(url, 2, TEST_SHARED_SETTINGS)).close();
    expect(await versions(url)).toEqual(all);
  });

  it.each(all.slice(0, -1))('upgrade a database at version %i and keep its pages and sessions', async (from) => {
    const url = await cluster.createDatabase(`from_v${from}`);
    // What a server of that schema version left, with a page and a web session in it.
    const pool = createPool(url, 2);
    const client = await pool.connect();
    await migratePostgres(client, 'storage.postgresUrl', POSTGRES_MIGRATIONS.slice(0, from));
    client.release();
    // Written with version 1's columns only: what any release of that schema could have written.
    const page = { id: crypto.randomUUID() };
    const now = new Date();
    await pool.query(
      `INSERT INTO pages (id, requester_sub, requester_name, summary, details, target_id, target_label, routing_key,
         client, status, next_attempt_at, created_at, updated_at, idempotency_key, request_hash)
       VALUES ($1, 'alice', 'Alice Andersen', $2, '', 'sre', 'SRE on call', 'sre', 'web', 'queued', $3, $3, $3, $4, 'h')`,
      [page.id, `From version ${from}`, now, `key-${page.id}`],
    );
    await pool.query(
      `INSERT INTO sessions (id, sub, name, email, groups, username, csrf_token, access_expires_at, refresh_token, created_at)
       VALUES ('old-session', 'alice', 'Alice', NULL, ARRAY['sre'], 'alice', 'csrf', $1, 'rt-old', $2)`,
      [new Date(Date.now() + 3600_000), now],
    );
    await pool.end();
    expect(await versions(url)).toEqual(all.slice(0, from));

    const store = await openPostgres(url, 2, TEST_SHARED_SETTINGS);
    try {
      expect(await versions(url)).toEqual(all);
      expect((await store.getPage(page.id))?.page).toMatchObject({
        summary: `From version ${from}`,
        mutedAt: null,
        unconfirmedAt: null,
      });
      const at = new Date();
      expect(await store.updatePage(page.id, { status: 'delivered', deliveredAt: at })).toMatchObject({
        unconfirmedAt: null,
      });
      expect(await store.pagesAwaitingIncident(at)).toEqual([page.id]);
      expect(await store.updatePage(page.id, { mutedAt: at, unconfirmedAt: at })).toMatchObject({
        mutedAt: at.toISOString(),
        unconfirmedAt: at.toISOString(),
      });
      expect(await store.getSession('old-session')).toMatchObject({ groups: ['sre'], refreshToken: 'rt-old' });
      expect(await store.claimSessionRenewal('old-session', 'rt-old', new Date(), 1000)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('run once when replicas start together on an empty database', async () => {
    const url = await cluster.createDatabase('together');
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgres(url, 2, TEST_SHARED_SETTINGS)));
    await Promise.all(stores.map((s) => s.close()));
    expect(await versions(url)).toEqual(all);
  });

  it('leave the database at the step before when a step fails, and say which', async () => {
    const url = await cluster.createDatabase('broken');
    const pool = createPool(url, 2);
    const client = await pool.connect();
    try {
      const steps = [
        ...POSTGRES_MIGRATIONS,
        { version: latest + 1, name: 'notes', sql: 'CREATE TABLE notes (x int)' },
        { version: latest + 2, name: 'a broken step', sql: 'CREATE TABLE broken (x int); SELECT no_such_function()' },
      ];
      await expect(migratePostgres(client, 'storage.postgresUrl', steps)).rejects.toThrow(
        new RegExp(
          `^storage\\.postgresUrl: Klaxon could not upgrade the database to schema version ${latest + 2} \\(a broken step\\): function no_such_function\\(\\) does not exist\\. The database stays at version ${latest + 1}`,
        ),
      );
      expect(await versions(url)).toEqual([...all, latest + 1]);
      expect(await tableExists(url, 'notes')).toBe(true);
      expect(await tableExists(url, 'broken')).toBe(false);
      // The migration lock was released: another start can take it.
      expect(await migratePostgres(client, 'storage.postgresUrl', steps.slice(0, -1))).toEqual({
        from: latest + 1,
        to: latest + 1,
      });
    } finally {
      client.release();
      await pool.end();
    }
  });

  it('refuse a database a newer release migrated, naming storage.postgresUrl', async () => {
    const url = await cluster.createDatabase('newer');
    await (await openPostgres(url, 2, TEST_SHARED_SETTINGS)).close();
    await read(url, `INSERT INTO schema_migrations (version, name) VALUES (${latest + 3}, 'from the future')`);
    await expect(openPostgres(url, 2, TEST_SHARED_SETTINGS)).rejects.toMatchObject({
      name: 'ConfigError',
      key: 'storage.postgresUrl',
      message: expect.stringContaining(
        `schema is at version ${latest + 3}, newer than this Klaxon server knows (${latest})`,
      ),
    });
  });
});
