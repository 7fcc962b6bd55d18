import { hostname } from 'node:os';
import pg from 'pg';
import type { Incident, Page } from '#common/index.js';
import type { Metrics } from '../http/metrics.js';
import type { HubChange } from '../live/incidents-hub.js';
import type { IncidentsView } from '../live/incidents-view.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import type { KlaxonStore } from '../store/store.js';
import { JournalReader, type JournalRow } from './journal.js';
import { FencedOut, PgLeadership, checkFence, type LeaderState } from './leadership.js';
import { SharedHub } from './shared-hub.js';

/** Work that runs only on the leader (the page tracker, escalation jobs): started on election, stopped on loss. */
export interface SingletonJob {
  start(): void;
  stop(): Promise<void> | void;
}

export interface ClusterNodeOptions {
  /** The shared PostgreSQL database (`storage.postgresUrl`). */
  url: string;
  /** This replica's name; default `<host>/<pid>`. */
  self?: string;
  /** See PgLeadership: how long a silent leader keeps the lock. */
  leaseMs?: number;
  metrics?: Pick<
    Metrics,
    'isLeader' | 'leaderEpoch' | 'leaderInfo' | 'elections' | 'journalSeq' | 'snapshotAge'
  > | null;
  logger?: Logger;
}

/** What `/readyz` shows about this replica's place among the others. */
export interface ClusterStatus extends LeaderState {
  journal: { seq: number; listening: boolean };
}

/** The stream side the journal feeds: the same event ids on every replica (EventStream with `sharedIds`). */
interface SharedEvents {
  startAt(seq: number): void;
  advance(seq: number): void;
  publishPage(page: Page, id: number): void;
  publishIncident(c: HubChange): void;
}

/** Journal rows a starting replica holds for replay (EventStream's default ring size). */
const PRIME_ROWS = 1024;

/** Journal rows older than this (and beyond the newest `KEEP_ROWS`) are pruned by the leader. */
const KEEP_MS = 3600_000;
const KEEP_ROWS = 5000;

/**
 * One Klaxon replica among several on one PostgreSQL database: elects the leader, runs the
 * singleton work only there, and turns the shared event journal into this replica's SSE events.
 * Built by `buildApp` (app.ts) when PostgreSQL is configured; with SQLite none of this exists.
 */
export class ClusterNode {
  readonly pool: pg.Pool;
  readonly leadership: PgLeadership;
  private readonly log: Logger;
  private hub: SharedHub | null = null;
  private journal: JournalReader | null = null;
  private jobs: SingletonJob[] = [];
  /** Leadership transitions run one after the other: a quick loss and re-election never overlap. */
  private transition: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | null = null;
  private leadingNow = false;

  constructor(private readonly opts: ClusterNodeOptions) {
    this.log = opts.logger ?? silentLogger;
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: 4,
      application_name: 'klaxon-cluster',
      keepAlive: true,
      connectionTimeoutMillis: 5000,
    });
    // An idle pooled connection that dies (database restart) is replaced on next use; say so, do not crash.
    this.pool.on('error', (e) => this.log.warn({ err: e.message }, 'a shared-database connection failed'));
    this.leadership = new PgLeadership({
      url: opts.url,
      self: opts.self ?? `${hostname()}/${process.pid}`,
      ...(opts.leaseMs !== undefined ? { leaseMs: opts.leaseMs } : {}),
      metrics: opts.metrics ?? null,
      logger: this.log,
    });
  }

  /** The hub every part of this replica uses; `inner` polls only while this replica leads. */
  sharedHub(inner: IncidentsView, config: { pollIntervalSeconds: number; recentWindowMinutes: number }): SharedHub {
    this.hub = new SharedHub({
      pool: this.pool,
      inner,
      leadership: this.leadership,
      config,
      metrics: this.opts.metrics ?? null,
      logger: this.log,
    });
    return this.hub;
  }

  /**
   * Loads the shared state and follows the journal into `events` from there. Runs before the
   * server listens, so the first client already gets shared ids.
   */
  async prepare(deps: { events: SharedEvents; store: Pick<KlaxonStore, 'getPage'> }): Promise<void> {
    const hub = this.hub;
    if (!hub) throw new Error('ClusterNode.sharedHub() must be called before prepare()');
    const { events, store } = deps;
    const cursor = await hub.load();
    await this.prime(events, store, cursor);
    this.journal = new JournalReader({
      pool: this.pool,
      url: this.opts.url,
      metrics: this.opts.metrics ?? null,
      logger: this.log,
      onRefresh: (reason) => hub.refreshRequested(reason),
      resync: async () => {
        const seq = await hub.load();
        events.startAt(seq);
        return seq;
      },
      apply: async (rows: JournalRow[]) => {
        for (const row of rows) {
          if (row.kind === 'page') {
            const record = row.pageId ? await store.getPage(row.pageId) : null;
            if (record) events.publishPage(record.page, row.seq);
          } else hub.applyRow(row);
          events.advance(row.seq);
        }
      },
    });
    this.journal.start(cursor);
  }

  /**
   * A replica that starts (or restarts) holds the newest journal rows for replay too, so a client
   * that the load balancer moves to it resumes with Last-Event-ID instead of reloading a snapshot.
   * Nobody is connected yet: publishing only fills the replay buffer.
   */
  private async prime(events: SharedEvents, store: Pick<KlaxonStore, 'getPage'>, cursor: number): Promise<void> {
    const from = Math.max(0, cursor - PRIME_ROWS);
    const { rows } = await this.pool.query<{
      seq: string;
      kind: JournalRow['kind'];
      page_id: string | null;
      data: unknown;
    }>('SELECT seq, kind, page_id, data FROM klaxon_events WHERE seq > $1 AND seq <= $2 ORDER BY seq', [from, cursor]);
    // Rows pruned in between would leave a hole: replay only from the first row held.
    const first = rows.length > 0 ? Number(rows[0]!.seq) - 1 : cursor;
    events.startAt(Math.max(from, first));
    for (const r of rows) {
      const seq = Number(r.seq);
      if (r.kind === 'page' && r.page_id) {
        const record = await store.getPage(r.page_id);
        if (record) events.publishPage(record.page, seq);
      } else if (r.kind === 'incident') {
        const d = r.data as { change: HubChange['change']; incident: Incident };
        events.publishIncident({ change: d.change, incident: d.incident, id: String(seq) });
      }
      events.advance(seq);
    }
    events.advance(cursor);
  }

  /** Takes part in the election; `jobs` run while this replica leads. */
  start(jobs: SingletonJob[]): void {
    this.jobs = jobs;
    this.leadership.on('change', (s) => this.onLeadership(s));
    this.leadership.start();
    this.pruneTimer = setInterval(() => void this.prune(), 60_000);
    this.pruneTimer.unref();
  }

  status(): ClusterStatus {
    return {
      ...this.leadership.state(),
      journal: { seq: this.journal?.position() ?? 0, listening: this.journal?.isListening() ?? false },
    };
  }

  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.leadership.stop();
    await this.transition;
    await this.journal?.stop();
    await this.pool.end().catch(() => undefined);
  }

  private onLeadership(s: LeaderState): void {
    const leading = s.role === 'leader';
    if (leading === this.leadingNow) return;
    this.leadingNow = leading;
    this.transition = this.transition.then(() => (leading ? this.lead() : this.follow()));
  }

  /** Elected: catch up with the journal (all the previous leader wrote), then start the singleton work. */
  private async lead(): Promise<void> {
    const hub = this.hub!;
    try {
      await this.journal!.catchUp();
      if (!this.leadership.isLeader()) return;
      await hub.takeOver();
      for (const job of this.jobs) job.start();
      this.log.info({ epoch: this.leadership.state().epoch }, 'leading: polling the paging service');
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'could not take over as leader; stepping down');
      this.leadership.stepDown('take-over failed');
    }
  }

  private async follow(): Promise<void> {
    await this.hub!.handOver();
    await Promise.allSettled(this.jobs.map(async (j) => j.stop()));
    this.log.info({ leader: this.leadership.state().leader }, 'following');
  }

  /** The leader keeps the journal short: an hour, and at least the newest rows a replica may replay. */
  private async prune(): Promise<void> {
    const fence = this.leadership.fence();
    if (!fence) return;
    const client = await this.pool.connect().catch(() => null);
    if (!client) return;
    try {
      await client.query('BEGIN');
      await checkFence(client, fence);
      const { rows } = await client.query<{ below: string | null }>(
        `SELECT LEAST((SELECT max(seq) - $1 FROM klaxon_events),
                      (SELECT max(seq) FROM klaxon_events WHERE at < now() - $2 * interval '1 millisecond')) AS below`,
        [KEEP_ROWS, KEEP_MS],
      );
      const below = Number(rows[0]?.below ?? 0);
      if (below > 0) {
        await client.query('UPDATE klaxon_leader SET pruned_below = GREATEST(pruned_below, $1) WHERE id = 1', [below]);
        await client.query('DELETE FROM klaxon_events WHERE seq < $1', [below]);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (e instanceof FencedOut) this.leadership.stepDown(e.message);
      else this.log.warn({ err: (e as Error).message }, 'could not prune the event journal');
    } finally {
      client.release();
    }
  }
}
