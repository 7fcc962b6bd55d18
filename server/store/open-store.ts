import { ConfigError } from '../config/index.js';
import { SqliteStore } from './sqlite-store.js';

/**
 * Opens the SQLite store. A database that cannot be opened (folder missing or read-only) stops the
 * start with a ConfigError naming `storage.sqlitePath`, instead of raw errno text and a stack.
 */
export function openStore(file: string): SqliteStore {
  try {
    return new SqliteStore(file);
  } catch (e) {
    throw new ConfigError(
      `storage.sqlitePath: Klaxon cannot open its database "${file}" (${(e as Error).message}); check the folder exists and the server user can write to it, or set storage.sqlitePath (KLAXON_SQLITE_PATH) to a writable file.`,
      'storage.sqlitePath',
    );
  }
}
