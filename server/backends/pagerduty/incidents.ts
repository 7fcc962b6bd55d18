import type { Incident, IncidentPhase } from '#common/index.js';
import { type Clock, systemClock } from '../../runtime/clock.js';
import { jsonEqual } from '../../runtime/json-equal.js';
import { TimeSlicer } from '../../runtime/time-slice.js';
import type { PagerDutyClient } from './client.js';
import { readIncident, type WireIncident, type WireRef } from './wire.js';

const PHASES: Record<WireIncident['status'], IncidentPhase> = {
  triggered: 'UNACKED',
  acknowledged: 'ACKED',
  resolved: 'RESOLVED',
};

const isHttpUrl = (s: string | null): s is string => !!s && /^https?:\/\//i.test(s) && URL.canParse(s);
const who = (r: WireRef | null): string | null => r?.summary ?? r?.id ?? null;

/**
 * PagerDuty's incident → the contract's `Incident`. Numbers are PagerDuty's `incident_number`; the
 * dedup key (`incident_key`) is the entity id a page finds its incident by; people are named as
 * PagerDuty summarises them (their display names). Like On-Call, nobody counts as being paged once an
 * incident is acknowledged, though PagerDuty keeps the acknowledger assigned.
 */
export function normaliseIncident(w: WireIncident, routingKeyOf: (serviceId: string) => string | null): Incident {
  const phase = PHASES[w.status];
  const lastAck = w.acknowledgements.at(-1) ?? null;
  const acked = phase !== 'UNACKED' && lastAck !== null;
  return {
    number: w.number,
    title: w.title,
    phase,
    startedAt: w.createdAt ?? new Date(0).toISOString(),
    teams: w.teams.map((t) => ({ slug: t.id, name: t.summary ?? t.id })),
    pagedUsers: phase === 'UNACKED' ? w.assignees.map((a) => who(a)!) : [],
    link: isHttpUrl(w.htmlUrl) ? w.htmlUrl : null,
    ackedBy: acked ? who(lastAck.by) : null,
    backend: 'pagerduty',
    lastAlertAt: null,
    routingKey: w.service ? routingKeyOf(w.service.id) : null,
    entityId: w.incidentKey,
    alertCount: w.alertCount ?? 1,
    ackedAt: acked ? lastAck.at : null,
    resolvedBy: phase === 'RESOLVED' ? who(w.lastStatusChangeBy) : null,
    resolvedAt: phase === 'RESOLVED' ? w.resolvedAt : null,
  };
}

interface Entry {
  wire: WireIncident;
  incident: Incident;
}

const HOUR = 3_600_000;

/**
 * PagerDuty's incidents as Klaxon lists them: every open one (`date_range=all`, however old) and
 * those resolved recently, each as the contract's `Incident`. An incident whose wire form did not
 * change comes back as the same object (the hub compares by identity). Remembers each number's id,
 * because the REST API addresses incidents by id while people (and Klaxon's contract) use numbers.
 */
export class PagerDutyIncidents {
  private readonly clock: Clock;
  private entries = new Map<string, Entry>();
  /** Incident number → PagerDuty id, for every incident seen since start. */
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly opts: {
      client: Pick<PagerDutyClient, 'listAll' | 'get' | 'malformed'>;
      /** Only incidents of these services (`pagerduty.serviceIds`); empty: every service. */
      serviceIds: readonly string[];
      /** Resolved incidents created this long ago are still listed (at least a day). */
      recentWindowMinutes: number;
      routingKeyOf: (serviceId: string) => string | null;
      clock?: Clock;
    },
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  async list(slicer = new TimeSlicer()): Promise<Incident[]> {
    const services = this.opts.serviceIds.map((id) => `&service_ids[]=${encodeURIComponent(id)}`).join('');
    const since = new Date(this.clock.now() - Math.max(24 * HOUR, 2 * this.opts.recentWindowMinutes * 60_000));
    const [open, resolved] = [
      await this.opts.client.listAll(
        'pd_incidents',
        `/incidents?statuses[]=triggered&statuses[]=acknowledged&date_range=all${services}`,
        'incidents',
      ),
      await this.opts.client.listAll(
        'pd_incidents',
        `/incidents?statuses[]=resolved&since=${encodeURIComponent(since.toISOString())}${services}`,
        'incidents',
      ),
    ];
    const entries = new Map<string, Entry>();
    const out: Incident[] = [];
    for (const raw of [...open, ...resolved]) {
      if (slicer.due()) await slicer.yieldNow();
      const w = readIncident(raw);
      if (!w || entries.has(w.id)) continue;
      const entry = this.entry(w);
      entries.set(w.id, entry);
      out.push(entry.incident);
    }
    this.entries = entries;
    return out;
  }

  /** One incident by number; null when PagerDuty does not know it, or this server never saw its number. */
  async get(number: string): Promise<Incident | null> {
    const id = this.ids.get(number);
    if (!id) return null;
    return this.fetch(`/incidents/${encodeURIComponent(id)}`);
  }

  /** The PagerDuty id of an incident number seen since start. */
  idOf(number: string): string | null {
    return this.ids.get(number) ?? null;
  }

  /** The newest incident opened with this dedup key, listed or not (`incident_key` filter). */
  async byDedupKey(key: string): Promise<Incident | null> {
    const found = (
      await this.opts.client.listAll(
        'pd_incidents',
        `/incidents?incident_key=${encodeURIComponent(key)}&date_range=all`,
        'incidents',
      )
    ).flatMap((raw) => readIncident(raw) ?? []);
    found.sort((a, b) => Number(b.number) - Number(a.number));
    return found[0] ? this.entry(found[0]).incident : null;
  }

  private async fetch(path: string): Promise<Incident | null> {
    let body: unknown;
    try {
      body = await this.opts.client.get('pd_incident', path);
    } catch (e) {
      if (e instanceof Error && 'kind' in e && e.kind === 'not_found') return null;
      throw e;
    }
    const w = readIncident((body as { incident?: unknown } | null)?.incident);
    if (!w) throw this.opts.client.malformed('pd_incident', 'the answer has no readable "incident"');
    return this.entry(w).incident;
  }

  private entry(w: WireIncident): Entry {
    this.ids.set(w.number, w.id);
    const before = this.entries.get(w.id);
    if (before && jsonEqual(before.wire, w)) return before;
    return { wire: w, incident: normaliseIncident(w, this.opts.routingKeyOf) };
  }
}
