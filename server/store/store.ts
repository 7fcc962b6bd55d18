import type { EscalationReason, IncidentBackend, Page, PageStatus } from '#common/index.js';
import type { RateLimitRule } from '../pages/rate-limit.js';
import type { LeaderFence } from '../cluster/leadership.js';

/** A page plus what only the server needs to deliver it. */
export interface PageRecord {
  page: Page;
  routingKey: string;
  idempotencyKey: string;
  requestHash: string;
}

export interface AuditEntry {
  at: Date;
  actorSub: string | null;
  actorName: string | null;
  /** The groups on the actor's token or session then (the access review shows them); absent: none recorded. */
  actorGroups?: string[] | null;
  action: string;
  pageId: string | null;
  detail: Record<string, unknown>;
}

/** An audit entry as stored: its id orders entries (newer is larger) and pages through them. */
export interface StoredAuditEntry extends AuditEntry {
  id: number;
  actorGroups: string[] | null;
}

/** What an auditor looks for; every field is optional and they combine. Newest first, `limit` at most. */
export interface AuditSearch {
  /** The actor's exact subject, or part of their name (any case). */
  person?: string;
  action?: string;
  /** At or after. */
  from?: Date;
  /** Before. */
  to?: Date;
  /** Only entries older than this id (the previous page's last). */
  beforeId?: number;
  limit: number;
}

/** One person's uses of the given actions, for the access review. */
export interface AuditActorUses {
  sub: string;
  /** Their last entry of those actions: name, groups, time and action as recorded then. */
  last: StoredAuditEntry;
  /** How many entries of each action they have. */
  counts: Record<string, number>;
}

export type AcceptOutcome =
  | { kind: 'created'; page: Page }
  | { kind: 'replay'; page: Page }
  | { kind: 'conflict'; page: Page }
  | { kind: 'rate_limited'; count: number; retryAfterSeconds: number };

export interface PagePatch {
  status?: PageStatus;
  lastError?: string | null;
  nextAttemptAt?: Date | null;
  gaveUpAt?: Date | null;
  incidentNumber?: string | null;
  ackedBy?: string | null;
  ackedAt?: Date | null;
  ackedByName?: string | null;
  deliveredAt?: Date | null;
  mutedAt?: Date | null;
  unconfirmedAt?: Date | null;
}

export interface WebSession {
  id: string;
  sub: string;
  name: string;
  email: string | null;
  groups: string[];
  username: string | null;
  csrfToken: string;
  accessExpiresAt: Date;
  refreshToken: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/**
 * A chat announcement to queue (server/chat/): one message for one configured channel. `key` names
 * the event (`page:<id>:paged`, `incident:<n>:escalated`); a second enqueue of the same channel and
 * key is ignored, which is what keeps an event from being announced twice.
 */
export interface NewAnnouncement {
  channel: string;
  key: string;
  text: string;
  /**
   * Whether the channel can take the same message again without showing it twice (Matrix: the
   * transaction id). When false, an attempt that may have been sent is never repeated.
   */
  resendSafe: boolean;
}

/** A queued announcement as claimed by the chat worker. */
export interface Announcement extends NewAnnouncement {
  id: number;
  createdAt: Date;
  /** Attempts including the one this claim starts. */
  attempts: number;
}

/** How an attempt to announce ended, recorded under the claimant's lease. */
export type AnnouncementOutcome =
  { kind: 'sent'; at: Date } | { kind: 'retry'; at: Date; error: string } | { kind: 'failed'; at: Date; error: string };

/** One channel's queue, for metrics: waiting, given up within the last day, the oldest waiting. */
export interface AnnouncementCounts {
  channel: string;
  pending: number;
  failedLastDay: number;
  oldestPendingAt: Date | null;
}

/** An acknowledgement made in Klaxon: who asked, and as which user of the paging service it was sent. */
export interface KlaxonAck {
  /** The incident's key (`common/incident-key.ts`): On-Call's bare number, `pagerduty:7`. */
  incidentNumber: string;
  personSub: string;
  personName: string;
  /**
   * The paging service's user it was sent as: the person's own, or the service user
   * (`oncall.ackAsUser`, `pagerduty.fromEmail`).
   */
  sentAs: string;
  at: Date;
}

/**
 * `sending`: claimed, the request may or may not have reached the service (never sent again);
 * `done`: the service accepted it; `refused`: it answered no; `failed`: no answer, outcome unknown.
 */
export type EscalationStatus = 'sending' | 'done' | 'refused' | 'failed';

/** Klaxon's one escalation of an incident to the fallback policy (server/escalation/). One per incident, ever. */
export interface EscalationRecord {
  incidentNumber: string;
  reason: EscalationReason;
  policy: string;
  policyName: string;
  /** The paging service's user the request is sent as. */
  asUser: string;
  /** The Klaxon page behind it (`page_unacknowledged`, `requested`). */
  pageId: string | null;
  requesterSub: string | null;
  requesterName: string | null;
  /** How long the page had waited (`page_unacknowledged`). */
  afterMinutes: number | null;
  status: EscalationStatus;
  /** The service's answer or the failure, when there is one. */
  message: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What the page tracker decides for one page, seen as stored: the change and its audit entry. */
export interface PageFollowUp {
  patch: PagePatch;
  audit: Omit<AuditEntry, 'pageId'>;
}

/**
 * Everything the server keeps durably. SQLite (sqlite-store.ts) implements it for one server,
 * PostgreSQL (postgres/postgres-store.ts) for several replicas on one database: every method is
 * asynchronous, claims use leases (not process memory), and each method is one transaction. One
 * suite checks both (test/integration/server/store/store-contract.test.ts).
 */
export interface KlaxonStore {
  /**
   * Idempotency check, rate limit, page insert and audit entry: all or nothing, durable on return.
   * `announcements` are queued in the same transaction when (and only when) the page is created.
   */
  acceptPage(input: {
    record: PageRecord;
    rate: RateLimitRule;
    now: Date;
    audit: AuditEntry;
    announcements?: readonly NewAnnouncement[];
  }): Promise<AcceptOutcome>;
  getPage(id: string): Promise<PageRecord | null>;
  pagesOf(sub: string, limit: number): Promise<Page[]>;
  /**
   * Pages due for delivery, claimed under a lease (status → delivering, attempts + 1). With
   * `retriesOf`, pages an earlier attempt may have sent only when they belong to one of these
   * services (`Page.backend`, On-Call when absent); pages never attempted are claimed whatever their service.
   */
  claimDuePages(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
    opts?: { retriesOf?: readonly IncidentBackend[] },
  ): Promise<PageRecord[]>;
  /** Earliest time a not-yet-due page becomes due, or null when nothing is waiting. */
  nextDueAt(): Promise<Date | null>;
  /**
   * Makes every failing page of `service` (`Page.backend`; On-Call for pages without one) that waits
   * for a later attempt (and has not given up) due at `now` (that paging service answers again);
   * returns those pages as they now are. Pages of other services keep their schedule.
   */
  makeFailingPagesDue(now: Date, service: IncidentBackend): Promise<Page[]>;
  /**
   * An attempt that sent nothing (the service's rate limit had no slot in time) gives its page back,
   * only while `owner` still holds the lease: the attempt is not counted (attempts - 1), the page is
   * `queued` again (`failing` when an earlier attempt failed, its `lastError` kept), due at
   * `nextAttemptAt`, the lease released. Returns the page as it now is, or null (lease lost).
   */
  returnUnsentPage(id: string, owner: string, nextAttemptAt: Date): Promise<Page | null>;
  /** Updates a page; with `onlyIfLeasedBy`, only while that owner still holds the lease. Returns the new page or null. */
  updatePage(
    id: string,
    patch: PagePatch,
    opts?: { onlyIfLeasedBy?: string; audit?: Omit<AuditEntry, 'pageId'> },
  ): Promise<Page | null>;
  /**
   * In one transaction, shows each page as stored to `decide` and applies what it returns (with its
   * audit entry); unknown ids are skipped. Returns the pages that changed, in the order given.
   * With `fence` (the leader's, several replicas), the transaction is refused with FencedOut
   * (server/cluster/leadership.ts) once another replica was elected: a stalled former leader
   * cannot write what it saw. One process (SQLite) is always the leader and has no fence.
   */
  followPages(
    ids: readonly string[],
    decide: (page: Page) => PageFollowUp | null,
    opts?: { fence?: LeaderFence },
  ): Promise<Page[]>;
  /** Ids of the pages of the last 7 days that are not final (for the tracker to match against incidents). */
  unfinishedPageIds(): Promise<string[]>;
  /**
   * Ids of delivered pages delivered before `deliveredBefore` whose incident has not been seen and that
   * are not marked unconfirmed yet (for the tracker to mark).
   */
  pagesAwaitingIncident(deliveredBefore: Date): Promise<string[]>;
  countByStatus(): Promise<Record<string, number>>;
  searchAudit(q: AuditSearch): Promise<StoredAuditEntry[]>;
  /** Everyone with an entry of one of `actions` (a person, not the server), with their last one and counts. */
  auditActorUses(actions: readonly string[]): Promise<AuditActorUses[]>;
  /** Deletes the audit entries from before `before` (retention); returns how many. */
  pruneAudit(before: Date): Promise<number>;
  createSession(s: WebSession): Promise<void>;
  getSession(id: string): Promise<WebSession | null>;
  /** Updates what the patch names, and ends a renewal claim (claimSessionRenewal) on the session. */
  updateSession(
    id: string,
    patch: { accessExpiresAt?: Date; refreshToken?: string | null; groups?: string[] },
  ): Promise<void>;
  /**
   * Takes the right to renew a web session with `refreshToken` for `leaseMs`: true for one caller at
   * a time across servers; false while another holds it, once the token has changed (another caller
   * renewed the session) or when the session is gone or revoked. updateSession ends the claim.
   */
  claimSessionRenewal(id: string, refreshToken: string, now: Date, leaseMs: number): Promise<boolean>;
  revokeSession(id: string, at: Date): Promise<void>;
  /** Queues announcements; one whose channel and key are already queued (or sent) is ignored. */
  enqueueAnnouncements(items: readonly NewAnnouncement[], now: Date): Promise<void>;
  /**
   * Claims, in queue order, the announcements of `channel` that are due, up to `limit`, under a
   * lease (attempts + 1): one claimant at a time across servers. An announcement waiting for a
   * retry holds back the later ones of its channel, so a channel shows events in order. First,
   * announcements that a claimant started to send and did not record (it stopped, or its lease ran
   * out) are settled: resent when `resendSafe`, otherwise marked failed and returned in `abandoned`.
   */
  claimAnnouncements(
    channel: string,
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<{ claimed: Announcement[]; abandoned: Announcement[] }>;
  /** Records that sending starts now; false (do not send) when `owner` no longer holds the lease. */
  startSendingAnnouncement(id: number, owner: string, now: Date): Promise<boolean>;
  /** Records how an attempt ended and releases the lease; false when `owner` no longer held it. */
  finishAnnouncement(id: number, owner: string, outcome: AnnouncementOutcome): Promise<boolean>;
  /** Per channel with anything queued in the last week. */
  announcementCounts(now: Date): Promise<AnnouncementCounts[]>;
  /** Records an acknowledgement made in Klaxon, with its audit entry. */
  recordAcknowledgement(ack: KlaxonAck, audit: AuditEntry): Promise<void>;
  /** Acknowledgements made in Klaxon at or after `since`, oldest first. */
  acknowledgementsSince(since: Date): Promise<KlaxonAck[]>;
  /**
   * Claims the one escalation of `e.incidentNumber` (inserted as given, with its audit entry).
   * False when the incident was ever claimed before, by this server or another replica. With
   * `fence` (the escalator's, as leader), refused with FencedOut once another replica was elected.
   */
  claimEscalation(e: EscalationRecord, audit: AuditEntry, opts?: { fence?: LeaderFence }): Promise<boolean>;
  /** Records how a claimed escalation ended; null when there is no claim for the incident. `fence`: as claimEscalation. */
  settleEscalation(
    incidentNumber: string,
    outcome: { status: Exclude<EscalationStatus, 'sending'>; message: string | null; at: Date },
    audit: AuditEntry,
    opts?: { fence?: LeaderFence },
  ): Promise<EscalationRecord | null>;
  /** Drops a claim still `sending` whose request certainly never reached the service, so it may be made again. */
  releaseEscalation(incidentNumber: string, audit: AuditEntry): Promise<void>;
  /** Escalations claimed at or after `since`, oldest first. */
  escalationsSince(since: Date): Promise<EscalationRecord[]>;
  /** One audit entry on its own (what a job decided or could not do). */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Writes and reads back a probe row; false (with the reason) if storage cannot take writes. */
  checkWritable(): Promise<{ ok: boolean; error: string | null }>;
  close(): Promise<void>;
}
