import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import { ConfigError } from '../../config/index.js';
import { jsonEqual } from '../../runtime/json-equal.js';
import { KLAXON_LOCK_SPACE, LOCK } from './advisory-locks.js';
import { checkOut } from './pool.js';

/** How often a running server says it is still there. */
const HEARTBEAT_MS = 10_000;
/** A server not heard from for this long (three missed heartbeats) no longer counts as running. */
export const REPLICA_STALE_AFTER_SECONDS = 30;
/** Rows of servers gone for this long are deleted. */
const FORGET_AFTER = '1 day';

/** JSON with object keys sorted, so equal settings give the same fingerprint on every server. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

/** The keys whose values differ between two servers' shared settings. */
export function differingSettings(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !jsonEqual(a[k], b[k]));
}

interface OtherReplica {
  id: string;
  host: string;
  pid: number;
  settings: Record<string, unknown>;
  age: number;
}

/**
 * The servers using one PostgreSQL database, each with the settings they must share
 * (config/shared-settings.ts). A starting server is refused if a running one has other
 * settings; "running" means heard from within the last 30 s (a heartbeat every 10 s), and a
 * server that stops cleanly leaves at once. So a change of those settings means stopping every
 * server (or waiting 30 s after one crashed) and starting them with the new ones.
 */
export class ReplicaRegistry {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly fingerprint: string;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly settings: Record<string, unknown>,
    private readonly key: string,
  ) {
    this.fingerprint = createHash('sha256').update(canonical(settings)).digest('hex');
  }

  /** Joins, or throws a ConfigError saying which settings differ from a running server's. */
  async register(): Promise<void> {
    const { client, done } = await checkOut(this.pool);
    try {
      await client.query('BEGIN');
      // Two servers starting together: the second sees the first.
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [KLAXON_LOCK_SPACE, LOCK.replicas]);
      await client.query(`DELETE FROM replicas WHERE seen_at < now() - interval '${FORGET_AFTER}'`);
      const { rows } = await client.query<OtherReplica>(
        `SELECT id, host, pid, settings, floor(extract(epoch FROM now() - seen_at))::int AS age FROM replicas
         WHERE seen_at > now() - make_interval(secs => $1) AND fingerprint <> $2 AND id <> $3
         ORDER BY seen_at DESC LIMIT 1`,
        [REPLICA_STALE_AFTER_SECONDS, this.fingerprint, this.id],
      );
      const other = rows[0];
      if (other) {
        await client.query('ROLLBACK');
        throw new ConfigError(this.refusal(other), this.key);
      }
      await this.upsert(client);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      done();
    }
    this.timer = setInterval(() => void this.upsert(this.pool).catch(() => undefined), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Leaves at once (clean shutdown), so a server with new settings may start right after. */
  async unregister(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pool.query('DELETE FROM replicas WHERE id = $1', [this.id]);
  }

  /** Present and heard from now; after an outage long enough to look gone, this re-joins. */
  private async upsert(db: pg.ClientBase | pg.Pool): Promise<void> {
    await db.query(
      `INSERT INTO replicas (id, host, pid, fingerprint, settings) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET seen_at = now()`,
      [this.id, hostname(), process.pid, this.fingerprint, JSON.stringify(this.settings)],
    );
  }

  private refusal(other: OtherReplica): string {
    const keys = differingSettings(this.settings, other.settings);
    return `${this.key}: another Klaxon server uses this database with different settings (${other.host}, process ${other.pid}, heard from ${other.age} s ago): ${keys.join(', ')} ${keys.length === 1 ? 'differs' : 'differ'}. Servers sharing a database must agree on these, or the answer would depend on which server takes a request. Give every server the same settings; to change them, stop all servers and start them with the new ones (a server that crashed counts as running for ${REPLICA_STALE_AFTER_SECONDS} s).`;
  }
}
