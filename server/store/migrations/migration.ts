import { ConfigError } from '../../config/index.js';

/**
 * One numbered step of a store's schema. Each store (SQLite, PostgreSQL) has its own list, numbered
 * from 1 without gaps; a database records the steps it has in `schema_migrations`, and a store
 * applies the missing ones when it opens. A step, once released, is never edited: a change is a new
 * step. Steps only add (tables, columns, indexes), so servers of the previous release keep working
 * on an upgraded database while replicas are replaced one by one.
 */
export interface Migration {
  version: number;
  /** What the step does, as recorded in `schema_migrations`. */
  name: string;
  sql: string;
}

/**
 * The steps a database at `current` still needs, in order. A database newer than this server (a
 * newer release migrated it) stops the start with a ConfigError naming the storage setting `key`:
 * this server cannot know what the newer steps changed.
 */
export function pendingMigrations(steps: readonly Migration[], current: number, key: string): Migration[] {
  steps.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" is numbered ${m.version}, expected ${i + 1}`);
  });
  if (current > steps.length)
    throw new ConfigError(
      `${key}: the database's schema is at version ${current}, newer than this Klaxon server knows (${steps.length}): a newer release of Klaxon has used it. Run that release or a newer one, or restore a backup taken before the upgrade.`,
      key,
    );
  return steps.slice(current);
}

/** A step that failed: the start stops, naming the storage setting, the step and where the database stays. */
export function migrationFailed(key: string, step: Migration, stays: number, cause: unknown): ConfigError {
  return new ConfigError(
    `${key}: Klaxon could not upgrade the database to schema version ${step.version} (${step.name}): ${(cause as Error).message}. The database stays at version ${stays}; fix the cause and start again.`,
    key,
  );
}
