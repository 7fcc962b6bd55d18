import { ConfigError, type ServerConfig } from '../config/index.js';
import { sharedSettings } from '../config/shared-settings.js';
import { migratePostgres } from './postgres/postgres-migrations.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { checkOut, createPool, oneLine, redactUrl, withoutPassword } from './postgres/pool.js';
import { ReplicaRegistry } from './postgres/replica-registry.js';
import { SqliteStore } from './sqlite-store.js';
import type { KlaxonStore } from './store.js';

/**
 * Opens the store the configuration names: PostgreSQL when `storage.postgresUrl` is set (several
 * servers on one database), else the SQLite file. Either is migrated to the latest schema first.
 * A database that cannot be opened or reached stops the start with a ConfigError naming the
 * setting (never the password), instead of raw errno text and a stack.
 */
export async function openStore(config: ServerConfig): Promise<KlaxonStore> {
  const { postgresUrl, postgresPoolSize, sqlitePath } = config.storage;
  return postgresUrl ? openPostgres(postgresUrl, postgresPoolSize, sharedSettings(config)) : openSqlite(sqlitePath);
}

function openSqlite(file: string): SqliteStore {
  try {
    return new SqliteStore(file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(
      `storage.sqlitePath: Klaxon cannot open its database "${file}" (${(e as Error).message}); check the folder exists and the server user can write to it, or set storage.sqlitePath (KLAXON_SQLITE_PATH) to a writable file.`,
      'storage.sqlitePath',
    );
  }
}

const PG_KEY = 'storage.postgresUrl';

/**
 * Connects, migrates under the migration lock, and joins the servers on this database (refused if
 * a running one has other shared settings). The pool then reconnects by itself after outages.
 */
export async function openPostgres(
  url: string,
  poolSize: number,
  settings: Record<string, unknown>,
): Promise<PostgresStore> {
  const pool = createPool(url, poolSize);
  try {
    const { client, done } = await checkOut(pool);
    try {
      await migratePostgres(client, PG_KEY);
    } finally {
      done();
    }
    const replicas = new ReplicaRegistry(pool, settings, PG_KEY);
    await replicas.register();
    return new PostgresStore(pool, () => replicas.unregister());
  } catch (e) {
    await pool.end().catch(() => undefined);
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(
      `${PG_KEY}: Klaxon cannot use PostgreSQL at ${redactUrl(url)} (${withoutPassword(oneLine((e as Error).message), url)}); check that the database server runs and accepts connections from this host, and that ${PG_KEY} (KLAXON_POSTGRES_URL) names the right host, port, database, user and password.`,
      PG_KEY,
    );
  }
}
