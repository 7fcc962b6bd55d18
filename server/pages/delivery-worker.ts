import { randomUUID } from 'node:crypto';
import {
  incidentKey,
  pageEntityId,
  serviceName,
  type Incident,
  type IncidentBackend,
  type Page,
} from '#common/index.js';
import type { ServerConfig } from '../config/index.js';
import type { Metrics } from '../http/metrics.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { noErrorReports, type ErrorReporter } from '../runtime/error-reports.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import { backoffDelayMs } from '#common/backoff.js';
import type { KlaxonStore, PageRecord } from '../store/store.js';
import type { PagingBackend, SendAlertResult } from '../backends/paging-backend.js';

/** What a report about a page must not contain: its words and who sent it. */
const pageText = (p: Page) => [p.summary, p.details, p.requester.name, p.requester.email ?? ''];

export interface DeliveryDeps {
  store: KlaxonStore;
  /**
   * The paging services (each call goes to the page's own, `PagingServices.router`): sends alerts,
   * and looks a retried page's incident up directly while the hub has not listed incidents since
   * start. `getIncident` takes the incident's key (`incidentKey`).
   */
  backend: Pick<PagingBackend, 'sendAlert' | 'findPageIncident' | 'getIncident'>;
  /**
   * The incidents, per paging service: finds a page's incident on its own service and is told to
   * look again after a delivery. A service's outage holds back only its own pages' resends.
   */
  incidents: {
    /** Several replicas: asked of the shared tables, so it may answer later (or throw: cannot tell). */
    findByEntityId(
      entityId: string,
      service: IncidentBackend,
    ): Incident | null | undefined | Promise<Incident | null | undefined>;
    refreshNow(reason: string): Promise<unknown>;
    /** Per paging service, whether its incidents were listed since start; absent: nothing waits for a first list. */
    listed?(): ReadonlyMap<IncidentBackend, boolean>;
  };
  /** How long after start retries wait for the hub's first poll before looking up themselves. */
  firstPollWaitMs?: number;
  /** The delivery settings (how long a delivered page may wait for its incident is the tracker's). */
  delivery: Omit<ServerConfig['delivery'], 'unconfirmedAfterSeconds'>;
  /** Called with every page whose state changed (SSE publish). */
  onPage(page: Page): void;
  metrics: Pick<Metrics, 'deliveryAttempts'>;
  logger?: Logger;
  /** Unexpected failures and pages that gave up (runtime/error-reports.ts). */
  errorReports?: Pick<ErrorReporter, 'exception' | 'message'>;
  random?: () => number;
  clock?: Clock;
}

/**
 * Sends queued pages to the paging service. Each attempt is first recorded (status delivering,
 * attempts + 1, a lease) and only then sent, so a crash mid-send leaves a page that is retried
 * once the lease runs out. Resending is safe because the backend's alerts are idempotent per page
 * (the entity id rolls a retry into the open incident); before resending, the worker also looks for that incident so a page whose
 * incident already exists (even resolved) is never sent a second time.
 */
export class DeliveryWorker {
  /** This worker's name on the leases it takes. */
  private readonly owner = `worker-${randomUUID()}`;
  private timer: unknown = null;
  private running = false;
  private kicked = false;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly leaseMs: number;
  private readonly giveUpMs: number;
  private startedAt = 0;
  private readonly firstPollWaitMs: number;
  private readonly log: Logger;
  private readonly errors: Pick<ErrorReporter, 'exception' | 'message'>;
  private readonly clock: Clock;
  /** How long after start retries wait for the hub's first look at the service's incidents. */
  static readonly FIRST_POLL_WAIT_MS = 15_000;
  /** Time kept, after a send's own timeout, to record its answer before the lease runs out. */
  static readonly RECORD_MARGIN_MS = 1000;

  constructor(private readonly deps: DeliveryDeps) {
    this.leaseMs = deps.delivery.timeoutMs * 2 + 2000;
    this.giveUpMs = deps.delivery.giveUpAfterMinutes * 60_000;
    this.firstPollWaitMs = deps.firstPollWaitMs ?? DeliveryWorker.FIRST_POLL_WAIT_MS;
    this.log = deps.logger ?? silentLogger;
    this.errors = deps.errorReports ?? noErrorReports;
    this.clock = deps.clock ?? systemClock;
  }

  start(): void {
    this.startedAt = this.clock.now();
    this.running = true;
    this.kick();
  }

  /** Wake up now (a page was just accepted, or an attempt finished); kicks in one turn make one tick. */
  kick(): void {
    if (!this.running || this.kicked) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.tick();
    });
  }

  /**
   * A paging service answers again (its hub's poll succeeded after failures, or a page was just
   * delivered to it): its pages waiting out a backoff of up to `delivery.maxDelayMs` go now, and their
   * requesters see the new `nextAttemptAt`. Other services' pages keep their schedule.
   */
  serviceAnswers(reason: string, service: IncidentBackend): void {
    if (!this.running) return;
    this.deps.store
      .makeFailingPagesDue(new Date(this.clock.now()), service)
      .then((pages) => {
        if (pages.length === 0) return;
        this.log.info(
          { pages: pages.length, reason, service },
          'the paging service answers again: its failing pages are retried now',
        );
        for (const p of pages) this.deps.onPage(p);
        this.kick();
      })
      .catch((e: unknown) => this.log.error({ err: (e as Error).message }, 'could not make failing pages due'));
  }

  /** Stops claiming new pages and waits for the attempts in flight (bounded by the send timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.later(null);
    await this.ticking;
    await Promise.allSettled([...this.inflight.values()]);
  }

  /** The next look at the outbox in `ms` (replacing any planned one); null: none. */
  private later(ms: number | null): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = ms === null ? null : this.clock.setTimeout(() => this.tick(), ms);
  }

  /** One look at the outbox at a time; a wake-up during a look makes one more look after it. */
  private tick(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = this.claimAndSend()
      .catch((e: unknown) => {
        this.log.error({ err: (e as Error).message }, 'the delivery worker stumbled; it looks again in a second');
        this.errors.exception(e, { where: 'delivery-worker' });
        this.later(1000);
      })
      .finally(() => {
        this.ticking = null;
        if (this.tickAgain) {
          this.tickAgain = false;
          this.tick();
        }
      });
  }

  private async claimAndSend(): Promise<void> {
    const free = this.deps.delivery.concurrency - this.inflight.size;
    if (free > 0) {
      let claimed: PageRecord[] = [];
      const claimedAt = this.clock.now();
      try {
        const unlisted = this.waitingForFirstPoll();
        claimed = await this.deps.store.claimDuePages(this.owner, new Date(claimedAt), this.leaseMs, free, {
          ...(unlisted.length > 0 ? { retriesOf: this.services().filter((s) => !unlisted.includes(s)) } : {}),
        });
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'could not read the page outbox; retrying');
        this.errors.exception(e, { where: 'delivery-worker', extra: { step: 'claim due pages' } });
      }
      for (const r of claimed) {
        this.deps.onPage(r.page);
        const p = this.deliver(r, claimedAt + this.leaseMs)
          .catch((e: unknown) => {
            this.log.error({ pageId: r.page.id, err: (e as Error).message }, 'page delivery failed unexpectedly');
            this.errors.exception(e, {
              where: 'delivery-worker',
              extra: { pageId: r.page.id },
              sensitive: pageText(r.page),
            });
          })
          .finally(() => {
            this.inflight.delete(r.page.id);
            this.kick();
          });
        this.inflight.set(r.page.id, p);
      }
    }
    await this.scheduleNext();
  }

  /**
   * Right after a (re)start a service's hub has not listed incidents yet, so a retry could not tell
   * that its incident already exists (and was perhaps resolved meanwhile: a resend would then open a
   * second one). Retries of that service's pages wait for that first list, briefly; new pages go
   * out at once, and so do retries of services already listed. After that wait a retry looks its
   * incident up itself (see `existingIncident`). Returns the services still waited for.
   */
  private waitingForFirstPoll(): IncidentBackend[] {
    if (this.clock.now() - this.startedAt >= this.firstPollWaitMs) return [];
    return this.services().filter((s) => this.neverListed(s));
  }

  private services(): IncidentBackend[] {
    return [...(this.deps.incidents.listed?.().keys() ?? [])];
  }

  private neverListed(service: IncidentBackend): boolean {
    return this.deps.incidents.listed?.().get(service) === false;
  }

  /** The page's service (`Page.backend`; absent: On-Call). */
  private static serviceOf(page: Page): IncidentBackend {
    return page.backend ?? 'oncall';
  }

  /**
   * The number of the incident an earlier attempt of this page opened, null if there is none, or
   * `{ error }` when nobody can tell: the hub has never listed incidents since start and the
   * service did not answer the direct look-up either (one rate-limited request; the number when known).
   */
  private async existingIncident(page: Page, entityId: string): Promise<string | null | { error: string }> {
    // Incidents carry the same service as their page, so a page's entity id finds only its own.
    const service = DeliveryWorker.serviceOf(page);
    let seen;
    try {
      seen = await this.deps.incidents.findByEntityId(entityId, service);
    } catch (e) {
      return { error: (e as Error).message };
    }
    if (seen) return seen.number;
    if (!this.neverListed(service)) return null;
    const { backend } = this.deps;
    try {
      if (page.incidentNumber) {
        const one = await backend.getIncident(incidentKey({ backend: page.backend, number: page.incidentNumber }));
        if (one) return one.number;
      }
      return (await backend.findPageIncident(page))?.number ?? null;
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  private async scheduleNext(): Promise<void> {
    if (!this.running) return;
    this.later(null);
    // Safety net: look again even if nothing seems due. While retries wait for the hub's first
    // poll, check a few times a second (due retries would otherwise spin the loop).
    let wait = 5000;
    if (this.inflight.size >= this.deps.delivery.concurrency) {
      /* every slot is busy: a finishing attempt kicks the next tick */
    } else if (this.waitingForFirstPoll().length > 0) wait = 250;
    else {
      try {
        const due = await this.deps.store.nextDueAt();
        if (due) wait = Math.min(wait, Math.max(10, due.getTime() - this.clock.now() + 5));
      } catch {
        /* reported by tick */
      }
    }
    this.later(wait);
  }

  /** `leaseEnd`: when the lease this attempt was claimed under runs out (another worker may then claim the page). */
  private async deliver(record: PageRecord, leaseEnd: number): Promise<void> {
    const { page } = record;
    const entityId = pageEntityId(page.id);
    // attempts counts this one: more than one means an earlier attempt may have reached the service.
    if (page.attempts > 1) {
      const existing = await this.existingIncident(page, entityId);
      if (typeof existing === 'string') {
        await this.finishDelivered(page, existing, 'incident already exists');
        return;
      }
      if (existing) {
        // Resending blind could open a second incident (the first may be resolved by now): wait.
        const error = `Klaxon could not check with ${serviceName(page.backend)} whether this page already arrived (${existing.error}); it will check again before resending.`;
        await this.retryLater(page, { ok: false, retryable: true, error });
        return;
      }
    }
    const started = this.clock.now();
    // The send must start early enough for its answer (within delivery.timeoutMs) to be recorded
    // under this lease: a send after that could race another worker's attempt at the same page.
    const sendBy = leaseEnd - this.deps.delivery.timeoutMs - DeliveryWorker.RECORD_MARGIN_MS;
    let result: SendAlertResult;
    try {
      result = await this.deps.backend.sendAlert(page, record.routingKey, { sendBy });
    } catch (e) {
      result = {
        ok: false,
        retryable: true,
        error: `Klaxon could not reach ${serviceName(page.backend)} (${(e as Error).message}); it will try again.`,
      };
    }
    if (result.ok) {
      this.deps.metrics.deliveryAttempts.inc({ outcome: 'delivered' });
      await this.finishDelivered(page, null, `sent in ${this.clock.now() - started} ms`);
      // The service took this alert: its other pages waiting out a backoff need not wait any longer.
      this.serviceAnswers('a page was delivered', DeliveryWorker.serviceOf(page));
      return;
    }
    if (result.notSentUntil !== undefined && this.clock.now() - Date.parse(page.createdAt) < this.giveUpMs) {
      await this.giveBack(page, result.notSentUntil, result.error);
      return;
    }
    this.deps.metrics.deliveryAttempts.inc({ outcome: result.retryable ? 'retryable_error' : 'refused' });
    await this.retryLater(page, result);
  }

  /**
   * Nothing was sent: the service's rate limit had no slot before this attempt's lease could run out.
   * This was no attempt (the page did not reach the service and no error came back), so the page goes
   * back as it was (queued, or failing with its last real error) and is due when the slot frees up;
   * its requester sees it queued with that next attempt, not a failure.
   */
  private async giveBack(page: Page, freeAt: number, why: string): Promise<void> {
    this.deps.metrics.deliveryAttempts.inc({ outcome: 'not_sent' });
    const updated = await this.deps.store.returnUnsentPage(page.id, this.owner, new Date(freeAt));
    if (!updated) return;
    this.log.info(
      { pageId: page.id, retryInMs: freeAt - this.clock.now(), reason: why },
      'page not sent yet: rate limit',
    );
    this.deps.onPage(updated);
  }

  /** A failed attempt: schedule the next one with backoff, or give up (refused, or too old). */
  private async retryLater(page: Page, result: { ok: false; retryable: boolean; error: string }): Promise<void> {
    const now = this.clock.now();
    const age = now - Date.parse(page.createdAt);
    const giveUp = !result.retryable || age >= this.giveUpMs;
    if (giveUp) {
      const reason = result.retryable
        ? `Klaxon stopped retrying after ${this.deps.delivery.giveUpAfterMinutes} minutes. ${result.error}`
        : result.error;
      const updated = await this.deps.store.updatePage(
        page.id,
        {
          status: 'failing',
          lastError: `${reason} Use a fallback contact to reach SRE.`,
          nextAttemptAt: null,
          gaveUpAt: new Date(now),
        },
        {
          onlyIfLeasedBy: this.owner,
          audit: {
            at: new Date(now),
            actorSub: null,
            actorName: null,
            action: 'page.gave_up',
            detail: { attempts: page.attempts, error: result.error },
          },
        },
      );
      if (updated) {
        this.log.error(
          { pageId: page.id, attempts: page.attempts, reason: result.error },
          'page delivery gave up: an operator must act',
        );
        // The page's text stays out; its id leads an operator to it (audit log, metrics).
        this.errors.message('A page could not be delivered to the paging service and Klaxon gave up', {
          where: 'delivery-worker',
          extra: { pageId: page.id, attempts: page.attempts, reason: result.error },
          sensitive: pageText(page),
        });
        this.deps.onPage(updated);
      }
      return;
    }
    let delay = Math.min(
      backoffDelayMs(
        page.attempts,
        { baseMs: this.deps.delivery.baseDelayMs, maxMs: this.deps.delivery.maxDelayMs, minMs: 50 },
        this.deps.random,
      ),
      Math.max(0, Date.parse(page.createdAt) + this.giveUpMs - now),
    );
    // Retries wait for the hub's first look at the service's incidents (waitingForFirstPoll): the
    // page says so, instead of promising an attempt that will not happen. The hub's first good
    // poll makes it due at once (serviceAnswers).
    if (this.waitingForFirstPoll().includes(DeliveryWorker.serviceOf(page)))
      delay = Math.max(delay, this.startedAt + this.firstPollWaitMs - now);
    const updated = await this.deps.store.updatePage(
      page.id,
      { status: 'failing', lastError: result.error, nextAttemptAt: new Date(now + delay) },
      { onlyIfLeasedBy: this.owner },
    );
    if (updated) {
      this.log.warn(
        { pageId: page.id, attempt: page.attempts, retryInMs: delay, reason: result.error },
        'page delivery attempt failed; will retry',
      );
      this.deps.onPage(updated);
    }
  }

  private async finishDelivered(page: Page, incidentNumber: string | null, note: string): Promise<void> {
    const now = new Date(this.clock.now());
    const updated = await this.deps.store.updatePage(
      page.id,
      {
        status: 'delivered',
        deliveredAt: now,
        lastError: null,
        nextAttemptAt: null,
        ...(incidentNumber ? { incidentNumber } : {}),
      },
      {
        onlyIfLeasedBy: this.owner,
        audit: {
          at: now,
          actorSub: null,
          actorName: null,
          action: 'page.delivered',
          detail: { attempts: page.attempts, note },
        },
      },
    );
    if (!updated) return; // the tracker saw the incident first
    this.log.info({ pageId: page.id, attempts: page.attempts, note }, 'page delivered to On-Call');
    this.deps.onPage(updated);
    // The service is eventually consistent: ask the hub to look now; the tracker keeps watching after.
    this.deps.incidents.refreshNow('page delivered').catch(() => undefined);
  }
}
