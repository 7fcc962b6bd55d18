import { EventEmitter } from 'node:events';
import { backoffDelayMs, type Incident, type IncidentSnapshot } from '#common/index.js';
import type { Metrics } from '../http/metrics.js';
import type { IncidentUpdate, PagingBackend } from '../backends/paging-backend.js';
import { UpstreamError } from '../backends/upstream-error.js';
import { type Clock, sleepOn, systemClock } from '../runtime/clock.js';
import type { ErrorReporter } from '../runtime/error-reports.js';
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

/** What the hub did with a webhook's incident update (counted in metrics). */
export type UpdateOutcome =
  /** Applied at once: clients heard of it. */
  | 'applied'
  /** Applied, but the incident is outside what clients are shown (team or time window). */
  | 'out_of_view'
  /** The hub already shows this phase. */
  | 'unchanged'
  /** Older than an update already applied (sequence or time). */
  | 'older'
  /** Would move the incident back (e.g. ACKED → UNACKED): only a poll may do that. */
  | 'backwards'
  /** An incident no poll listed although its number is not new: the poll decides. */
  | 'unknown';

/** Phases in the order an incident moves through them; a webhook only moves an incident forward. */
const PHASE_RANK = { UNACKED: 0, ACKED: 1, RESOLVED: 2 } as const;

/** A webhook's update held until a poll that began after it confirms or overrides it. */
interface Hint {
  rank: number;
  receivedAt: number;
  /** The update brought an incident no poll had listed yet. */
  opened: boolean;
}

/** Joins what only Klaxon knows to incidents (server/live/incident-presenter.ts). */
export interface Presenter {
  present(raw: Incident): Incident;
  /** Asks for people's names (cached by the backend); new names are shown from the next poll on. */
  refreshNames(): Promise<void>;
  /** Reads what Klaxon recorded again (made on another replica, perhaps); shown from the next poll on. */
  refreshRecords(): Promise<void>;
  onChange(listener: () => void): () => void;
}

export interface IncidentsHubOptions {
  backend: Pick<PagingBackend, 'listIncidents'>;
  config: HubConfig;
  metrics?: Pick<Metrics, 'pollDuration' | 'snapshotAge'> | null;
  logger?: Logger;
  /** A poll that failed for another reason than the paging service (a bug, not an outage). */
  errorReports?: Pick<ErrorReporter, 'exception'>;
  clock?: Clock;
  /** 0..1; injectable so backoff jitter is predictable in tests. */
  random?: () => number;
  /** Least time between two polls started by `refreshNow` (webhooks, pages). Default 1 s. */
  minRefreshGapMs?: number;
  /** Longest wait between polls while the paging service is failing. Default max(60 s, 2 intervals). */
  maxBackoffMs?: number;
  /** Longest stretch a poll's processing holds the event loop before yielding (ms; tests use 0). */
  sliceMs?: number;
  /** How people name the paging service, in messages and logs (default On-Call). */
  serviceName?: string;
  /** Adds what only Klaxon knows (acknowledgers, names, escalations) to every incident clients see. */
  presenter?: Presenter | null;
}

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
  /** Everything the service returned at the last poll, with webhook updates applied, by number (not presented). */
  private all = new Map<string, Incident>();
  /** The highest incident number any poll listed: a webhook may open only incidents above it. */
  private maxPolledNumber = 0;
  private readonly hints = new Map<string, Hint>();
  /** Per incident, the newest webhook update applied (to refuse older ones that arrive late). */
  private readonly lastUpdate = new Map<string, { sequence: number | null; at: number | null }>();
  /** Presented incidents in view, newest first (the map's order is the list's). */
  private visible = new Map<string, Incident>();
  private visibleList: Incident[] = [];
  private fetchedAtMs: number | null = null;
  private upstreamOk = false;
  private upstreamError: string | null;
  private readonly serviceName: string;

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
    this.serviceName = opts.serviceName ?? 'On-Call';
    this.upstreamError = `Klaxon has not heard from ${this.serviceName} yet.`;
    opts.presenter?.onChange(() => this.represent());
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
    const raw = this.byEntity.get(entityId);
    return raw ? this.present(raw) : null;
  }

  /** One incident by number, as clients see it, listed at the last poll (in the team view or not). */
  findIncident(number: string): Incident | null {
    const raw = this.all.get(number);
    return raw ? this.present(raw) : null;
  }

  /**
   * Every incident the service listed at the last poll (not only the team/window view), with
   * webhook updates applied, as the service describes them (nothing Klaxon joined to them).
   */
  allIncidents(): Incident[] {
    return [...this.all.values()];
  }

  /**
   * An incident's state from the service's webhook, applied at once: clients hear of it without
   * waiting for the poll. Only forward (UNACKED → ACKED → RESOLVED; a re-opened incident waits for
   * the poll), never older than an update already applied, and for an incident no poll listed only
   * when its number is above every listed one. The poll stays the truth: the update stands until a
   * poll that began after it arrived (an incident it opened: for up to two poll intervals more,
   * as the service's list may lag behind its webhooks).
   */
  applyUpdate(u: IncidentUpdate): UpdateOutcome {
    const now = this.clock.now();
    const last = this.lastUpdate.get(u.number);
    if (last && isOlder(u, last)) return 'older';
    const current = this.all.get(u.number);
    let next: Incident;
    if (current) {
      const rank = PHASE_RANK[u.phase];
      if (rank < PHASE_RANK[current.phase]) return 'backwards';
      this.lastUpdate.set(u.number, { sequence: u.sequence, at: u.at });
      if (rank === PHASE_RANK[current.phase]) return 'unchanged';
      next = advance(current, u.incident);
    } else {
      if (this.fetchedAtMs === null || Number(u.number) <= this.maxPolledNumber) return 'unknown';
      this.lastUpdate.set(u.number, { sequence: u.sequence, at: u.at });
      next = this.withTeamNames(u.incident);
    }
    this.hints.set(u.number, { rank: PHASE_RANK[u.phase], receivedAt: now, opened: !current });
    this.all.set(u.number, next);
    this.sortKeys.set(next, Date.parse(next.startedAt) || 0);
    if (next.entityId) {
      const seen = this.byEntity.get(next.entityId);
      if (!seen || Number(next.number) >= Number(seen.number)) this.byEntity.set(next.entityId, next);
    }
    const shown = this.inView(next, now) ? this.present(next) : null;
    const before = this.visible.get(u.number);
    if (!shown && !before) return 'out_of_view';
    if (shown) this.visible.set(u.number, shown);
    else this.visible.delete(u.number);
    if (shown && !before) this.resort();
    this.visibleList = [...this.visible.values()];
    this.emit('change', { change: !shown ? 'removed' : before ? 'updated' : 'opened', incident: shown ?? before! });
    return 'applied';
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
        `refresh skipped: backing off from ${this.serviceName}`,
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
    const startedAt = this.lastPollStartedAt;
    const endTimer = this.opts.metrics?.pollDuration.startTimer();
    try {
      // One slicer for reading the list and taking it in: the budget holds across both.
      const slicer = new TimeSlicer(this.opts.sliceMs);
      await this.apply(await this.opts.backend.listIncidents(slicer), slicer, startedAt);
      const wasOk = this.upstreamOk;
      this.failures = 0;
      this.retryAfterMs = 0;
      this.upstreamOk = true;
      this.upstreamError = null;
      if (!wasOk) {
        this.log.info({ reason }, `${this.serviceName} incident list is reachable`);
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
        `${this.serviceName} incident poll failed; serving the last snapshot`,
      );
      // On-Call being down is an outage operators follow on /readyz and the metrics; anything else is a bug.
      if (!(e instanceof UpstreamError))
        this.opts.errorReports?.exception(e, { where: 'incidents-hub', extra: { reason } });
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
  private async apply(polled: Incident[], slicer: TimeSlicer, startedAt: number): Promise<void> {
    // Never waited for: names that arrive later are taken in by the next poll, with its changes.
    void this.opts.presenter?.refreshNames();
    void this.opts.presenter?.refreshRecords();
    const now = this.clock.now();
    for (const i of polled) this.maxPolledNumber = Math.max(this.maxPolledNumber, Number(i.number) || 0);
    const incidents = this.withHints(polled, startedAt, now);
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
    for (const i of all) if (this.inView(i, now)) next.set(i.number, this.present(i));
    const changes: HubChange[] = [];
    for (const [n, i] of next) {
      if (slicer.due()) await slicer.yieldNow();
      const before = this.visible.get(n);
      if (!before) changes.push({ change: 'opened', incident: i });
      else if (before !== i && !jsonEqual(before, i)) changes.push({ change: 'updated', incident: i });
    }
    for (const [n, i] of this.visible) if (!next.has(n)) changes.push({ change: 'removed', incident: i });

    this.byEntity = byEntity;
    this.all = new Map(incidents.map((i) => [i.number, i]));
    for (const n of this.lastUpdate.keys()) if (!this.all.has(n)) this.lastUpdate.delete(n);
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

  private present(raw: Incident): Incident {
    return this.opts.presenter ? this.opts.presenter.present(raw) : raw;
  }

  /** Something joined to incidents changed (a name, an acknowledgement in Klaxon, an escalation). */
  private represent(): void {
    const changes: HubChange[] = [];
    for (const [n, before] of this.visible) {
      const raw = this.all.get(n);
      if (!raw) continue;
      const now = this.present(raw);
      if (now !== before && !jsonEqual(now, before)) {
        this.visible.set(n, now);
        changes.push({ change: 'updated', incident: now });
      }
    }
    if (changes.length === 0) return;
    this.visibleList = [...this.visible.values()];
    for (const c of changes) this.emit('change', c);
  }

  /** Newest first, numbers breaking ties, as a poll orders them. */
  private resort(): void {
    const key = (i: Incident) => this.sortKeys.get(this.all.get(i.number) ?? i) ?? (Date.parse(i.startedAt) || 0);
    const sorted = [...this.visible.values()].sort((a, b) => key(b) - key(a) || Number(b.number) - Number(a.number));
    this.visible = new Map(sorted.map((i) => [i.number, i]));
  }

  /**
   * A poll's list with the webhook updates it may predate: a poll that began before an update
   * arrived does not take the incident back to an earlier phase, nor drop an incident the update
   * opened; a poll that began after it is the truth (an opened incident is kept a little longer).
   */
  private withHints(polled: Incident[], startedAt: number, now: number): Incident[] {
    if (this.hints.size === 0) return polled;
    const listed = new Set<string>();
    const out = polled.map((i) => {
      listed.add(i.number);
      const h = this.hints.get(i.number);
      if (!h) return i;
      // Strictly later: a poll sent in the same millisecond may predate the change.
      if (startedAt > h.receivedAt) {
        this.hints.delete(i.number);
        return i;
      }
      const held = this.all.get(i.number);
      return held && PHASE_RANK[i.phase] < h.rank ? held : i;
    });
    for (const [n, h] of this.hints) {
      if (listed.has(n)) continue;
      const held = this.all.get(n);
      const keep = startedAt <= h.receivedAt || (h.opened && now - h.receivedAt < 2 * this.intervalMs);
      if (held && keep) out.push(held);
      else this.hints.delete(n);
    }
    return out;
  }

  /** Team names for an incident a webhook opened (it names team slugs only), from the incidents already known. */
  private withTeamNames(i: Incident): Incident {
    if (i.teams.length === 0) return i;
    const names = new Map<string, string>();
    for (const x of this.all.values()) for (const t of x.teams) names.set(t.slug, t.name);
    return { ...i, teams: i.teams.map((t) => ({ slug: t.slug, name: names.get(t.slug) ?? t.name })) };
  }
}

/** Whether an update is older than (or the same as) the last one applied, by sequence, else by time. */
function isOlder(u: IncidentUpdate, last: { sequence: number | null; at: number | null }): boolean {
  if (u.sequence !== null && last.sequence !== null) return u.sequence <= last.sequence;
  if (u.at !== null && last.at !== null) return u.at < last.at;
  return false;
}

/** The incident moved forward by a webhook: its phase and who did it; paging stops once acknowledged. */
function advance(current: Incident, u: Incident): Incident {
  const acked = u.phase === 'ACKED';
  return {
    ...current,
    phase: u.phase,
    pagedUsers: [],
    alertCount: Math.max(current.alertCount ?? 0, u.alertCount ?? 0),
    ackedBy: acked ? (u.ackedBy ?? current.ackedBy) : current.ackedBy,
    ackedAt: acked ? (u.ackedAt ?? current.ackedAt) : current.ackedAt,
    resolvedBy: u.resolvedBy,
    resolvedAt: u.resolvedAt,
  };
}
