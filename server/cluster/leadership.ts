import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Metrics } from '../http/metrics.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import { KLAXON_LOCK_SPACE, LOCK } from '../store/postgres/advisory-locks.js';

/** What a write made as leader carries: the database refuses it once a newer leader was elected. */
export interface LeaderFence {
  epoch: number;
}

export interface LeaderState {
  /** This replica's name. */
  self: string;
  role: 'leader' | 'follower';
  /** The replica that leads, as far as this one knows (null: none known, e.g. database unreachable). */
  leader: string | null;
  /** The leadership epoch this replica last saw (its own while it leads). */
  epoch: number | null;
}

/**
 * Who does the work that must run once per organisation: polling the paging service, following
 * pages to their incidents, and any other singleton job. Events: `change` (LeaderState) whenever
 * the role or the known leader changes.
 */
export interface Leadership {
  isLeader(): boolean;
  /**
   * The same as `isLeader()`, under the name the escalation job's leadership hook uses
   * (`{ runsHere(): boolean }`, "always true in one process"): pass this object to it.
   */
  runsHere(): boolean;
  /** The fence for writes made as leader; null while not leading (and always with one SQLite process). */
  fence(): LeaderFence | null;
  state(): LeaderState;
  /** A write as leader was refused (a newer leader exists), or the caller knows it lost: stop leading now. */
  stepDown(reason: string): void;
  start(): void;
  stop(): Promise<void>;
  on(event: 'change', listener: (s: LeaderState) => void): unknown;
  off(event: 'change', listener: (s: LeaderState) => void): unknown;
}

/** One process on SQLite: it is always the leader, and nobody else can write. */
export class SoloLeadership extends EventEmitter<{ change: [LeaderState] }> implements Leadership {
  constructor(private readonly self = 'this server') {
    super();
  }
  isLeader(): boolean {
    return true;
  }
  runsHere(): boolean {
    return true;
  }
  fence(): LeaderFence | null {
    return null;
  }
  state(): LeaderState {
    return { self: this.self, role: 'leader', leader: this.self, epoch: null };
  }
  stepDown(): void {}
  start(): void {}
  async stop(): Promise<void> {}
}

/** A write made as leader reached the database after another replica had been elected: refused. */
export class FencedOut extends Error {
  constructor(mine: number, current: number | null) {
    super(`this replica's leadership (epoch ${mine}) ended: the leader now holds epoch ${current ?? 'none'}`);
    this.name = 'FencedOut';
  }
}

/**
 * Inside a transaction that writes as leader: locks the leader row for share (an election, which
 * updates it, waits for this transaction, and this one waits for a running election) and refuses
 * with FencedOut unless the epoch is still `fence.epoch`.
 */
export async function checkFence(client: Pick<pg.ClientBase, 'query'>, fence: LeaderFence): Promise<void> {
  const { rows } = await client.query<{ epoch: string }>('SELECT epoch FROM klaxon_leader WHERE id = 1 FOR SHARE');
  const current = rows[0] ? Number(rows[0].epoch) : null;
  if (current !== fence.epoch) throw new FencedOut(fence.epoch, current);
}

export interface PgLeadershipOptions {
  /** libpq connection string of the shared database. */
  url: string;
  /** This replica's name, shown to every replica (`/readyz`, metrics). */
  self: string;
  /** How often a follower tries to take the lock (and learns who leads). Default 1000 ms. */
  retryMs?: number;
  /** How often the leader checks its connection. Default 1000 ms. */
  checkMs?: number;
  /**
   * How long the leader's connection may stay silent before the database ends its session (and
   * with it the lock): a stalled leader (paused process, event loop blocked) loses leadership after
   * this, and its late writes are refused by the epoch. Default 5000 ms.
   */
  leaseMs?: number;
  metrics?: Pick<Metrics, 'isLeader' | 'leaderEpoch' | 'leaderInfo' | 'elections'> | null;
  logger?: Logger;
}

/**
 * Leader election with a PostgreSQL session advisory lock held on a dedicated connection (not a
 * pooled one: the lock lives as long as that session). Whoever takes the lock increments the epoch
 * in `klaxon_leader` in the same session; every write made as leader checks it (`checkFence`).
 *
 * The lock goes when the session goes: a killed leader's socket closes and PostgreSQL releases it
 * at once; a connection that is cut is noticed by TCP keepalives on both sides; a leader that stalls
 * is ended by `idle_session_timeout` (`leaseMs`). The leader itself steps down as soon as a check
 * fails or takes longer than the lease, before the database has noticed.
 */
export class PgLeadership extends EventEmitter<{ change: [LeaderState] }> implements Leadership {
  private readonly log: Logger;
  private readonly retryMs: number;
  private readonly checkMs: number;
  private readonly leaseMs: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private client: pg.Client | null = null;
  private epoch: number | null = null;
  private leading = false;
  private leader: string | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: PgLeadershipOptions) {
    super();
    this.setMaxListeners(0);
    this.log = opts.logger ?? silentLogger;
    this.retryMs = opts.retryMs ?? 1000;
    this.checkMs = opts.checkMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 5000;
  }

  isLeader(): boolean {
    return this.leading;
  }

  runsHere(): boolean {
    return this.leading;
  }

  fence(): LeaderFence | null {
    return this.leading && this.epoch !== null ? { epoch: this.epoch } : null;
  }

  state(): LeaderState {
    return { self: this.opts.self, role: this.leading ? 'leader' : 'follower', leader: this.leader, epoch: this.epoch };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.dropConnection();
    // pg's connect() may never settle when end() cut it short: do not wait on it for ever.
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, this.leaseMs).unref())]);
    this.setState(false, this.leading ? null : this.leader, this.epoch);
  }

  stepDown(reason: string): void {
    if (!this.leading) return;
    this.log.warn({ reason, epoch: this.epoch }, 'stepping down as leader');
    // Ending the session releases the lock, so another replica can be elected at once.
    this.dropConnection();
    this.setState(false, null, this.epoch);
  }

  private setState(leading: boolean, leader: string | null, epoch: number | null): void {
    const changed = leading !== this.leading || leader !== this.leader || epoch !== this.epoch;
    this.leading = leading;
    this.leader = leader;
    this.epoch = epoch;
    if (!changed) return;
    const m = this.opts.metrics;
    m?.isLeader.set(leading ? 1 : 0);
    if (epoch !== null) m?.leaderEpoch.set(epoch);
    m?.leaderInfo.reset();
    if (leader) m?.leaderInfo.set({ leader }, 1);
    this.emit('change', this.state());
  }

  private dropConnection(): void {
    const c = this.client;
    this.client = null;
    // A client still connecting is ended by its session once connect() returns (pg's end() during
    // connect can leave connect() unsettled).
    if (c && this.connected.has(c)) void c.end().catch(() => undefined);
  }

  private readonly connected = new WeakSet<pg.Client>();

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.session();
        failures = 0;
      } catch (e) {
        failures++;
        if (this.leading) this.log.error({ err: (e as Error).message }, 'lost the leader connection: stepping down');
        else if (failures === 1 || failures % 30 === 0)
          this.log.warn({ err: (e as Error).message }, 'leader election cannot reach the database; retrying');
      } finally {
        this.dropConnection();
        if (this.leading) this.setState(false, null, this.epoch);
      }
      if (this.running) await this.pause(Math.min(this.retryMs * Math.max(1, failures), 5000));
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  /** One database session: tries for the lock until it gets it, then holds it while checks pass. */
  private async session(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.opts.url,
      application_name: `klaxon-leader ${this.opts.self}`.slice(0, 63),
      keepAlive: true,
      keepAliveInitialDelayMillis: 1000,
      connectionTimeoutMillis: this.leaseMs,
      query_timeout: this.leaseMs,
    });
    let broken: Error | null = null;
    client.on('error', (e) => (broken = e));
    this.client = client;
    try {
      await client.connect();
    } finally {
      this.connected.add(client);
    }
    if (this.client !== client) {
      await client.end().catch(() => undefined);
      return;
    }
    const leaseSeconds = Math.max(1, Math.round(this.leaseMs / 1000));
    await client.query(
      `SET idle_session_timeout = '${this.leaseMs}ms'; SET tcp_keepalives_idle = ${leaseSeconds}; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3`,
    );
    while (this.running && this.client === client) {
      if (broken) throw broken;
      if (!this.leading) {
        const { rows } = await client.query<{ got: boolean; holder: string | null; epoch: string }>(
          'SELECT pg_try_advisory_lock($1, $2) AS got, holder, epoch FROM klaxon_leader WHERE id = 1',
          [KLAXON_LOCK_SPACE, LOCK.leader],
        );
        const row = rows[0];
        if (!row) throw new Error('klaxon_leader has no row: the cluster migration has not run');
        if (row.got) {
          const r = await client.query<{ epoch: string }>(
            'UPDATE klaxon_leader SET epoch = epoch + 1, holder = $1, elected_at = now() WHERE id = 1 RETURNING epoch',
            [this.opts.self],
          );
          const epoch = Number(r.rows[0]!.epoch);
          this.opts.metrics?.elections.inc();
          this.log.info({ epoch, self: this.opts.self }, 'elected leader');
          this.setState(true, this.opts.self, epoch);
        } else {
          this.setState(false, row.holder, Number(row.epoch));
        }
      } else {
        const started = Date.now();
        const { rows } = await client.query<{ epoch: string }>('SELECT epoch FROM klaxon_leader WHERE id = 1');
        const current = Number(rows[0]?.epoch);
        if (current !== this.epoch) throw new FencedOut(this.epoch ?? 0, current);
        // A check that took longer than the lease: the database may already have ended the session.
        if (Date.now() - started > this.leaseMs) throw new Error('the leader check took longer than the lease');
      }
      await this.pause(this.leading ? this.checkMs : this.retryMs);
    }
  }
}
