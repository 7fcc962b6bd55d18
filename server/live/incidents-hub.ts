import { EventEmitter } from 'node:events';
import { backoffDelayMs, type Incident, type IncidentSnapshot } from '#common/index.js';
import type { Metrics } from '../http/metrics.js';
import type { PagingBackend } from '../backends/paging-backend.js';
import { UpstreamError } from '../backends/upstream-error.js';
import { type Clock, sleepOn, systemClock } from '../runtime/clock.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import { jsonEqual } from '../runtime/json-equal.js';
import { TimeSlicer } from '../runtime/time-slice.js';

interface HubConfig {
  pollIntervalSeconds: number;
  recentWindowMinutes: number;
  /** Team slugs to show; empty = all. */
  teams?: readonly string[];
}

export interface HubChange {
  change: 'opened' | 'updated' | 'removed';
  incident: Incident;
  /** Its event id, when the change comes from the journal several replicas share (server/cluster/). */
  id?: string;
}

export interface HubStatus {
  ok: boolean;
  error: string | null;
  lastSuccessAt: string | null;
}

export interface IncidentsHubOptions {
  backend: Pick<PagingBackend, 'listIncidents'>;
  config: HubConfig;
  metrics?: Pick<Metrics, 'pollDuration' | 'snapshotAge'> | null;
  logger?: Logger;
  clock?: Clock;
  /** 0..1; injectable so backoff jitter is predictable in tests. */
  random?: () => number;
  /** Least time between two polls started by `refreshNow` (webhooks, pages). Default 1 s. */
  minRefreshGapMs?: number;
  /** Longest wait between polls while the paging service is failing. Default max(60 s, 2 intervals). */
  maxBackoffMs?: number;
  /** Longest stretch a poll's processing holds the event loop before yielding (ms; tests use 0). */
  sliceMs?: number;
}

const WAITING = 'Klaxon has not heard from On-Call yet.';

/**
 * Exactly one poller of the paging service's incident list, however many clients are connected.
 * Keeps the last good snapshot in memory, turns differences between polls into `change` events
 * (which the event stream fans out), and backs off with jitter when the service fails, serving the
 * last snapshot with its age so clients can show that it is getting old.
 *
 * Events: `change` (HubChange), `status` (HubStatus, whenever upstream health flips), `polling` (a
 * request to the service is about to go out), `polled` (after every poll, whatever its outcome,
 * once its changes were emitted).
 */
export class IncidentsHub extends EventEmitter<{
  change: [HubChange];
  status: [HubStatus];
  polling: [];
  polled: [];
}> {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly intervalMs: number;
  private readonly minGapMs: number;
  private readonly maxBackoffMs: number;
  private readonly teamFilter: ReadonlySet<string>;

  private running = false;
  private timer: unknown = null;
  private nextPollAt = 0;
  private inflight: Promise<void> | null = null;
  private followUp: Promise<void> | null = null;
  private lastPollStartedAt = -Infinity;
  private failures = 0;
  /** Whether the in-flight poll has already asked the service (later callers then need a follow-up). */
  private requestSent = false;

  /** startedAt in ms per incident, for sorting; the backend hands back unchanged incidents as the same objects. */
  private readonly sortKeys = new WeakMap<Incident, number>();
  /** Everything the service returned (not only the team/window view) by entity id, newest wins. */
  private byEntity = new Map<string, Incident>();
  private visible = new Map<string, Incident>();
  private visibleList: Incident[] = [];
  private fetchedAtMs: number | null = null;
  private upstreamOk = false;
  private upstreamError: string | null = WAITING;

  constructor(private readonly opts: IncidentsHubOptions) {
    super();
    // Listeners are components (event stream, page tracker, tests), never one per client.
    this.setMaxListeners(0);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.random = opts.random ?? Math.random;
    this.intervalMs = Math.max(1, opts.config.pollIntervalSeconds) * 1000;
    this.minGapMs = opts.minRefreshGapMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? Math.max(60_000, 2 * this.intervalMs);
    this.teamFilter = new Set(opts.config.teams ?? []);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** The current view; `ageSeconds`/`stale` are computed now, so repeated calls show the data ageing. */
  snapshot(): IncidentSnapshot {
    const now = this.clock.now();
    const age = this.fetchedAtMs === null ? null : Math.max(0, Math.round((now - this.fetchedAtMs) / 100) / 10);
    this.opts.metrics?.snapshotAge.set(age ?? -1);
    return {
      incidents: this.visibleList,
      fetchedAt: this.fetchedAtMs === null ? null : new Date(this.fetchedAtMs).toISOString(),
      ageSeconds: age,
      stale: age === null || age * 1000 > 2 * this.intervalMs,
      upstream: { ok: this.upstreamOk, error: this.upstreamError },
      windowMinutes: Math.max(1, Math.round(this.opts.config.recentWindowMinutes)),
      pollIntervalSeconds: this.intervalMs / 1000,
    };
  }

  status(): HubStatus {
    return {
      ok: this.upstreamOk,
      error: this.upstreamError,
      lastSuccessAt: this.fetchedAtMs === null ? null : new Date(this.fetchedAtMs).toISOString(),
    };
  }

  /**
   * The most recent incident with this REST `entity_id`, searched across everything On-Call
   * returned (not only the team/window view), so a page can find its incident.
   */
  findByEntityId(entityId: string): Incident | null {
    return this.byEntity.get(entityId) ?? null;
  }

  /**
   * Poll now (webhook, page delivered, ack). Concurrent callers share one upstream request; a call
   * arriving while a poll is in flight gets one shared follow-up poll (the running one may predate
   * the change). Polls started here are spaced by `minRefreshGapMs`, and while On-Call is failing
   * the backoff is honoured: the caller gets the current snapshot.
   */
  async refreshNow(reason: string): Promise<IncidentSnapshot> {
    if (this.failures > 0 && this.running && this.nextPollAt > this.clock.now()) {
      this.log.debug(
        { reason, retryInMs: this.nextPollAt - this.clock.now() },
        'refresh skipped: backing off from On-Call',
      );
      return this.snapshot();
    }
    if (this.inflight && !this.requestSent) {
      // The poll has not asked the service yet: its answer is new enough for this caller too.
      await this.inflight;
    } else if (this.inflight) {
      this.followUp ??= this.inflight.then(() => {
        this.followUp = null;
        return this.run(reason);
      });
      await this.followUp;
    } else {
      await this.run(reason);
    }
    return this.snapshot();
  }

  private schedule(ms: number): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.nextPollAt = this.clock.now() + ms;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.run('interval');
    }, ms);
  }

  private run(reason: string): Promise<void> {
    if (this.inflight) return this.inflight;
    const wait = this.lastPollStartedAt + this.minGapMs - this.clock.now();
    this.inflight = (async () => {
      await sleepOn(this.clock, reason === 'interval' ? 0 : wait);
      await this.pollOnce(reason);
    })().finally(() => {
      this.inflight = null;
      if (this.running) this.schedule(this.nextDelayMs());
    });
    return this.inflight;
  }

  private retryAfterMs = 0;

  /** The interval when healthy; while failing, backoff (never below the interval) or On-Call's Retry-After. */
  private nextDelayMs(): number {
    if (this.failures === 0) return this.intervalMs;
    const rule = { baseMs: this.intervalMs, maxMs: this.maxBackoffMs, minMs: this.intervalMs };
    return Math.max(backoffDelayMs(this.failures, rule, this.random), this.retryAfterMs);
  }

  private async pollOnce(reason: string): Promise<void> {
    this.requestSent = true;
    this.lastPollStartedAt = this.clock.now();
    this.emit('polling');
    const endTimer = this.opts.metrics?.pollDuration.startTimer();
    try {
      // One slicer for reading the list and taking it in: the budget holds across both.
      const slicer = new TimeSlicer(this.opts.sliceMs);
      await this.apply(await this.opts.backend.listIncidents(slicer), slicer);
      const wasOk = this.upstreamOk;
      this.failures = 0;
      this.retryAfterMs = 0;
      this.upstreamOk = true;
      this.upstreamError = null;
      if (!wasOk) {
        this.log.info({ reason }, 'On-Call incident list is reachable');
        this.emit('status', this.status());
      }
    } catch (e) {
      this.failures++;
      const message = e instanceof Error ? e.message : String(e);
      this.retryAfterMs = e instanceof UpstreamError ? (e.retryAfterMs ?? 0) : 0;
      const changed = this.upstreamOk || this.upstreamError !== message;
      this.upstreamOk = false;
      this.upstreamError = message;
      this.log.warn(
        { reason, failures: this.failures, error: message },
        'On-Call incident poll failed; serving the last snapshot',
      );
      if (changed) this.emit('status', this.status());
    } finally {
      this.requestSent = false;
      endTimer?.();
      // Keeps the age gauge moving during an outage too (updated at least once per backoff step).
      this.snapshot();
      this.emit('polled');
    }
  }

  /** The newest incident per REST `entity_id` among everything the service returned (for other replicas). */
  entityIndex(): ReadonlyMap<string, Incident> {
    return this.byEntity;
  }

  /**
   * Takes over what another process last knew (a replica elected leader): the next poll then reports
   * only what changed since, instead of every incident as new. Emits nothing.
   */
  seed(
    incidents: readonly Incident[],
    fetchedAtMs: number | null,
    upstream: { ok: boolean; error: string | null },
  ): void {
    const now = this.clock.now();
    const byEntity = new Map<string, Incident>();
    const visible = new Map<string, Incident>();
    for (const i of incidents) {
      if (!this.sortKeys.has(i)) this.sortKeys.set(i, Date.parse(i.startedAt) || 0);
      const seen = i.entityId ? byEntity.get(i.entityId) : undefined;
      if (i.entityId && (!seen || Number(i.number) > Number(seen.number))) byEntity.set(i.entityId, i);
    }
    const key = (i: Incident) => this.sortKeys.get(i)!;
    const sorted = [...incidents].sort((a, b) => key(b) - key(a) || Number(b.number) - Number(a.number));
    for (const i of sorted) if (this.inView(i, now)) visible.set(i.number, i);
    this.byEntity = byEntity;
    this.visible = visible;
    this.visibleList = [...visible.values()];
    this.fetchedAtMs = fetchedAtMs;
    this.upstreamOk = upstream.ok;
    this.upstreamError = upstream.error;
  }

  private inView(i: Incident, now: number): boolean {
    if (this.teamFilter.size > 0 && !i.teams.some((t) => this.teamFilter.has(t.slug))) return false;
    if (i.phase !== 'RESOLVED') return true;
    const endedAt = Date.parse(i.resolvedAt ?? i.lastAlertAt ?? i.startedAt);
    return now - endedAt <= this.opts.config.recentWindowMinutes * 60_000;
  }

  /**
   * Turns a poll into the new snapshot and its changes. Runs in time slices (a list of a thousand
   * incidents takes tens of milliseconds); incidents the backend handed back unchanged (the same
   * objects) cost an identity check.
   */
  private async apply(incidents: Incident[], slicer: TimeSlicer): Promise<void> {
    const now = this.clock.now();
    const byEntity = new Map<string, Incident>();
    for (const i of incidents) {
      if (slicer.due()) await slicer.yieldNow();
      if (!this.sortKeys.has(i)) this.sortKeys.set(i, Date.parse(i.startedAt) || 0);
      const e = i.entityId;
      if (e) {
        const seen = byEntity.get(e);
        if (!seen || Number(i.number) > Number(seen.number)) byEntity.set(e, i);
      }
    }
    const all = [...incidents];
    // Newest first; numbers break ties (a numeric key: localeCompare on a thousand items is slow).
    const key = (i: Incident) => this.sortKeys.get(i)!;
    all.sort((a, b) => key(b) - key(a) || Number(b.number) - Number(a.number));

    const next = new Map<string, Incident>();
    for (const i of all) if (this.inView(i, now)) next.set(i.number, i);
    const changes: HubChange[] = [];
    for (const [n, i] of next) {
      if (slicer.due()) await slicer.yieldNow();
      const before = this.visible.get(n);
      if (!before) changes.push({ change: 'opened', incident: i });
      else if (before !== i && !jsonEqual(before, i)) changes.push({ change: 'updated', incident: i });
    }
    for (const [n, i] of this.visible) if (!next.has(n)) changes.push({ change: 'removed', incident: i });

    this.byEntity = byEntity;
    this.visible = next;
    this.visibleList = [...next.values()];
    this.fetchedAtMs = now;
    this.opts.metrics?.snapshotAge.set(0);
    // The snapshot is updated before anyone hears of a change, so a listener (or a client that
    // connects in between) never sees an event that is newer than the snapshot.
    for (const c of changes) {
      if (slicer.due()) await slicer.yieldNow();
      this.emit('change', c);
    }
  }
}
