import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { IncidentBackend, incidentKey, serviceName, type Incident, type IncidentSnapshot } from '#common/index.js';
import type { Metrics } from '../http/metrics.js';
import type { IncidentUpdate } from '../backends/paging-backend.js';
import type { HubChange, HubStatus, UpdateOutcome } from '../live/incidents-hub.js';
import type { IncidentsView } from '../live/incidents-view.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { jsonEqual } from '../runtime/json-equal.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import type { JournalRow } from './journal.js';
import { FencedOut, checkFence, type Leadership } from './leadership.js';
import { KLAXON_LOCK_SPACE, LOCK } from '../store/postgres/advisory-locks.js';
import { EVENTS_CHANNEL, REFRESH_CHANNEL } from './schema.js';

/** One paging service's last look, as its own poller has it. */
interface ServiceState {
  /** The last successful poll (as the poller's `status().lastSuccessAt`). */
  fetchedAt: string | null;
  ok: boolean;
  error: string | null;
  /** Poll requests for this service alone (`findForResend`) made before its poll started. */
  covers?: string[];
}

/** A `state` row: the leader's last look at the paging services, all together and each on its own. */
interface StateData extends ServiceState {
  /** Poll requests (from `nextPoll` on any replica) made before this round of polls started. */
  covers?: string[];
  /**
   * Each service on its own (absent from rows of older leaders: then each is as the whole), so an
   * outage of one holds back the resends of its own pages only (server/pages/delivery-worker.ts).
   */
  services?: Partial<Record<IncidentBackend, ServiceState>>;
}

/** Leader side: one service's poll requests, as its polls start and finish. */
interface ServiceRequests {
  requested: Set<string>;
  inPoll: Set<string>;
  covered: Set<string>;
}

/** An `incident` row: one change of the visible list, as the leader saw it. */
interface IncidentData {
  change: HubChange['change'];
  incident: Incident;
}

export interface SharedHubOptions {
  pool: pg.Pool;
  /**
   * The pollers, one per paging service seen as one; they run only while this replica leads.
   * Incidents are shared by their key (`common/incident-key.ts`: On-Call's bare number,
   * `pagerduty:7`), which is what `klaxon_incidents.number` holds.
   */
  inner: IncidentsView;
  leadership: Leadership;
  config: { pollIntervalSeconds: number; recentWindowMinutes: number };
  metrics?: Pick<Metrics, 'snapshotAge'> | null;
  clock?: Clock;
  logger?: Logger;
}

const WAITING = 'Klaxon has not heard from the paging service yet.';
const keyOf = (i: Incident) => Date.parse(i.startedAt) || 0;
const newestFirst = (a: Incident, b: Incident) => keyOf(b) - keyOf(a) || Number(b.number) - Number(a.number);

/**
 * The incidents hub as every replica sees it: the same interface as `IncidentsHub` (snapshot,
 * status, `change` and `status` events, refresh), fed by the shared event journal instead of a
 * poller of its own. Each change carries its journal sequence number as its event id, so every
 * replica sends the same event under the same id.
 *
 * While this replica leads, its `inner` hub polls the paging service and, after each poll, this
 * class writes what changed (the visible list's changes, every incident's current form, the
 * freshness) to the tables in one fenced transaction; every replica, this one included, then
 * emits it from the journal. Writing the difference against what was last written (not the
 * poller's own change events) means a failed write is simply repeated by the next poll.
 */
export class SharedHub extends EventEmitter<{
  change: [HubChange];
  status: [HubStatus];
  /** One service's health flipped (`serviceStatus(service)`), whatever the others do. */
  serviceStatus: [IncidentBackend, HubStatus];
}> {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly intervalMs: number;
  private readonly visible = new Map<string, Incident>();
  private list: Incident[] | null = [];
  private state: StateData = { fetchedAt: null, ok: false, error: WAITING };
  private stateWaiters: (() => void)[] = [];
  /** Poll requests waiting for a state row that covers them, by request id. */
  private readonly requestWaiters = new Map<string, () => void>();
  private requestCount = 0;
  /** Leader side: requests received, not yet covered by a poll that started after them. */
  private requested = new Set<string>();
  /** Leader side: requests made before the poll under way started. */
  private inPoll = new Set<string>();
  /** Leader side: requests covered by a finished poll, to be named in the next state row. */
  private covered = new Set<string>();
  private readonly onPolling = () => {
    this.inPoll = this.requested;
    this.requested = new Set();
  };

  /** Leader side: the visible list and every incident as the journal and tables have them. */
  private published = new Map<string, Incident>();
  private written = new Map<string, { incident: Incident; visible: boolean }>();
  private publishing: Promise<void> | null = null;
  private publishAgain = false;
  private readonly onPolled = () => {
    for (const r of this.inPoll) this.covered.add(r);
    this.inPoll.clear();
    this.schedulePublish();
  };
  /** One service's poll finished (several services: before the round covering requests ends). */
  private readonly onLooked = () => this.schedulePublish();
  /** Leader side: requests for one service's poll alone (`findForResend`), by service. */
  private readonly serviceRequests = new Map<IncidentBackend, ServiceRequests>();
  /** Leader side: the listeners on each service's own poller, removed on hand-over. */
  private serviceListeners: (() => void)[] = [];

  constructor(private readonly opts: SharedHubOptions) {
    super();
    this.setMaxListeners(0);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.intervalMs = Math.max(1, opts.config.pollIntervalSeconds) * 1000;
  }

  /**
   * Loads the shared state as of the newest journal row (one consistent read) and returns that
   * row's sequence number: the journal is followed from there.
   */
  async load(): Promise<number> {
    const client = await this.opts.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const seq = await client.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM klaxon_events');
      const inc = await client.query<{ data: Incident }>('SELECT data FROM klaxon_incidents WHERE visible');
      const st = await client.query<{ data: StateData }>(
        "SELECT data FROM klaxon_events WHERE kind = 'state' ORDER BY seq DESC LIMIT 1",
      );
      await client.query('COMMIT');
      this.visible.clear();
      for (const r of inc.rows) this.visible.set(incidentKey(r.data), r.data);
      this.list = null;
      if (st.rows[0]) this.state = st.rows[0].data;
      return Number(seq.rows[0]?.seq ?? 0);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** Applies incident and state rows from the journal (page rows are the event stream's). */
  applyRow(row: JournalRow): void {
    if (row.kind === 'state') {
      const data = row.data as StateData;
      const flipped = data.ok !== this.state.ok || data.error !== this.state.error;
      const before = new Map(this.opts.inner.serviceIds().map((s) => [s, this.serviceState(s)]));
      this.state = data;
      if (flipped) this.emit('status', this.status());
      for (const [s, was] of before) {
        const now = this.serviceState(s);
        if (now.ok !== was.ok || now.error !== was.error) this.emit('serviceStatus', s, this.serviceStatus(s));
      }
      for (const w of this.stateWaiters.splice(0)) w();
      const covers = [data.covers, ...Object.values(data.services ?? {}).map((s) => s.covers)];
      for (const id of covers.flatMap((c) => c ?? [])) {
        this.requestWaiters.get(id)?.();
        this.requestWaiters.delete(id);
      }
    } else if (row.kind === 'incident') {
      const { change, incident } = row.data as IncidentData;
      if (change === 'removed') this.visible.delete(incidentKey(incident));
      else this.visible.set(incidentKey(incident), incident);
      this.list = null;
      this.emit('change', { change, incident, id: String(row.seq) });
    }
  }

  snapshot(): IncidentSnapshot {
    const fetchedAtMs = this.state.fetchedAt ? Date.parse(this.state.fetchedAt) : null;
    const age = fetchedAtMs === null ? null : Math.max(0, Math.round((this.clock.now() - fetchedAtMs) / 100) / 10);
    this.opts.metrics?.snapshotAge.set(age ?? -1);
    this.list ??= [...this.visible.values()].sort(newestFirst);
    return {
      incidents: this.list,
      fetchedAt: this.state.fetchedAt,
      ageSeconds: age,
      stale: age === null || age * 1000 > 2 * this.intervalMs,
      upstream: { ok: this.state.ok, error: this.state.error },
      windowMinutes: Math.max(1, Math.round(this.opts.config.recentWindowMinutes)),
      pollIntervalSeconds: this.intervalMs / 1000,
    };
  }

  status(): HubStatus {
    return { ok: this.state.ok, error: this.state.error, lastSuccessAt: this.state.fetchedAt };
  }

  /** One paging service's health, as the leader's poller of that service last had it. */
  serviceStatus(service: IncidentBackend): HubStatus {
    const s = this.serviceState(service);
    return { ok: s.ok, error: s.error, lastSuccessAt: s.fetchedAt };
  }

  /** Per paging service, whether the leader has listed its incidents (since the journal began). */
  listed(): ReadonlyMap<IncidentBackend, boolean> {
    return new Map(this.opts.inner.serviceIds().map((s) => [s, this.serviceState(s).fetchedAt !== null]));
  }

  /** A row of an older leader has no `services`: each service is then as the whole. */
  private serviceState(service: IncidentBackend): ServiceState {
    return this.state.services?.[service] ?? this.state;
  }

  /**
   * One incident by key: as the leader's poller has it (on the leader, also outside the view),
   * else as the shared view shows it ("Escalate now" on any replica).
   */
  findIncident(key: string): Incident | null {
    return this.opts.inner.findIncident(key) ?? this.visible.get(key) ?? null;
  }

  /** Every incident the leader's last poll listed: only the leader has them (its escalator reads them). */
  allIncidents(): Incident[] {
    return this.opts.leadership.isLeader() ? this.opts.inner.allIncidents() : [];
  }

  /**
   * A webhook's update: the leader applies it to its poller and journals it at once, so every
   * replica shows it; a follower leaves it to the poll the webhook asks the leader for ('unknown').
   */
  applyUpdate(u: IncidentUpdate): UpdateOutcome {
    if (!this.opts.leadership.isLeader()) return 'unknown';
    const outcome = this.opts.inner.applyUpdate(u);
    if (outcome === 'applied' || outcome === 'out_of_view') this.schedulePublish();
    return outcome;
  }

  /** The newest incident with this REST entity id among everything the leader last saw (also outside the view). */
  async findByEntityId(entityId: string): Promise<Incident | null> {
    const { rows } = await this.opts.pool.query<{ data: Incident }>(
      'SELECT data FROM klaxon_incidents WHERE entity_id = $1 ORDER BY length(number) DESC, number DESC LIMIT 1',
      [entityId],
    );
    return rows[0]?.data ?? null;
  }

  /**
   * For a page about to be sent again ("look before resend", server/pages/delivery-worker.ts): its
   * incident as of a poll that started after this call. The shared tables are only as fresh as the
   * leader's last poll, and right after a failover that poll may predate the alert an earlier
   * attempt got through; so when the tables do not have it, this asks the leader for a poll that
   * starts after the request (a poll already under way does not count) and looks again. Only the
   * page's own service is asked and waited for: another service's outage does not hold it back.
   * Throws when that service could not be listed within `budgetMs`: the worker then retries later
   * instead of sending blind.
   */
  async findForResend(entityId: string, service: IncidentBackend, budgetMs: number): Promise<Incident | null> {
    const known = await this.findByEntityId(entityId);
    if (known) return known;
    const fresh = await this.nextPoll('looking before a resend', budgetMs, service);
    if (!fresh || !this.serviceState(service).ok)
      throw new Error(
        `${serviceName(service)} could not be listed since the last attempt, so Klaxon cannot tell whether it arrived`,
      );
    return this.findByEntityId(entityId);
  }

  /**
   * Asks the leader to poll; true once a poll's result reached this replica (`started`: only a poll
   * that started after the leader got the request; a service: only that service's poll, which is
   * then all the leader runs), false after `timeoutMs`.
   */
  private async nextPoll(
    reason: string,
    timeoutMs: number,
    started: boolean | IncidentBackend = false,
  ): Promise<boolean> {
    if (timeoutMs <= 0) return false;
    // A request for one service names it after a slash (the leader reads it in `refreshRequested`).
    const id = `${process.pid}.${++this.requestCount}${typeof started === 'string' ? `/${started}` : ''}`;
    const next = new Promise<boolean>((resolve) => {
      if (started !== false) this.requestWaiters.set(id, () => resolve(true));
      else this.stateWaiters.push(() => resolve(true));
      setTimeout(() => {
        this.requestWaiters.delete(id);
        resolve(false);
      }, timeoutMs).unref();
    });
    if (this.opts.leadership.isLeader()) this.refreshRequested(`${id} ${reason}`);
    else await this.opts.pool.query('SELECT pg_notify($1, $2)', [REFRESH_CHANNEL, `${id} ${reason}`]);
    return next;
  }

  /**
   * Asks the leader to poll now (directly when that is this replica, otherwise by NOTIFY), and
   * resolves with the snapshot once the next look at the service reached this replica (or after
   * 10 s): a webhook or page on any replica costs one coalesced poll, not one per replica.
   */
  async refreshNow(reason: string): Promise<IncidentSnapshot> {
    await this.nextPoll(reason.slice(0, 100), 10_000);
    return this.snapshot();
  }

  /**
   * A replica asked for a poll (payload: request id, space, reason); only the leader acts on it. A
   * request for one service (`<id>/<service>`) polls that service alone and is covered by its poll.
   */
  refreshRequested(payload: string): void {
    if (!this.opts.leadership.isLeader()) return;
    const space = payload.indexOf(' ');
    const id = space > 0 ? payload.slice(0, space) : payload;
    const reason = space > 0 ? payload.slice(space + 1) : 'replica';
    const service = IncidentBackend.safeParse(id.slice(id.indexOf('/') + 1));
    const hub = id.includes('/') && service.success ? this.opts.inner.hubOf(service.data) : null;
    if (hub && service.success) {
      this.requestsOf(service.data).requested.add(id);
      void hub.refreshNow(reason).catch(() => undefined);
      return;
    }
    this.requested.add(id);
    void this.opts.inner.refreshNow(reason).catch(() => undefined);
  }

  private requestsOf(service: IncidentBackend): ServiceRequests {
    let r = this.serviceRequests.get(service);
    if (!r) this.serviceRequests.set(service, (r = { requested: new Set(), inPoll: new Set(), covered: new Set() }));
    return r;
  }

  /**
   * This replica was elected: it has applied the whole journal (the caller made sure), so the
   * poller starts from the shared state and reports only what changed since.
   */
  async takeOver(): Promise<void> {
    const { rows } = await this.opts.pool.query<{ data: Incident; visible: boolean }>(
      'SELECT data, visible FROM klaxon_incidents',
    );
    this.written = new Map(rows.map((r) => [incidentKey(r.data), { incident: r.data, visible: r.visible }]));
    this.published = new Map(this.visible);
    const fetchedAtMs = this.state.fetchedAt ? Date.parse(this.state.fetchedAt) : null;
    this.opts.inner.seed(
      rows.map((r) => r.data),
      fetchedAtMs,
      { ok: this.state.ok, error: this.state.error },
    );
    this.opts.inner.on('polled', this.onPolled);
    this.opts.inner.on('polling', this.onPolling);
    this.opts.inner.on('looked', this.onLooked);
    for (const s of this.opts.inner.serviceIds()) {
      const hub = this.opts.inner.hubOf(s)!;
      const r = this.requestsOf(s);
      const polling = () => {
        r.inPoll = r.requested;
        r.requested = new Set();
      };
      const polled = () => {
        for (const id of r.inPoll) r.covered.add(id);
        r.inPoll.clear();
        this.schedulePublish();
      };
      hub.on('polling', polling);
      hub.on('polled', polled);
      this.serviceListeners.push(() => {
        hub.off('polling', polling);
        hub.off('polled', polled);
      });
    }
    this.opts.inner.start();
  }

  /** Leadership ended: stop polling and writing (a write already under way is refused by its fence). */
  async handOver(): Promise<void> {
    this.opts.inner.stop();
    this.opts.inner.off('polled', this.onPolled);
    this.opts.inner.off('polling', this.onPolling);
    this.opts.inner.off('looked', this.onLooked);
    for (const off of this.serviceListeners.splice(0)) off();
    this.serviceRequests.clear();
    this.requested.clear();
    this.inPoll.clear();
    this.covered.clear();
    await this.publishing;
  }

  private schedulePublish(): void {
    if (this.publishing) {
      this.publishAgain = true;
      return;
    }
    this.publishing = this.publish()
      .catch((e: unknown) => {
        if (e instanceof FencedOut) this.opts.leadership.stepDown(e.message);
        else {
          this.log.warn({ err: (e as Error).message }, 'could not share the incidents poll; the next poll tries again');
          // Without a poll coming soon (long interval), try again shortly.
          setTimeout(() => this.opts.leadership.isLeader() && this.schedulePublish(), 1000).unref();
        }
      })
      .finally(() => {
        this.publishing = null;
        if (this.publishAgain) {
          this.publishAgain = false;
          this.schedulePublish();
        }
      });
  }

  /** One fenced transaction: the incidents that changed, the visible list's changes, the freshness. */
  private async publish(): Promise<void> {
    const fence = this.opts.leadership.fence();
    if (!fence) return;
    const inner = this.opts.inner;
    const snap = inner.snapshot();
    const now = new Map(snap.incidents.map((i) => [incidentKey(i), i]));
    const changes: IncidentData[] = [];
    for (const [n, i] of now) {
      const before = this.published.get(n);
      if (!before) changes.push({ change: 'opened', incident: i });
      else if (before !== i && !jsonEqual(before, i)) changes.push({ change: 'updated', incident: i });
    }
    for (const [n, i] of this.published) if (!now.has(n)) changes.push({ change: 'removed', incident: i });

    const all = new Map(now);
    for (const i of inner.entityIndex().values()) all.set(incidentKey(i), i);
    const upserts: { n: string; e: string | null; v: boolean; d: Incident }[] = [];
    for (const [n, i] of all) {
      const w = this.written.get(n);
      const visible = now.has(n);
      if (!w || w.visible !== visible || (w.incident !== i && !jsonEqual(w.incident, i)))
        upserts.push({ n, e: i.entityId ?? null, v: visible, d: i });
    }
    const deletes = [...this.written.keys()].filter((n) => !all.has(n));
    const status = inner.status();
    const covers = [...this.covered];
    const services: Partial<Record<IncidentBackend, ServiceState>> = {};
    const serviceCovers = new Map<IncidentBackend, string[]>();
    for (const s of inner.serviceIds()) {
      const st = inner.hubOf(s)!.status();
      const covered = [...(this.serviceRequests.get(s)?.covered ?? [])];
      serviceCovers.set(s, covered);
      services[s] = { fetchedAt: st.lastSuccessAt, ok: st.ok, error: st.error, covers: covered };
    }
    const state: StateData = { fetchedAt: snap.fetchedAt, ok: status.ok, error: status.error, covers, services };

    const client = await this.opts.pool.connect();
    try {
      await client.query('BEGIN');
      await checkFence(client, fence);
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [KLAXON_LOCK_SPACE, LOCK.journal]);
      if (upserts.length > 0)
        await client.query(
          `INSERT INTO klaxon_incidents (number, entity_id, visible, data)
           SELECT x->>'n', x->>'e', (x->>'v')::boolean, x->'d' FROM jsonb_array_elements($1::jsonb) AS x
           ON CONFLICT (number) DO UPDATE SET entity_id = EXCLUDED.entity_id, visible = EXCLUDED.visible, data = EXCLUDED.data`,
          [JSON.stringify(upserts)],
        );
      if (deletes.length > 0) await client.query('DELETE FROM klaxon_incidents WHERE number = ANY($1)', [deletes]);
      // The freshness first: a replica applying the changes after it shows them with this poll's time.
      let r = await client.query<{ seq: string }>(
        "INSERT INTO klaxon_events (kind, data) VALUES ('state', $1) RETURNING seq",
        [JSON.stringify(state)],
      );
      if (changes.length > 0)
        r = await client.query<{ seq: string }>(
          `INSERT INTO klaxon_events (kind, data)
           SELECT 'incident', x FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(x, i) ORDER BY i
           RETURNING seq`,
          [JSON.stringify(changes)],
        );
      const last = r.rows.map((x) => Number(x.seq)).reduce((a, b) => Math.max(a, b), 0);
      await client.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, String(last)]);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
    this.published = now;
    for (const c of covers) this.covered.delete(c);
    for (const [s, ids] of serviceCovers) for (const id of ids) this.serviceRequests.get(s)?.covered.delete(id);
    for (const u of upserts) this.written.set(u.n, { incident: u.d, visible: u.v });
    for (const n of deletes) this.written.delete(n);
  }
}
