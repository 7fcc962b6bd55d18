// Both KlaxonStore implementations behind one harness, so one suite runs against each: SQLite on a
// file in a temp dir, PostgreSQL on a fresh database of a throwaway cluster (support/postgres.ts).
// `open()` gives another store on the same database (another connection pool, as another replica
// would have), `rows()` reads a table directly, to check what the interface does not show.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { openPostgres } from '#server/store/open-store.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import type { KlaxonStore } from '#server/store/store.js';
import { postgresForSuite } from './postgres.js';

export interface StoreDatabase {
  /** A new store on this database; closed by `close()` if the test has not. */
  open(): Promise<KlaxonStore>;
  /** Runs a parameterless SELECT on the database directly. */
  rows<T>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export interface StoreKind {
  name: 'SQLite' | 'PostgreSQL';
  /** A new, empty database (PostgreSQL: the suite's cluster starts on first use; where PostgreSQL is missing this fails, never skips). */
  database(): Promise<StoreDatabase>;
  tearDown(): Promise<void>;
}

/** Shared settings every test store registers with (servers on one database must agree on them). */
export const TEST_SHARED_SETTINGS = { targets: ['sre'] };

function tracked(stores: KlaxonStore[], store: KlaxonStore): KlaxonStore {
  stores.push(store);
  return store;
}

export function sqliteKind(): StoreKind {
  const dirs: string[] = [];
  return {
    name: 'SQLite',
    async database() {
      const dir = mkdtempSync(path.join(tmpdir(), 'klaxon-store-'));
      dirs.push(dir);
      const file = path.join(dir, 'klaxon.db');
      const stores: KlaxonStore[] = [];
      return {
        open: async () => tracked(stores, new SqliteStore(file)),
        async rows<T>(sql: string) {
          const db = new DatabaseSync(file, { readOnly: true });
          try {
            return db.prepare(sql).all() as T[];
          } finally {
            db.close();
          }
        },
        async close() {
          await Promise.all(stores.map((s) => s.close()));
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    async tearDown() {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

export function postgresKind(): StoreKind {
  // Started by the first test: where PostgreSQL is missing, each test fails with how to install it.
  const cluster = postgresForSuite();
  return {
    name: 'PostgreSQL',
    async database() {
      const url = await (await cluster.get()).createDatabase('store');
      const stores: KlaxonStore[] = [];
      return {
        open: async () => tracked(stores, await openPostgres(url, 4, TEST_SHARED_SETTINGS)),
        async rows<T>(sql: string) {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            return (await client.query(sql)).rows as T[];
          } finally {
            await client.end();
          }
        },
        async close() {
          await Promise.all(stores.map((s) => s.close()));
        },
      };
    },
    async tearDown() {
      await cluster.close();
    },
  };
}
