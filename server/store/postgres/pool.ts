import pg from 'pg';
import { StorageUnavailableError } from '../storage-unavailable.js';

/** How long a request waits for a connection (including connecting) before storage counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5000;
/** A statement that runs longer is cancelled by the server (the accept path takes milliseconds). */
const STATEMENT_TIMEOUT_MS = 10_000;
/** A transaction left idle this long belongs to a server that stopped mid-way. */
const IDLE_IN_TRANSACTION_MS = 15_000;
/** Past this the client gives up on an answer: covers a network that drops packets silently. */
const QUERY_TIMEOUT_MS = 15_000;

/**
 * The connection pool of one server. Connections are opened on demand and replaced when they
 * break, so after a database restart or a network cut the next request simply connects again;
 * requests meanwhile fail fast with StorageUnavailableError.
 */
export function createPool(url: string, size: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    // A server frozen mid-transaction (a paused VM) would hold its row and advisory locks for ever;
    // Klaxon's transactions take milliseconds, so PostgreSQL ends such a session instead.
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: 'klaxon',
    // Commits do not wait for their WAL flush, except in transactions that ask for it (DURABLE_BEGIN):
    // see PostgresStore.acceptPage for why only some must. (An `options` parameter in the URL
    // replaces this one; every commit then waits, which is only slower.)
    options: '-c synchronous_commit=off',
  });
  // An idle connection the server closed (restart, failover): the pool drops it and connects anew
  // on the next checkout. Without a listener the 'error' event would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/** Starts a transaction whose COMMIT returns only once it is durable (flushed, and replicated where configured). */
export const DURABLE_BEGIN = 'BEGIN; SET LOCAL synchronous_commit = on';

const ignore = () => undefined;

/**
 * A connection of the pool for several statements (a transaction). While checked out, a
 * connection that breaks between two statements emits 'error' with no pool listener to catch it:
 * this one ignores it (the next statement fails with the reason). Release it with `done(broken)`.
 */
export async function checkOut(pool: pg.Pool): Promise<{ client: pg.PoolClient; done(broken?: boolean): void }> {
  const client = await pool.connect();
  client.on('error', ignore);
  return {
    client,
    done(broken = false) {
      client.off('error', ignore);
      client.release(broken);
    },
  };
}

/** The URL with its password (in the user part or a `password` parameter) replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString().replace('%2A%2A%2A', '***');
  } catch {
    return '(the configured URL, which is not a valid URL)';
  }
}

/** `text` with the URL's password, wherever it appears, replaced by `***` (error texts may quote the URL). */
export function withoutPassword(text: string, url: string): string {
  let password = '';
  try {
    const u = new URL(url);
    password = decodeURIComponent(u.password) || (u.searchParams.get('password') ?? '');
  } catch {
    /* not a URL: nothing known to hide */
  }
  return password ? text.split(password).join('***') : text;
}

/**
 * SQLSTATE classes that mean "the database is not there right now", not "this statement is wrong":
 * 08 connection exception, 57P01-57P03 shutdown and start-up, 53300 too many connections.
 */
const UNAVAILABLE_STATES = /^(08|57P0[1-3]|53300)/;

/** Socket errors (Node's errno codes) of a database that is down or cut off. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** pg's and pg-pool's own words for a connection that broke, never came, or stopped answering. */
const CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Query read timeout|Client has encountered a connection error|Client was closed)/;

/** Whether an error from pg means the database could not be reached, rather than a statement that failed. */
export function isUnreachable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_STATES.test(code);
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  return e instanceof Error && CONNECTION_MESSAGES.test(e.message);
}

/** Errors that mean the database is unreachable become StorageUnavailableError; the others stay as they are. */
export function storageError(e: unknown): unknown {
  return isUnreachable(e) ? new StorageUnavailableError(oneLine((e as Error).message)) : e;
}

export const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
