import pg from 'pg';
import type { Metrics } from '../http/metrics.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import { EVENTS_CHANNEL, REFRESH_CHANNEL } from './schema.js';

/** One row of `klaxon_events`: what a replica turns into the same SSE event as every other replica. */
export interface JournalRow {
  seq: number;
  kind: 'incident' | 'state' | 'page';
  pageId: string | null;
  data: unknown;
}

export interface JournalReaderOptions {
  pool: Pick<pg.Pool, 'query'>;
  /** libpq connection string: LISTEN needs a connection of its own. */
  url: string;
  /** Applies rows in sequence order, one batch at a time (never two batches at once). */
  apply(rows: JournalRow[]): Promise<void>;
  /** The rows after the cursor were pruned (this replica was away too long): start again from the tables. */
  resync(): Promise<number>;
  /** A replica asked the leader to poll now (REFRESH_CHANNEL). */
  onRefresh?(reason: string): void;
  /** Safety net: read the table this often even without a notification (a NOTIFY can be lost). Default 1000 ms. */
  pollMs?: number;
  batch?: number;
  metrics?: Pick<Metrics, 'journalSeq'> | null;
  logger?: Logger;
}

/**
 * Follows the shared event journal: LISTEN on a dedicated connection says that something new is
 * there (the payload is only a sequence number), and the rows after the cursor are read from the
 * table. A notification lost with the connection costs nothing: reconnecting, and a read every
 * `pollMs` anyway, catch up by sequence number. Reads are serialised, so rows apply in order.
 */
export class JournalReader {
  private readonly log: Logger;
  private cursor = 0;
  private running = false;
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private listener: pg.Client | null = null;
  private listenLoop: Promise<void> | null = null;
  private readonly caughtUpWaiters: (() => void)[] = [];
  private listening = false;

  constructor(private readonly opts: JournalReaderOptions) {
    this.log = opts.logger ?? silentLogger;
  }

  /** The newest sequence number applied. */
  position(): number {
    return this.cursor;
  }

  /** Whether the LISTEN connection is up (without it the replica still catches up every `pollMs`). */
  isListening(): boolean {
    return this.listening;
  }

  start(cursor: number): void {
    this.cursor = cursor;
    this.opts.metrics?.journalSeq.set(cursor);
    this.running = true;
    this.listenLoop = this.listen();
    this.tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    // A listener still connecting ends itself once connected (pg's end() during connect can
    // leave connect() unsettled).
    const l = this.listening ? this.listener : null;
    this.listener = null;
    for (const w of this.caughtUpWaiters.splice(0)) w();
    // pg's connect() may never settle when end() cut it short: do not wait on it for ever.
    const bounded = (p: Promise<unknown> | null) =>
      Promise.race([p, new Promise((r) => setTimeout(r, 5000).unref())]).catch(() => undefined);
    await bounded(l?.end() ?? null);
    await bounded(this.listenLoop);
    await bounded(this.reading);
  }

  /** Read now (a notification arrived, or a caller needs to be up to date). */
  kick(): void {
    if (!this.running) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readAll()
      .catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'could not read the event journal; retrying'))
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves once every row committed before this call has been applied (or after `timeoutMs`). */
  async catchUp(timeoutMs = 10_000): Promise<void> {
    const done = new Promise<void>((resolve) => this.caughtUpWaiters.push(resolve));
    // A read already running may have started before the rows this caller needs: ask for one more.
    this.again = this.reading !== null;
    this.kick();
    await Promise.race([done, new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private tick(): void {
    if (!this.running) return;
    this.kick();
    this.timer = setTimeout(() => this.tick(), this.opts.pollMs ?? 1000);
    this.timer.unref();
  }

  private async readAll(): Promise<void> {
    const batch = this.opts.batch ?? 500;
    for (;;) {
      const { rows } = await this.opts.pool.query<{
        seq: string;
        kind: JournalRow['kind'];
        page_id: string | null;
        data: unknown;
      }>('SELECT seq, kind, page_id, data FROM klaxon_events WHERE seq > $1 ORDER BY seq LIMIT $2', [
        this.cursor,
        batch,
      ]);
      if (rows.length > 0 && Number(rows[0]!.seq) > this.cursor + 1 && (await this.prunedPast())) {
        this.log.warn({ cursor: this.cursor }, 'the event journal was pruned past this replica: reloading');
        this.cursor = await this.opts.resync();
        continue;
      }
      if (rows.length > 0) {
        await this.opts.apply(rows.map((r) => ({ seq: Number(r.seq), kind: r.kind, pageId: r.page_id, data: r.data })));
        this.cursor = Number(rows[rows.length - 1]!.seq);
        this.opts.metrics?.journalSeq.set(this.cursor);
      }
      if (rows.length < batch) break;
    }
    if (!this.again) for (const w of this.caughtUpWaiters.splice(0)) w();
  }

  /** Whether rows after the cursor were deleted (a gap can also be a rolled-back transaction). */
  private async prunedPast(): Promise<boolean> {
    const { rows } = await this.opts.pool.query<{ pruned_below: string }>(
      'SELECT pruned_below FROM klaxon_leader WHERE id = 1',
    );
    return this.cursor + 1 < Number(rows[0]?.pruned_below ?? 0);
  }

  private async listen(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const client = new pg.Client({
        connectionString: this.opts.url,
        application_name: 'klaxon-listen',
        keepAlive: true,
        keepAliveInitialDelayMillis: 1000,
        connectionTimeoutMillis: 5000,
      });
      const ended = new Promise<void>((resolve) => {
        client.on('error', (e) => {
          this.log.warn({ err: e.message }, 'the event journal LISTEN connection failed; catching up from the table');
          resolve();
        });
        client.on('end', () => resolve());
      });
      client.on('notification', (n) => {
        if (n.channel === EVENTS_CHANNEL) this.kick();
        else if (n.channel === REFRESH_CHANNEL) this.opts.onRefresh?.(n.payload ?? 'replica');
      });
      try {
        this.listener = client;
        await client.connect();
        if (!this.running) break;
        await client.query(`LISTEN ${EVENTS_CHANNEL}; LISTEN ${REFRESH_CHANNEL}`);
        this.listening = true;
        failures = 0;
        // Whatever was notified while this connection was away is in the table.
        this.kick();
        // A LISTEN connection only reads: a silently dead one (a cut network path) is found by
        // asking it something now and then.
        const probe = setInterval(() => {
          client
            .query({ text: 'SELECT 1', query_timeout: 5000 } as pg.QueryConfig)
            .catch(() => client.end().catch(() => undefined));
        }, 10_000);
        probe.unref();
        await ended.finally(() => clearInterval(probe));
      } catch (e) {
        failures++;
        if (failures === 1 || failures % 30 === 0)
          this.log.warn({ err: (e as Error).message }, 'cannot LISTEN for shared events; catching up from the table');
      } finally {
        this.listening = false;
        if (this.listener === client) this.listener = null;
        await client.end().catch(() => undefined);
      }
      if (this.running) await new Promise((r) => setTimeout(r, Math.min(500 * Math.max(1, failures), 5000)).unref());
    }
  }
}
