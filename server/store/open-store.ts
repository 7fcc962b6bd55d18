// Start-up failures an operator can fix (port taken, database folder missing or read-only) are
// turned into ConfigErrors naming the key to change, instead of raw errno text and a stack.
import { ConfigError, type ServerConfig } from '../config/index.js';
import { SqliteStore } from './sqlite-store.js';

/** Opens the SQLite store, or throws a ConfigError naming `storage.sqlitePath`. */
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

/** Explains why listening failed; errors it does not recognise are returned unchanged. */
export function listenError(e: unknown, listen: ServerConfig['listen']): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const where = `${listen.host}:${listen.port}`;
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      `listen.port: port ${listen.port} on ${listen.host} is already in use by another program; stop that program or choose another port with listen.port (KLAXON_LISTEN_PORT).`,
      'listen.port',
    );
  }
  if (code === 'EACCES') {
    return new ConfigError(
      `listen.port: this user may not listen on ${where} (ports below 1024 need extra privileges); choose a port of 1024 or more with listen.port (KLAXON_LISTEN_PORT) and put a reverse proxy in front.`,
      'listen.port',
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new ConfigError(
      `listen.host: "${listen.host}" is not an address of this machine; set listen.host (KLAXON_LISTEN_HOST) to one of its addresses, 127.0.0.1, or 0.0.0.0 for all.`,
      'listen.host',
    );
  }
  return e;
}
