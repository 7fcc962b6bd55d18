import { incidentKey, viaKlaxon, type Incident, type IncidentEscalation } from '#common/index.js';
import type { PagingBackend } from '../backends/paging-backend.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import type { EscalationRecord, KlaxonAck, KlaxonStore } from '../store/store.js';

/** How far back acknowledgements and escalations are loaded at start (incidents older than that are not shown). */
const KEEP_MS = 7 * 24 * 3600_000;
/**
 * An acknowledgement recorded in Klaxon explains the service's acknowledgement when both are this
 * close: the two clocks differ, and the service may list the acknowledgement a little later. Further
 * apart, the same user acknowledged again elsewhere (e.g. after the incident re-opened).
 */
const ACK_MATCH_MS = 10 * 60_000;

/**
 * What Klaxon knows about an incident that the paging service does not say, joined to the
 * incident as every client sees it: who acknowledged it through Klaxon (an acknowledgement sent as
 * the service user is credited to the person: "Alice Andersen (via Klaxon)"), people's display names
 * instead of usernames ("Carol Okafor"), and Klaxon's own escalation of it. The hub asks for every
 * incident of every poll, so the answer for an unchanged incident is the same object until something
 * joined to it changes (`version`).
 *
 * One rule joins what Klaxon recorded to an incident: its incident key (`common/incident-key.ts`),
 * the identity acknowledgements and escalations are recorded by (On-Call's bare `7`, `pagerduty:7`),
 * so a record of one service's #7 is never shown on another's.
 */
export class IncidentPresenter {
  private readonly clock: Clock;
  private readonly log: Logger;
  private version = 0;
  private readonly memo = new WeakMap<Incident, { version: number; out: Incident }>();
  private names: ReadonlyMap<string, string> = new Map();
  private namesPending: Promise<void> | null = null;
  private recordsPending: Promise<void> | null = null;
  private readonly acks = new Map<string, KlaxonAck[]>();
  private readonly escalations = new Map<string, EscalationRecord>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly deps: {
      backend: Pick<PagingBackend, 'userDisplayNames'>;
      store: Pick<KlaxonStore, 'acknowledgementsSince' | 'escalationsSince'>;
      clock?: Clock;
      logger?: Logger;
    },
  ) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? silentLogger;
  }

  /** Called when something joined to incidents changed: the hub presents its incidents again. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads what Klaxon recorded before this process started (acknowledgements, escalations). */
  async load(): Promise<void> {
    if (await this.readRecords()) this.changed();
  }

  /**
   * When a poll is taken in: reads the records again, so an acknowledgement or "Escalate now" made
   * on another replica (which told only its own presenter) is shown by the one that polls. Like
   * names, what is new is shown with the next poll's changes rather than pushed by itself.
   */
  refreshRecords(): Promise<void> {
    this.recordsPending ??= this.readRecords()
      .then((added) => {
        if (added) this.version++;
      })
      .finally(() => {
        this.recordsPending = null;
      });
    return this.recordsPending;
  }

  /** Reads the recent records; true when any was new to this presenter. */
  private async readRecords(): Promise<boolean> {
    const since = new Date(this.clock.now() - KEEP_MS);
    try {
      const [acks, escalations] = await Promise.all([
        this.deps.store.acknowledgementsSince(since),
        this.deps.store.escalationsSince(since),
      ]);
      let added = false;
      for (const a of acks) added = this.addAck(a) || added;
      for (const e of escalations) {
        const known = this.escalations.get(e.incidentNumber);
        if (known && known.status === e.status && known.updatedAt.getTime() === e.updatedAt.getTime()) continue;
        this.escalations.set(e.incidentNumber, e);
        added = true;
      }
      return added;
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'could not load what Klaxon recorded about incidents');
      return false;
    }
  }

  /**
   * When a poll is taken in: asks the backend for display names (cached there, so usually at once).
   * Changed names are not pushed to clients by themselves: the next poll presents every incident
   * again and sends what changed with its own changes. (Pushing them at once would send an update for
   * every acknowledged incident just after the server starts, between a client's snapshot and the
   * changes it is waiting for; waiting for them would hold up the first snapshot by a request slot.)
   */
  refreshNames(): Promise<void> {
    this.namesPending ??= this.deps.backend
      .userDisplayNames()
      .then((names) => {
        if (names === this.names) return;
        this.names = names;
        this.version++;
      })
      .catch(() => undefined)
      .finally(() => {
        this.namesPending = null;
      });
    return this.namesPending;
  }

  /** An acknowledgement was just made in Klaxon. */
  noteAck(ack: KlaxonAck): void {
    this.addAck(ack);
    this.changed();
  }

  /** An escalation was claimed or settled. */
  noteEscalation(e: EscalationRecord): void {
    this.escalations.set(e.incidentNumber, e);
    this.changed();
  }

  /** The incident as clients see it. */
  present(raw: Incident): Incident {
    const hit = this.memo.get(raw);
    if (hit && hit.version === this.version) return hit.out;
    const out = this.join(raw);
    this.memo.set(raw, { version: this.version, out });
    return out;
  }

  /**
   * Klaxon's escalation of an incident, by its key, whatever its outcome (the escalator never sends
   * a second one).
   */
  escalationOf(key: string): EscalationRecord | null {
    return this.escalations.get(key) ?? null;
  }

  private join(raw: Incident): Incident {
    const extra: Partial<Incident> = {};
    const ackedByName = raw.ackedBy ? (this.klaxonAcker(raw) ?? this.names.get(raw.ackedBy) ?? null) : null;
    if (ackedByName) extra.ackedByName = ackedByName;
    const resolvedByName = raw.resolvedBy ? this.names.get(raw.resolvedBy) : undefined;
    if (resolvedByName) extra.resolvedByName = resolvedByName;
    const e = this.escalations.get(incidentKey(raw));
    if (e?.status === 'done') extra.escalation = shown(e);
    return Object.keys(extra).length === 0 ? raw : { ...raw, ...extra };
  }

  /** "Alice Andersen (via Klaxon)" when the service's acknowledgement is one made in Klaxon. */
  private klaxonAcker(raw: Incident): string | null {
    const at = raw.ackedAt ? Date.parse(raw.ackedAt) : null;
    let best: KlaxonAck | null = null;
    for (const a of this.acks.get(incidentKey(raw)) ?? []) {
      if (!this.isUser(raw.ackedBy!, a.sentAs)) continue;
      if (at !== null && Math.abs(a.at.getTime() - at) > ACK_MATCH_MS) continue;
      // The one closest to the service's time (the latest when it gives none).
      if (!best || (at === null ? a.at >= best.at : Math.abs(a.at.getTime() - at) <= Math.abs(best.at.getTime() - at)))
        best = a;
    }
    return best ? viaKlaxon(best.personName) : null;
  }

  /**
   * Whether the acknowledger a service names is the user an acknowledgement was sent as: On-Call
   * names its username (`klaxon`), PagerDuty the user's name ("Klaxon") while Klaxon sends as an
   * e-mail (`klaxon@klaxon.test`), which the service's display names (`userDisplayNames`) translate.
   */
  private isUser(ackedBy: string, sentAs: string): boolean {
    const by = ackedBy.toLowerCase();
    const name = this.names.get(sentAs) ?? this.names.get(sentAs.toLowerCase());
    return sentAs.toLowerCase() === by || name?.toLowerCase() === by;
  }

  /** Keeps `a` (once: the same acknowledgement read again is ignored); true when it was new. */
  private addAck(a: KlaxonAck): boolean {
    const keepFrom = this.clock.now() - KEEP_MS;
    const list = (this.acks.get(a.incidentNumber) ?? []).filter((x) => x.at.getTime() >= keepFrom);
    const seen = list.some((x) => x.personSub === a.personSub && x.at.getTime() === a.at.getTime());
    if (!seen) list.push(a);
    this.acks.set(a.incidentNumber, list);
    return !seen;
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}

function shown(e: EscalationRecord): IncidentEscalation {
  return {
    to: e.policyName,
    at: e.updatedAt.toISOString(),
    reason: e.reason,
    requestedBy: e.requesterName,
    afterMinutes: e.afterMinutes,
  };
}
