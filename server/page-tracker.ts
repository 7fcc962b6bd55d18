import { pageEntityId, type Incident, type Page } from '../common/index.js';
import { normaliseIncident } from './incident-normaliser.js';
import type { WireIncident } from './oncall-wire.js';
import type { KlaxonStore, PagePatch } from './store/store.js';
import { TimeSlicer } from './time-slice.js';

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
  /** Longest stretch one slice of queued work holds the event loop (ms; tests use 0). */
  sliceMs?: number;
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

/** A page to look at, and the hub change (or reconcile) that prompted it. */
interface Work {
  change: string;
  incident: Incident;
}

/**
 * A page follows its incident: incident number, then acknowledged (by whom), then resolved.
 * Listens to the hub's changes and also re-checks unfinished pages on a timer. The work is queued
 * and applied in time slices, one transaction per slice: a poll that opens hundreds of incidents
 * (a page storm) must not hold up the event loop, where new pages are being accepted.
 */
export class PageTracker {
  private timer: NodeJS.Timeout | null = null;
  /** Page id → the latest work for it; a page changed twice before the drain is looked at once. */
  private readonly queue = new Map<string, Work>();
  private draining: Promise<void> | null = null;
  private readonly onChange = (c: { change: string; incident: Incident }) => {
    const m = PAGE_ENTITY.exec(c.incident.entityId ?? '');
    if (m) this.enqueue(m[1]!.toLowerCase(), c);
  };
  private readonly lookingUp = new Set<string>();

  constructor(private readonly deps: TrackerDeps) {}

  start(): void {
    this.deps.hub.on('change', this.onChange);
    this.reconcileAll();
    this.timer = setInterval(() => this.reconcileAll(), this.deps.intervalMs);
    this.timer.unref();
  }

  /** Stops listening and waits for the work already queued (before storage closes). */
  async stop(): Promise<void> {
    this.deps.hub.off('change', this.onChange);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.idle();
  }

  /** Resolves once every queued page has been looked at. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  reconcileAll(): void {
    try {
      for (const id of this.deps.store.unfinishedPageIds()) {
        const incident = this.deps.hub.findByEntityId(pageEntityId(id));
        if (incident) this.enqueue(id, { change: 'reconcile', incident });
      }
    } catch (e) {
      this.deps.logger.warn({ err: (e as Error).message }, 'could not reconcile pages with incidents');
    }
  }

  private enqueue(pageId: string, work: Work): void {
    this.queue.set(pageId, work);
    this.startDrain();
  }

  private startDrain(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      // Work queued between the drain's last look and now (in a microtask) would otherwise wait.
      if (this.queue.size > 0) this.startDrain();
    });
  }

  private async drain(): Promise<void> {
    const slicer = new TimeSlicer(this.deps.sliceMs);
    // Hub changes come in bursts (one per incident of a poll): take the whole burst in one go.
    await slicer.yieldNow();
    while (this.queue.size > 0) {
      let updated: Page[] = [];
      try {
        this.deps.store.batch(() => {
          for (const [pageId, work] of this.queue) {
            this.queue.delete(pageId);
            const page = this.follow(pageId, work);
            if (page) updated.push(page);
            if (slicer.due()) break;
          }
        });
      } catch (e) {
        // Rolled back: the pages keep their status until the next reconcile looks again.
        updated = [];
        this.deps.logger.warn({ err: (e as Error).message }, 'could not record what happened to pages; will look again');
      }
      for (const page of updated) this.published(page);
      if (this.queue.size > 0) await slicer.yieldNow();
    }
  }

  /** The page's new state if its incident moved it on (written, not yet published). */
  private follow(pageId: string, work: Work): Page | null {
    const rec = this.deps.store.getPage(pageId);
    if (!rec) return null;
    const current = this.deps.hub.findByEntityId(work.incident.entityId ?? pageEntityId(pageId));
    if (current) return this.record(rec.page, current);
    if (work.change === 'removed' && !FINAL.has(rec.page.status)) {
      void this.lookUpRemoved(rec.page.id, work.incident);
      return null;
    }
    return this.record(rec.page, work.incident);
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
      const updated = this.record(rec.page, normaliseIncident(wire, { teamNames: new Map(last.teams.map((t) => [t.slug, t.name])), orgSlug: null, fallbackTime: last.startedAt }));
      if (updated) this.published(updated);
    } catch (e) {
      this.deps.logger.warn({ pageId, incident: last.number, err: (e as Error).message }, 'could not look up an incident that left On-Call\'s list; its page keeps its last status');
    } finally {
      this.lookingUp.delete(last.number);
    }
  }

  private record(page: Page, incident: Incident): Page | null {
    const patch = pagePatchFor(page, incident);
    if (!patch) return null;
    return this.deps.store.updatePage(page.id, patch, {
      audit: { at: new Date(), actorSub: null, actorName: null, action: `page.${patch.status ?? 'incident'}`, detail: { incident: incident.number, phase: incident.phase, by: incident.ackedBy } },
    });
  }

  private published(page: Page): void {
    this.deps.logger.info({ pageId: page.id, incident: page.incidentNumber, status: page.status }, 'page follows its incident');
    this.deps.onPage(page);
  }
}
