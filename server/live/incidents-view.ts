import { EventEmitter } from 'node:events';
import { parseIncidentKey, type Incident, type IncidentBackend, type IncidentSnapshot } from '#common/index.js';
import type { HubChange, HubStatus, IncidentsHub } from './incidents-hub.js';

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
  extends EventEmitter<{ change: [HubChange]; status: [HubStatus] }>
  implements IncidentSource
{
  private merged: { parts: readonly Incident[][]; list: Incident[] } | null = null;

  constructor(private readonly hubs: ReadonlyMap<IncidentBackend, IncidentsHub>) {
    super();
    this.setMaxListeners(0);
    for (const hub of hubs.values()) {
      hub.on('change', (c) => this.emit('change', c));
      hub.on('status', () => this.emit('status', this.status()));
    }
  }
  findIncident(key: string): Incident | null {
    const parsed = parseIncidentKey(key);
    if (!parsed) return null;
    const hub = this.hubs.get(parsed.backend ?? 'oncall') ?? (this.hubs.size === 1 ? [...this.hubs.values()][0] : null);
    return hub?.findIncident(parsed.number) ?? null;
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
