import { incidentKey, pageEntityId, type Incident, type IncidentBackend, type Page } from '#common/index.js';
import type { PagingBackend } from '../backends/paging-backend.js';
import { UpstreamError } from '../backends/upstream-error.js';
import type { Metrics } from '../http/metrics.js';
import type { ErrorReporter } from '../runtime/error-reports.js';
import type { KlaxonStore, PageFollowUp, PagePatch } from '../store/store.js';
import { FencedOut, type LeaderFence } from '../cluster/leadership.js';
import type { TargetStatus } from '../targets/target-status.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import { yieldToIo } from '../runtime/time-slice.js';

const FINAL = new Set<Page['status']>(['resolved']);

export interface TrackerDeps {
  store: KlaxonStore;
  hub: {
    on(event: 'change', listener: (c: { change: string; incident: Incident }) => void): unknown;
    off(event: 'change', listener: (c: { change: string; incident: Incident }) => void): unknown;
    findByEntityId(entityId: string): Incident | null | undefined;
    /** When the hub last listed incidents; a page is called unconfirmed only after a list that late. */
    status?(): { lastSuccessAt: string | null };
  };
  /**
   * Several replicas: the leader's fence, passed with every write (null: not leading any more, so
   * nothing is written; the new leader looks again). Absent with one process.
   */
  fence?: (() => LeaderFence | null) | undefined;
  /** A write was refused by its fence: another replica leads now. */
  onFenced?(reason: string): void;
  /** The paging services: asked about incidents that left their list, by incident key (`incidentKey`). */
  backend?: Pick<PagingBackend, 'getIncident'>;
  /**
   * Whether paging is muted for a routing key of the incident's service (maintenance mode): why a
   * page's incident may page nobody.
   */
  mutes?: Pick<TargetStatus, 'mutesAgeMs' | 'refreshMutes'> & {
    mutedNow(routingKey: string | null, backend?: IncidentBackend): boolean | null;
  };
  /**
   * The routing key of a configured target, for a page that has no incident: a service may open none
   * while the target is muted (PagerDuty drops events to a service in a maintenance window,
   * docs/pagerduty.md#maintenance-windows), and the page must then say that nobody was paged.
   */
  targetRoutingKey?: (targetId: string) => string | null;
  onPage(page: Page): void;
  /** How often to re-check every unfinished page against the hub (covers incidents outside the team view). */
  intervalMs: number;
  /** A delivered page whose incident has not appeared after this long is marked unconfirmed; absent: never. */
  unconfirmedAfterMs?: number;
  metrics?: Pick<Metrics, 'pagesUnconfirmed' | 'pagesMuted'>;
  logger?: Logger;
  /** Failures to read or record pages (storage), and look-ups that failed for another reason than the service. */
  errorReports?: Pick<ErrorReporter, 'exception'>;
  /** Pages looked at per transaction before letting other work run (default 16; tests use 1). */
  pagesPerTransaction?: number;
  clock?: Clock;
}

/**
 * What a page should become given its incident (pure: tested on its own). `muted` says whether paging
 * is muted for the incident's routing key now (null: not known): an open incident that pages nobody
 * while muted marks the page "maintenance: nobody was paged" until someone is paged.
 */
export function pagePatchFor(
  page: Page,
  incident: Incident,
  muted: boolean | null = null,
  now = new Date(),
): PagePatch | null {
  const patch: PagePatch = {};
  if (incident.number !== page.incidentNumber) patch.incidentNumber = incident.number;
  // The incident appeared after all (late, or after a rewrite): the page moves on normally.
  if (page.unconfirmedAt) patch.unconfirmedAt = null;
  const pagesNobody = incident.phase === 'UNACKED' && incident.pagedUsers.length === 0;
  if (pagesNobody && muted === true && !page.mutedAt) patch.mutedAt = now;
  if (page.mutedAt && (!pagesNobody || muted === false)) patch.mutedAt = null;
  if (page.status === 'queued' || page.status === 'delivering' || page.status === 'failing') {
    // The incident exists, so the page reached the service even if the worker never heard back.
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
  // Who acknowledged, as people read it, may become known after the acknowledgement itself (names
  // load, an acknowledgement made in Klaxon is recorded just after On-Call reports it): it follows.
  const ackedBy = patch.ackedBy !== undefined ? patch.ackedBy : page.ackedBy;
  if (incident.ackedByName && ackedBy && incident.ackedBy === ackedBy && incident.ackedByName !== page.ackedByName)
    patch.ackedByName = incident.ackedByName;
  return Object.keys(patch).length > 0 ? patch : null;
}

/** The change a page's incident asks for, with its audit entry (null: nothing to do). */
function followUp(page: Page, incident: Incident, muted: boolean | null): PageFollowUp | null {
  const patch = pagePatchFor(page, incident, muted);
  if (!patch) return null;
  const action = patch.status ?? (patch.mutedAt ? 'muted' : patch.unconfirmedAt === null ? 'confirmed' : 'incident');
  return {
    patch,
    audit: {
      at: new Date(),
      actorSub: null,
      actorName: null,
      action: `page.${action}`,
      detail: { incident: incident.number, phase: incident.phase, by: incident.ackedBy },
    },
  };
}

/** About a couple of milliseconds of SQLite work: short enough not to hold up a page being accepted. */
const PAGES_PER_TRANSACTION = 16;

const PAGE_ENTITY = /^klaxon\/([0-9a-f-]{36})$/i;

/** How old a look at maintenance mode may be before the tracker asks again about a page that woke nobody. */
const MUTES_FRESH_MS = 10_000;

/** A page to look at, and the hub change (or reconcile) that prompted it. */
interface Work {
  change: string;
  incident: Incident;
}

/**
 * A page follows its incident: incident number, then acknowledged (by whom), then resolved.
 * Listens to the hub's changes and also re-checks unfinished pages on a timer. The work is queued
 * and applied a few pages per transaction, letting other work run in between: a poll that opens
 * hundreds of incidents (a page storm) must not hold up the event loop where pages are accepted.
 */
export class PageTracker {
  private timer: unknown = null;
  /** Page id → the latest work for it; a page changed twice before the drain is looked at once. */
  private readonly queue = new Map<string, Work>();
  private draining: Promise<void> | null = null;
  private readonly onChange = (c: { change: string; incident: Incident }) => {
    const m = PAGE_ENTITY.exec(c.incident.entityId ?? '');
    if (m) this.enqueue(m[1]!.toLowerCase(), c);
  };
  private readonly lookingUp = new Set<string>();
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(private readonly deps: TrackerDeps) {
    this.log = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
  }

  start(): void {
    this.deps.hub.on('change', this.onChange);
    const every = () => {
      void this.reconcileAll();
      this.timer = this.clock.setTimeout(every, this.deps.intervalMs);
    };
    every();
  }

  /** Stops listening and waits for the work already queued (before storage closes). */
  async stop(): Promise<void> {
    this.deps.hub.off('change', this.onChange);
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.idle();
  }

  /** Resolves once every queued page has been looked at. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /**
   * Queues every unfinished page whose incident the hub knows (also those outside the team view), and
   * marks delivered pages whose incident has not appeared in time as unconfirmed.
   */
  async reconcileAll(): Promise<void> {
    try {
      for (const id of await this.deps.store.unfinishedPageIds()) {
        const incident = this.deps.hub.findByEntityId(pageEntityId(id));
        if (incident) this.enqueue(id, { change: 'reconcile', incident });
      }
      await this.markUnconfirmed();
    } catch (e) {
      if (e instanceof FencedOut) this.deps.onFenced?.(e.message);
      this.log.warn({ err: (e as Error).message }, 'could not reconcile pages with incidents');
      this.deps.errorReports?.exception(e, { where: 'page-tracker', extra: { step: 'reconcile' } });
    }
  }

  /**
   * A delivered page whose incident the service has not listed within `unconfirmedAfterMs` may have
   * been rewritten (a Rules Engine rule changing its entity id or routing key) or dropped: say so, so
   * the person uses a fallback contact, and keep following it (it moves on if the incident appears).
   */
  private async markUnconfirmed(): Promise<void> {
    const after = this.deps.unconfirmedAfterMs;
    if (!after) return;
    // "On-Call shows no incident" must come from a list fetched `after` past the delivery: not from
    // no list at all (just started) or an old one (On-Call failing since).
    const status = this.deps.hub.status?.();
    const listedAt = status ? (status.lastSuccessAt ? Date.parse(status.lastSuccessAt) : null) : this.clock.now();
    if (listedAt === null) return;
    const seen = Math.min(listedAt, this.clock.now());
    const cutoff = seen - after;
    // A muted target's page without an incident is said sooner: a few polls are time enough for an
    // incident that will come at all (a service in maintenance may never open one).
    const mutedCutoff = seen - Math.min(after, 3 * this.deps.intervalMs);
    const ids = (await this.deps.store.pagesAwaitingIncident(new Date(mutedCutoff))).filter(
      (id) => !this.deps.hub.findByEntityId(pageEntityId(id)),
    );
    if (ids.length === 0) return;
    const now = new Date(this.clock.now());
    const mutedIds = new Set<string>();
    const changed = await this.follow(ids, (page) => {
      if (page.status !== 'delivered' || page.incidentNumber || page.unconfirmedAt || page.mutedAt) return null;
      if (this.targetMuted(page)) {
        mutedIds.add(page.id);
        return {
          patch: { mutedAt: now },
          audit: {
            at: now,
            actorSub: null,
            actorName: null,
            action: 'page.muted',
            detail: { deliveredAt: page.deliveredAt, incident: null },
          },
        };
      }
      if (!page.deliveredAt || Date.parse(page.deliveredAt) > cutoff) return null;
      return {
        patch: { unconfirmedAt: now },
        audit: {
          at: now,
          actorSub: null,
          actorName: null,
          action: 'page.unconfirmed',
          detail: { deliveredAt: page.deliveredAt, waitedSeconds: Math.round(after / 1000) },
        },
      };
    });
    for (const page of changed) {
      if (mutedIds.has(page.id)) this.countMuted(page);
      else {
        this.deps.metrics?.pagesUnconfirmed.inc();
        this.log.warn(
          { pageId: page.id, deliveredAt: page.deliveredAt },
          'a delivered page has no incident in its paging service yet: a rule may have rewritten or dropped it',
        );
      }
      this.deps.onPage(page);
    }
  }

  /** Whether the page's target is muted now (its service in maintenance); false when not known. */
  private targetMuted(page: Page): boolean {
    const key = this.deps.targetRoutingKey?.(page.target.id) ?? null;
    return key !== null && this.deps.mutes?.mutedNow(key, page.backend) === true;
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
    // Hub changes come in bursts (one per incident of a poll): take the whole burst in one go.
    await yieldToIo();
    while (this.queue.size > 0) {
      const chunk = [...this.queue].slice(0, this.deps.pagesPerTransaction ?? PAGES_PER_TRANSACTION);
      for (const [id] of chunk) this.queue.delete(id);
      const work = new Map(chunk);
      const lookUps: [string, Incident][] = [];
      const askMutes: [string, Work][] = [];
      const newlyMuted = new Set<string>();
      try {
        const changed = await this.follow([...work.keys()], (page) => {
          const w = work.get(page.id)!;
          const current = this.deps.hub.findByEntityId(w.incident.entityId ?? pageEntityId(page.id));
          if (!current && w.change === 'removed' && !FINAL.has(page.status)) {
            lookUps.push([page.id, w.incident]);
            return null;
          }
          const incident = current ?? w.incident;
          if (this.mutesTooOldFor(page, incident)) askMutes.push([page.id, w]);
          const next = followUp(
            page,
            incident,
            this.deps.mutes?.mutedNow(incident.routingKey ?? null, incident.backend) ?? null,
          );
          if (next?.patch.mutedAt) newlyMuted.add(page.id);
          return next;
        });
        for (const page of changed) {
          if (newlyMuted.has(page.id)) this.countMuted(page);
          this.published(page);
        }
        if (askMutes.length > 0) void this.lookAgainAfterMutes(askMutes);
        for (const [pageId, last] of lookUps) void this.lookUpRemoved(pageId, last);
      } catch (e) {
        if (e instanceof FencedOut) this.deps.onFenced?.(e.message);
        // Rolled back: the pages keep their status until the next reconcile looks again.
        this.log.warn({ err: (e as Error).message }, 'could not record what happened to pages; will look again');
        this.deps.errorReports?.exception(e, { where: 'page-tracker', extra: { step: 'follow pages' } });
      }
      if (this.queue.size > 0) await yieldToIo();
    }
  }

  /**
   * The incident left the service's list (resolved longer ago than it keeps listing) while its
   * page was not final, so the hub will never show the outcome: ask for that one incident
   * (once per removal) and follow its phase, or the page would stay "acknowledged" for ever.
   */
  private async lookUpRemoved(pageId: string, last: Incident): Promise<void> {
    const backend = this.deps.backend;
    const key = incidentKey(last);
    if (!backend || this.lookingUp.has(key)) return;
    this.lookingUp.add(key);
    try {
      const incident = await backend.getIncident(key);
      if (!incident) return;
      for (const page of await this.follow([pageId], (page) =>
        followUp(page, incident, this.deps.mutes?.mutedNow(incident.routingKey ?? null, incident.backend) ?? null),
      ))
        this.published(page);
    } catch (e) {
      if (e instanceof FencedOut) this.deps.onFenced?.(e.message);
      this.log.warn(
        { pageId, incident: last.number, err: (e as Error).message },
        "could not look up an incident that left On-Call's list; its page keeps its last status",
      );
      if (!(e instanceof UpstreamError))
        this.deps.errorReports?.exception(e, { where: 'page-tracker', extra: { step: 'look up', pageId } });
    } finally {
      this.lookingUp.delete(key);
    }
  }

  /** `store.followPages` as leader: with the fence when there is one, not at all after leadership ended. */
  private async follow(ids: string[], decide: (page: Page) => PageFollowUp | null): Promise<Page[]> {
    if (!this.deps.fence) return this.deps.store.followPages(ids, decide);
    const fence = this.deps.fence();
    return fence ? this.deps.store.followPages(ids, decide, { fence }) : [];
  }

  /**
   * An open incident paging nobody for a page not (yet) marked muted, judged on a maintenance look
   * older than 10 s: worth asking again before saying why nobody was paged.
   */
  private mutesTooOldFor(page: Page, incident: Incident): boolean {
    const mutes = this.deps.mutes;
    if (!mutes || page.mutedAt) return false;
    const pagesNobody = incident.phase === 'UNACKED' && incident.pagedUsers.length === 0;
    return pagesNobody && mutes.mutesAgeMs() > MUTES_FRESH_MS;
  }

  private async lookAgainAfterMutes(pages: [string, Work][]): Promise<void> {
    try {
      await this.deps.mutes!.refreshMutes();
    } catch {
      return; // not known: the page keeps its status; the next reconcile tries again
    }
    for (const [id, w] of pages) this.enqueue(id, w);
  }

  private countMuted(page: Page): void {
    this.deps.metrics?.pagesMuted.inc();
    this.log.warn(
      { pageId: page.id, incident: page.incidentNumber },
      'a page wakes nobody: its paging service is in maintenance for its routing key',
    );
  }

  private published(page: Page): void {
    this.log.info({ pageId: page.id, incident: page.incidentNumber, status: page.status }, 'page follows its incident');
    this.deps.onPage(page);
  }
}
