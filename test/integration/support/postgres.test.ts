// The throwaway PostgreSQL cluster the store tests run on (test/support/postgres.ts): it starts as
// root and as a normal user, gives each suite its own database, survives a stop and start with its
// data, leaves nothing behind, and says how to install PostgreSQL where it is missing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresBinDir, postgresForSuite, startPostgres, type PostgresCluster } from '#test/support/postgres.js';

const suite = postgresForSuite();
let cluster: PostgresCluster;
afterAll(() => suite.close());

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the throwaway PostgreSQL cluster', () => {
  beforeEach(async () => {
    cluster = await suite.get();
  });

  it('gives each caller a fresh, empty database on loopback', async () => {
    const a = await cluster.createDatabase('suite');
    const b = await cluster.createDatabase('suite');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/suite_\d+_\d+$/);
    await query(a, 'CREATE TABLE t (x int)');
    expect(await query(b, "SELECT to_regclass('t') AS t")).toEqual([{ t: null }]);
    const [settings] = await query<{ listen: string }>(a, "SELECT current_setting('listen_addresses') AS listen");
    expect(settings!.listen).toBe('127.0.0.1');
  });

  it('keeps its data across a stop and a start on the same port', async () => {
    const url = await cluster.createDatabase('restart');
    await query(url, 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
    await cluster.stop();
    await expect(query(url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await cluster.start();
    expect(await query(url, 'SELECT x FROM kept')).toEqual([{ x: 42 }]);
  });

  it('deletes its files on close', async () => {
    const other = await startPostgres();
    const [row] = await query<{ dir: string }>(
      await other.createDatabase(),
      "SELECT current_setting('data_directory') AS dir",
    );
    expect(existsSync(row!.dir)).toBe(true);
    await other.close();
    expect(existsSync(row!.dir)).toBe(false);
  });
});

describe('without PostgreSQL', () => {
  it('names the package to install', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'klaxon-no-pg-'));
    const saved = process.env.KLAXON_PG_BINDIR;
    process.env.KLAXON_PG_BINDIR = empty;
    try {
      expect(() => postgresBinDir()).toThrow(/apt-get install postgresql/);
    } finally {
      if (saved === undefined) delete process.env.KLAXON_PG_BINDIR;
      else process.env.KLAXON_PG_BINDIR = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
