import { pageEntityId, type Incident, type Page } from '../common/index.js';
import { normaliseIncident } from './incident-normaliser.js';
import type { WireIncident } from './oncall-wire.js';
import type { KlaxonStore, PagePatch } from './store/store.js';

const FINAL = new Set<Page['status']>(['resolved']);

export interface TrackerDeps {
  store: KlaxonStore;
  hub: {
    on(event: 'change', listener: (c: { change: string; incident: Incident }) => void): unknown;
    off(event: 'change', listener: (c: { change: string; incident: Incident }) => void): unknown;
    findByEntityId(entityId: string): Incident | null | undefined;
  };
  /** On-Call's public API (the rate-limited client): asked about incidents that left the list. */
  client?: { getIncident(n: string): Promise<WireIncident | null> };
  onPage(page: Page): void;
  /** How often to re-check every unfinished page against the hub (covers incidents outside the team view). */
  intervalMs: number;
  logger: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/** What a page should become given its incident (pure: tested on its own). */
export function pagePatchFor(page: Page, incident: Incident): PagePatch | null {
  const patch: PagePatch = {};
  if (incident.number !== page.incidentNumber) patch.incidentNumber = incident.number;
  if (page.status === 'queued' || page.status === 'delivering' || page.status === 'failing') {
    // The incident exists, so the page reached On-Call even if the worker never heard back.
    patch.status = 'delivered';
    patch.deliveredAt = page.deliveredAt ? new Date(page.deliveredAt) : new Date();
    patch.lastError = null;
    patch.nextAttemptAt = null;
    if (page.gaveUpAt) patch.gaveUpAt = null;
  }
  if (incident.phase === 'ACKED' && page.status !== 'acknowledged' && page.status !== 'resolved') {
    patch.status = 'acknowledged';
    patch.ackedBy = incident.ackedBy;
    patch.ackedAt = incident.ackedAt ? new Date(incident.ackedAt) : new Date();
  }
  if (incident.phase === 'RESOLVED' && page.status !== 'resolved') {
    patch.status = 'resolved';
    if (!page.ackedBy && incident.ackedBy) {
      patch.ackedBy = incident.ackedBy;
      patch.ackedAt = incident.ackedAt ? new Date(incident.ackedAt) : null;
    }
  }
  return Object.keys(patch).length > 0 ? patch : null;
}

const PAGE_ENTITY = /^klaxon\/([0-9a-f-]{36})$/i;

/**
 * A page follows its incident: incident number, then acknowledged (by whom), then resolved.
 * Listens to the hub's changes and also re-checks unfinished pages on a timer.
 */
export class PageTracker {
  private timer: NodeJS.Timeout | null = null;
  private readonly onChange = (c: { change: string; incident: Incident }) => {
    const m = PAGE_ENTITY.exec(c.incident.entityId ?? '');
    if (!m) return;
    const rec = this.deps.store.getPage(m[1]!.toLowerCase());
    if (!rec) return;
    const current = this.deps.hub.findByEntityId(c.incident.entityId!);
    if (current) this.apply(rec.page, current);
    else if (c.change === 'removed' && !FINAL.has(rec.page.status)) void this.lookUpRemoved(rec.page.id, c.incident);
    else this.apply(rec.page, c.incident);
  };
  private readonly lookingUp = new Set<string>();

  constructor(private readonly deps: TrackerDeps) {}

  start(): void {
    this.deps.hub.on('change', this.onChange);
    this.reconcileAll();
    this.timer = setInterval(() => this.reconcileAll(), this.deps.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.deps.hub.off('change', this.onChange);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  reconcileAll(): void {
    try {
      for (const page of this.deps.store.openPages()) {
        if (FINAL.has(page.status)) continue;
        const incident = this.deps.hub.findByEntityId(pageEntityId(page.id));
        if (incident) this.apply(page, incident);
      }
    } catch (e) {
      this.deps.logger.warn({ err: (e as Error).message }, 'could not reconcile pages with incidents');
    }
  }

  /**
   * The incident left On-Call's list (resolved longer ago than On-Call keeps listing) while its
   * page was not final, so the hub will never show the outcome: ask On-Call for that one incident
   * (once per removal) and follow its phase, or the page would stay "acknowledged" for ever.
   */
  private async lookUpRemoved(pageId: string, last: Incident): Promise<void> {
    const client = this.deps.client;
    if (!client || this.lookingUp.has(last.number)) return;
    this.lookingUp.add(last.number);
    try {
      const wire = await client.getIncident(last.number);
      const rec = this.deps.store.getPage(pageId);
      if (!wire || !rec) return;
      this.apply(rec.page, normaliseIncident(wire, { teamNames: new Map(last.teams.map((t) => [t.slug, t.name])), orgSlug: null, fallbackTime: last.startedAt }));
    } catch (e) {
      this.deps.logger.warn({ pageId, incident: last.number, err: (e as Error).message }, 'could not look up an incident that left On-Call\'s list; its page keeps its last status');
    } finally {
      this.lookingUp.delete(last.number);
    }
  }

  private apply(page: Page, incident: Incident): void {
    const patch = pagePatchFor(page, incident);
    if (!patch) return;
    const updated = this.deps.store.updatePage(page.id, patch, {
      audit: { at: new Date(), actorSub: null, actorName: null, action: `page.${patch.status ?? 'incident'}`, detail: { incident: incident.number, phase: incident.phase, by: incident.ackedBy } },
    });
    if (updated) {
      this.deps.logger.info({ pageId: page.id, incident: incident.number, status: updated.status }, 'page follows its incident');
      this.deps.onPage(updated);
    }
  }
}
