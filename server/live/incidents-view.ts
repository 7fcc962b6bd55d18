import { EventEmitter } from 'node:events';
import { parseIncidentKey, type Incident, type IncidentBackend, type IncidentSnapshot } from '#common/index.js';
import type { IncidentUpdate } from '../backends/paging-backend.js';
import type { HubChange, HubStatus, IncidentsHub, UpdateOutcome } from './incidents-hub.js';

/** What the rest of the server reads from the incident polls: one hub, or several seen as one. */
export interface IncidentSource extends Pick<
  IncidentsHub,
  'snapshot' | 'status' | 'findByEntityId' | 'refreshNow' | 'start' | 'stop'
> {
  /** The listed incident with this key (`pagerduty:7`; a bare number is On-Call's); null when none. */
  findIncident(key: string): Incident | null;
  on(event: 'change', listener: (c: HubChange) => void): unknown;
  on(event: 'status', listener: (s: HubStatus) => void): unknown;
  off(event: 'change', listener: (c: HubChange) => void): unknown;
  off(event: 'status', listener: (s: HubStatus) => void): unknown;
}

/**
 * The incidents as the rest of a server reads them: its own pollers (`IncidentSource`), or the view
 * several replicas share (server/cluster/shared-hub.ts), which starts and stops with leadership.
 */
export type ShownIncidents = Pick<IncidentSource, 'snapshot' | 'status' | 'refreshNow' | 'findIncident' | 'on' | 'off'>;

const startedMs = new WeakMap<Incident, number>();
const startOf = (i: Incident): number => {
  let t = startedMs.get(i);
  if (t === undefined) startedMs.set(i, (t = Date.parse(i.startedAt) || 0));
  return t;
};

/**
 * The incidents of several paging services as one list and one badge: one hub (one poller) per
 * service, each with its own backoff, merged here. Incidents carry their service (`backend`), so
 * equal numbers from two services stay two incidents. The merged freshness is the least fresh
 * service's: a badge must not look current while one service is not being heard from.
 */
export class IncidentsView
  extends EventEmitter<{ change: [HubChange]; status: [HubStatus]; polling: []; polled: []; looked: [] }>
  implements IncidentSource
{
  private merged: { parts: readonly Incident[][]; list: Incident[] } | null = null;
  /**
   * A round of polls (for the shared view of several replicas, server/cluster/shared-hub.ts): it
   * starts with the first poll started while none is open (`polling`) and ends (`polled`) once every
   * service has finished a poll that started within it, so a request made before `polling` is
   * answered by every service's list. `looked`: any one service's poll finished.
   */
  private round: { started: Set<IncidentsHub>; done: Set<IncidentsHub> } | null = null;

  constructor(private readonly hubs: ReadonlyMap<IncidentBackend, IncidentsHub>) {
    super();
    this.setMaxListeners(0);
    for (const hub of hubs.values()) {
      hub.on('change', (c) => this.emit('change', c));
      hub.on('status', () => this.emit('status', this.status()));
      hub.on('polling', () => {
        if (!this.round) {
          this.round = { started: new Set(), done: new Set() };
          this.emit('polling');
        }
        this.round.started.add(hub);
      });
      hub.on('polled', () => {
        const round = this.round;
        if (round?.started.has(hub)) round.done.add(hub);
        this.emit('looked');
        if (round && round.done.size === this.hubs.size) {
          this.round = null;
          this.emit('polled');
        }
      });
    }
  }

  /** Every incident each service listed at its last poll (`IncidentsHub.allIncidents`). */
  allIncidents(): Incident[] {
    return [...this.hubs.values()].flatMap((h) => h.allIncidents());
  }

  /** A webhook's update, applied by the hub of the incident's service. */
  applyUpdate(u: IncidentUpdate): UpdateOutcome {
    return this.hubOf(u.incident.backend)?.applyUpdate(u) ?? 'unknown';
  }

  /** Every incident with an entity id each service listed, by entity id (`IncidentsHub.entityIndex`). */
  entityIndex(): ReadonlyMap<string, Incident> {
    if (this.hubs.size === 1) return [...this.hubs.values()][0]!.entityIndex();
    const all = new Map<string, Incident>();
    for (const h of this.hubs.values()) for (const [e, i] of h.entityIndex()) all.set(e, i);
    return all;
  }

  /** The shared state a new leader starts from (`IncidentsHub.seed`), each service given its own incidents. */
  seed(
    incidents: readonly Incident[],
    fetchedAtMs: number | null,
    upstream: { ok: boolean; error: string | null },
  ): void {
    for (const [id, h] of this.hubs)
      h.seed(
        incidents.filter((i) => (i.backend ?? 'oncall') === id),
        fetchedAtMs,
        upstream,
      );
  }
  findIncident(key: string): Incident | null {
    const parsed = parseIncidentKey(key);
    if (!parsed) return null;
    const hub = this.hubs.get(parsed.backend ?? 'oncall') ?? (this.hubs.size === 1 ? [...this.hubs.values()][0] : null);
    return hub?.findIncident(parsed.number) ?? null;
  }

  /** The services polled, one hub each. */
  serviceIds(): IncidentBackend[] {
    return [...this.hubs.keys()];
  }

  /** The hub polling one service. */
  hubOf(id: IncidentBackend | undefined): IncidentsHub | null {
    return this.hubs.get(id ?? 'oncall') ?? null;
  }

  start(): void {
    for (const h of this.hubs.values()) h.start();
  }

  stop(): void {
    for (const h of this.hubs.values()) h.stop();
    this.round = null;
  }

  snapshot(): IncidentSnapshot {
    const parts = [...this.hubs.values()].map((h) => h.snapshot());
    const lists = parts.map((p) => p.incidents);
    // Each hub hands back the same list until its next poll changes it: merge again only then.
    if (!this.merged || lists.some((l, k) => l !== this.merged!.parts[k])) {
      const list = lists.flat().sort((a, b) => startOf(b) - startOf(a) || Number(b.number) - Number(a.number));
      this.merged = { parts: lists, list };
    }
    const fetched = parts.map((p) => p.fetchedAt);
    const errors = parts.flatMap((p) => (p.upstream.error ? [p.upstream.error] : []));
    const ages = parts.map((p) => p.ageSeconds);
    return {
      incidents: this.merged.list,
      fetchedAt: fetched.includes(null) ? null : fetched.sort()[0]!,
      ageSeconds: ages.includes(null) ? null : Math.max(...(ages as number[])),
      stale: parts.some((p) => p.stale),
      upstream: { ok: parts.every((p) => p.upstream.ok), error: errors.length > 0 ? errors.join(' ') : null },
      windowMinutes: Math.max(...parts.map((p) => p.windowMinutes)),
      pollIntervalSeconds: Math.max(...parts.map((p) => p.pollIntervalSeconds)),
    };
  }

  status(): HubStatus {
    const all = [...this.hubs.values()].map((h) => h.status());
    const errors = all.flatMap((s) => (s.error ? [s.error] : []));
    const times = all.map((s) => s.lastSuccessAt);
    return {
      ok: all.every((s) => s.ok),
      error: errors.length > 0 ? errors.join(' ') : null,
      lastSuccessAt: times.includes(null) ? null : times.sort()[0]!,
    };
  }

  findByEntityId(entityId: string): Incident | null {
    for (const h of this.hubs.values()) {
      const found = h.findByEntityId(entityId);
      if (found) return found;
    }
    return null;
  }

  async refreshNow(reason: string): Promise<IncidentSnapshot> {
    await Promise.all([...this.hubs.values()].map((h) => h.refreshNow(reason)));
    return this.snapshot();
  }
}
