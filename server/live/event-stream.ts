import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HEARTBEAT_SECONDS, type Page, type ServerEvent, type ServerEventOf } from '#common/index.js';
import type { HubChange, HubStatus, IncidentsHub } from './incidents-hub.js';
import { acceptedEncodings } from '../http/compression.js';
import { HttpError } from '../http/errors.js';
import { GzipMember, StreamPiece } from './gzip-frames.js';
import { shownIncident, shownSnapshot } from './shown-incident.js';
import type { Metrics } from '../http/metrics.js';
import type { Viewer } from '../auth/viewer.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { type Logger, silentLogger } from '../runtime/logger.js';

/** What the stream needs of the incidents hub: the poller itself, or the view replicas share (server/cluster/). */
export interface StreamHub extends Pick<IncidentsHub, 'snapshot' | 'status'> {
  on(event: 'change', listener: (c: HubChange) => void): unknown;
  on(event: 'status', listener: (s: HubStatus) => void): unknown;
  off(event: 'change', listener: (c: HubChange) => void): unknown;
  off(event: 'status', listener: (s: HubStatus) => void): unknown;
}

export interface EventStreamOptions {
  hub: StreamHub;
  metrics?: Pick<Metrics, 'sseClients'> | null;
  logger?: Logger;
  clock?: Clock;
  /** Default HEARTBEAT_SECONDS from the contract. */
  heartbeatSeconds?: number;
  /** Resolution of the one shared timer (heartbeats and credential expiry). Default 1000 ms. */
  tickMs?: number;
  /** Recent incident/page events kept for `Last-Event-ID` resume. Default 1024. */
  ringSize?: number;
  /** A client whose socket holds more unsent bytes than this is dropped (it reconnects and resumes). */
  maxBufferedBytes?: number;
  /** Reconnect delay suggested to EventSource clients. */
  retryMs?: number;
  /**
   * Several replicas: incident and page events come with their ids (a sequence in the shared
   * database, server/cluster/), so a client resumes on any replica; heartbeats and snapshots carry
   * the newest id instead of taking one. Default false: this process numbers the events itself.
   */
  sharedIds?: boolean;
  /** Streams one person may hold open at once (`events.maxStreamsPerUser`). Default 10. */
  maxStreamsPerUser?: number;
}

/** The timings and limits of the stream, apart from its collaborators. */
export type EventStreamTuning = Pick<
  EventStreamOptions,
  'heartbeatSeconds' | 'tickMs' | 'ringSize' | 'maxBufferedBytes' | 'retryMs' | 'maxStreamsPerUser'
>;

interface Client {
  res: ServerResponse;
  sub: string;
  expirySecond: number | null;
  open: boolean;
  /** Set when the client asked for gzip (gzip-frames.ts). */
  gzip: GzipMember | null;
}

interface RingEntry {
  seq: number;
  /** null: for everyone; otherwise only the streams of this subject (page events). */
  sub: string | null;
  frame: StreamPiece;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const;

/** When a person over the stream limit may try again (a closed tab frees its slot at once). */
const STREAM_LIMIT_RETRY_SECONDS = 30;

const EXPIRED_MESSAGE = 'Your sign-in has expired. Klaxon reconnects as soon as it has refreshed it.';

/**
 * Server-sent events to every connected client. Built for many clients on one core: each event
 * is serialised once and the same string written to every socket; there are no per-client timers
 * (one shared tick sends heartbeats and ends streams whose credential expired); a client that
 * cannot keep up is dropped instead of buffering without bound (it reconnects with Last-Event-ID
 * and gets what it missed).
 *
 * Event ids are one increasing sequence that starts at the server's start time in milliseconds,
 * so an id from before a restart is always older than anything this process can replay and the
 * client correctly gets a full snapshot.
 */
export class EventStream {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly heartbeatTicks: number;
  private readonly tickMs: number;
  private readonly ringSize: number;
  private readonly maxBuffered: number;
  private readonly retryMs: number;
  private readonly maxPerUser: number;

  private seq: number;
  /** Every id at or below this is no longer replayable. */
  private evictedUpTo: number;
  private readonly ring: RingEntry[] = [];
  private readonly clients = new Set<Client>();
  private readonly bySub = new Map<string, Set<Client>>();
  private readonly expiries = new Map<number, Set<Client>>();
  private ticks = 0;
  private timer: unknown = null;
  private closed = false;
  private snapshotCache: { key: string; incidents: StreamPiece } | null = null;
  private dropped = 0;

  private readonly onChange = (c: HubChange) => this.publishIncident(c);
  private readonly onStatus = (_s: HubStatus) => this.broadcastHeartbeat();

  constructor(private readonly opts: EventStreamOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.tickMs = opts.tickMs ?? 1000;
    this.heartbeatTicks = Math.max(1, Math.round(((opts.heartbeatSeconds ?? HEARTBEAT_SECONDS) * 1000) / this.tickMs));
    this.ringSize = opts.ringSize ?? 1024;
    this.maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
    this.retryMs = opts.retryMs ?? 3000;
    this.maxPerUser = opts.maxStreamsPerUser ?? 10;
    this.seq = opts.sharedIds ? 0 : this.clock.now();
    this.evictedUpTo = this.seq;
    opts.hub.on('change', this.onChange);
    opts.hub.on('status', this.onStatus);
    this.scheduleTick();
  }

  clientCount(): number {
    return this.clients.size;
  }

  /** Slow clients dropped so far (for tests and benchmarks). */
  droppedCount(): number {
    return this.dropped;
  }

  /** The id of the newest event; a snapshot sent now represents the state as of this id. */
  currentId(): string {
    return String(this.seq);
  }

  /**
   * Throws the 429 a new stream of this person would get, if any. Every stream holds a socket and
   * starts with a snapshot of every incident: one person (or a script with their token) must not open
   * them without bound. Checked before the response is taken over, so the refusal is an ordinary
   * error answer; `GET /api/v1/events/admission` asks the same question for the web UI, whose
   * EventSource cannot read a refused stream's status (renderer/api/web-link.ts).
   */
  admit(viewer: Viewer): void {
    const open = this.bySub.get(viewer.sub)?.size ?? 0;
    if (open >= this.maxPerUser)
      throw new HttpError(
        429,
        'rate_limited',
        // Read by a person in the desktop popover or the web UI, who may not know what a stream is.
        `Klaxon is open in too many windows or devices for you (the limit is ${this.maxPerUser}, events.maxStreamsPerUser on the Klaxon server). Close one and Klaxon reconnects by itself.`,
        {
          retryAfterSeconds: STREAM_LIMIT_RETRY_SECONDS,
          headers: { 'retry-after': String(STREAM_LIMIT_RETRY_SECONDS) },
        },
      );
  }

  /**
   * Takes over the response: headers, then either the events missed since `Last-Event-ID` (when
   * all of them are still held) or a full snapshot, then live events until the client leaves,
   * the credential expires or the server closes. `pagesAsOf`: the `currentId()` read before
   * `initialPages` was loaded; page events for this viewer published since then are sent after the
   * snapshot, so none falls between the two.
   */
  attach(
    request: FastifyRequest,
    reply: FastifyReply,
    viewer: Viewer,
    initialPages: readonly Page[],
    pagesAsOf?: string,
  ): void {
    this.admit(viewer);
    reply.hijack();
    const res = reply.raw;
    const headers: Record<string, string | number | string[]> = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v;
    const gzip = acceptedEncodings(request).has('gzip') ? new GzipMember() : null;
    res.writeHead(200, {
      ...headers,
      ...SSE_HEADERS,
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    if (gzip) res.write(gzip.header());
    const socket = request.raw.socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.setTimeout(0);

    const now = this.clock.now();
    const client: Client = { res, sub: viewer.sub, expirySecond: null, open: true, gzip };
    const first: StreamPiece[] = [new StreamPiece(`retry: ${this.retryMs}\n\n`)];
    if (this.closed) {
      this.end(client, first);
      return;
    }
    if (viewer.expiresAt && viewer.expiresAt.getTime() <= now) {
      first.push(
        this.frame({ type: 'session', id: this.nextId(), data: { state: 'expired', message: EXPIRED_MESSAGE } }),
      );
      this.end(client, first);
      return;
    }
    const resumeFrom = this.resumablePoint(request);
    if (resumeFrom !== null) {
      for (const e of this.ring)
        if (e.seq > resumeFrom && (e.sub === null || e.sub === viewer.sub)) first.push(e.frame);
      first.push(this.heartbeatFrame(String(this.seq)));
    } else {
      first.push(...this.snapshotFrame(initialPages));
      const asOf = pagesAsOf !== undefined ? Number(pagesAsOf) : NaN;
      if (Number.isSafeInteger(asOf))
        for (const e of this.ring) if (e.seq > asOf && e.sub === viewer.sub) first.push(e.frame);
    }

    this.clients.add(client);
    let mine = this.bySub.get(viewer.sub);
    if (!mine) this.bySub.set(viewer.sub, (mine = new Set()));
    mine.add(client);
    if (viewer.expiresAt) {
      client.expirySecond = Math.ceil(viewer.expiresAt.getTime() / 1000);
      let bucket = this.expiries.get(client.expirySecond);
      if (!bucket) this.expiries.set(client.expirySecond, (bucket = new Set()));
      bucket.add(client);
    }
    this.opts.metrics?.sseClients.set(this.clients.size);
    res.on('close', () => this.remove(client));
    res.on('error', () => this.remove(client));
    this.write(client, first);
  }

  /**
   * Shared ids: the stream continues from this journal position; anything older cannot be replayed
   * here (a client resuming from before it gets a snapshot). Streams already open are ended, so
   * they reconnect and get a snapshot that matches (a replica that fell too far behind reloads).
   */
  startAt(seq: number): void {
    this.seq = seq;
    this.evictedUpTo = seq;
    this.ring.length = 0;
    this.snapshotCache = null;
    for (const c of [...this.clients]) {
      c.res.end();
      this.remove(c);
    }
  }

  /** Shared ids: every journal row applied moves the position, also rows that are no event here. */
  advance(seq: number): void {
    if (seq > this.seq) this.seq = seq;
  }

  /** A page's status changed: only the requester's streams hear of it. `id`: its shared id, if any. */
  publishPage(page: Page, sharedId?: number): void {
    if (this.closed) return;
    const id = this.nextId(sharedId);
    const frame = this.frame({ type: 'page', id, data: page });
    this.remember(Number(id), page.requester.sub, frame);
    const targets = this.bySub.get(page.requester.sub);
    if (targets) for (const c of targets) this.write(c, frame);
  }

  /** Ends every stream (server shutdown) and stops the shared timer. Clients reconnect elsewhere/later. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.opts.hub.off('change', this.onChange);
    this.opts.hub.off('status', this.onStatus);
    for (const c of [...this.clients]) {
      this.end(c, []);
      this.remove(c);
    }
  }

  /** An incident changed: every stream hears of it (called for the hub's `change` events). */
  publishIncident(c: HubChange): void {
    if (this.closed) return;
    const id = this.nextId(c.id === undefined ? undefined : Number(c.id));
    const frame = this.frame({
      type: 'incident',
      id,
      data: { change: c.change, incident: shownIncident(c.incident), fetchedAt: this.opts.hub.status().lastSuccessAt },
    });
    this.remember(Number(id), null, frame);
    for (const client of this.clients) this.write(client, frame);
  }

  private broadcastHeartbeat(): void {
    if (this.closed || this.clients.size === 0) return;
    const frame = this.heartbeatFrame(this.nextId());
    for (const client of this.clients) this.write(client, frame);
  }

  /**
   * The id of a new event. Shared ids: the journal's number for incident and page events; anything
   * else (heartbeat, session) carries the newest id, since only journal rows may take one.
   */
  private nextId(shared?: number): string {
    if (!this.opts.sharedIds) return String(++this.seq);
    if (shared !== undefined) this.advance(shared);
    return String(this.seq);
  }

  private frame(e: ServerEvent): StreamPiece {
    return new StreamPiece(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  }

  private heartbeatFrame(id: string): StreamPiece {
    const s = this.opts.hub.snapshot();
    const e: ServerEventOf<'heartbeat'> = {
      type: 'heartbeat',
      id,
      data: {
        at: new Date(this.clock.now()).toISOString(),
        fetchedAt: s.fetchedAt,
        ageSeconds: s.ageSeconds,
        stale: s.stale,
        upstream: s.upstream,
      },
    };
    return this.frame(e);
  }

  /**
   * The snapshot's id is the current sequence number (not a new one): it reflects every event up
   * to that id, so resuming from it later replays exactly what came after. The incidents part is
   * serialised (and, for gzip clients, compressed) once per (sequence, second) and shared by every
   * client connecting in that time; the pages around it are this viewer's own.
   */
  private snapshotFrame(pages: readonly Page[]): StreamPiece[] {
    const id = String(this.seq);
    const key = `${id}:${Math.floor(this.clock.now() / 1000)}`;
    if (this.snapshotCache?.key !== key)
      this.snapshotCache = {
        key,
        incidents: new StreamPiece(JSON.stringify(shownSnapshot(this.opts.hub.snapshot()))),
      };
    return [
      new StreamPiece(
        `id: ${id}\nevent: snapshot\ndata: {"type":"snapshot","id":${JSON.stringify(id)},"data":{"incidents":`,
      ),
      this.snapshotCache.incidents,
      new StreamPiece(`,"pages":${JSON.stringify(pages)}}}\n\n`),
    ];
  }

  /** The id to replay from, or null when a full snapshot is needed (no id, unknown, too old, from the future). */
  private resumablePoint(request: FastifyRequest): number | null {
    const header = request.headers['last-event-id'];
    const query = (request.query as Record<string, unknown> | undefined)?.lastEventId;
    const raw = typeof header === 'string' ? header : typeof query === 'string' ? query : null;
    if (raw === null || !/^\d{1,16}$/.test(raw.trim())) return null;
    const n = Number(raw.trim());
    if (!Number.isSafeInteger(n) || n < this.evictedUpTo || n > this.seq) return null;
    return n;
  }

  private remember(seq: number, sub: string | null, frame: StreamPiece): void {
    this.ring.push({ seq, sub, frame });
    while (this.ring.length > this.ringSize) this.evictedUpTo = this.ring.shift()!.seq;
  }

  private write(c: Client, pieces: StreamPiece | StreamPiece[]): void {
    if (!c.open) return;
    const list = Array.isArray(pieces) ? pieces : [pieces];
    c.res.write(c.gzip ? c.gzip.encode(list) : list.map((p) => p.text).join(''));
    if (c.res.writableLength > this.maxBuffered) {
      this.dropped++;
      this.log.warn(
        { sub: c.sub, buffered: c.res.writableLength },
        'dropping an event-stream client that cannot keep up',
      );
      c.res.destroy();
      this.remove(c);
    }
  }

  /** Writes the last pieces and ends the stream cleanly (with the gzip trailer for gzip clients). */
  private end(c: Client, pieces: StreamPiece[]): void {
    if (c.res.writableEnded || c.res.destroyed) return;
    if (c.gzip) c.res.end(Buffer.concat([c.gzip.encode(pieces), c.gzip.trailer()]));
    else c.res.end(pieces.map((p) => p.text).join(''));
  }

  private remove(c: Client): void {
    if (!c.open) return;
    c.open = false;
    this.clients.delete(c);
    const mine = this.bySub.get(c.sub);
    if (mine) {
      mine.delete(c);
      if (mine.size === 0) this.bySub.delete(c.sub);
    }
    if (c.expirySecond !== null) {
      const bucket = this.expiries.get(c.expirySecond);
      bucket?.delete(c);
      if (bucket?.size === 0) this.expiries.delete(c.expirySecond);
    }
    this.opts.metrics?.sseClients.set(this.clients.size);
  }

  private scheduleTick(): void {
    this.timer = this.clock.setTimeout(() => this.tick(), this.tickMs);
  }

  private tick(): void {
    if (this.closed) return;
    this.ticks++;
    this.expire();
    if (this.ticks % this.heartbeatTicks === 0) this.broadcastHeartbeat();
    this.scheduleTick();
  }

  /** Ends streams whose credential has expired: a `session` event, then close; the client refreshes and reconnects. */
  private expire(): void {
    if (this.expiries.size === 0) return;
    const nowSecond = this.clock.now() / 1000;
    for (const [second, bucket] of this.expiries) {
      if (second > nowSecond) continue;
      for (const c of [...bucket]) {
        const frame = this.frame({
          type: 'session',
          id: this.nextId(),
          data: { state: 'expired', message: EXPIRED_MESSAGE },
        });
        if (c.open) this.end(c, [frame]);
        this.remove(c);
      }
      this.expiries.delete(second);
    }
  }
}
