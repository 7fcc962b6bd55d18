import type { Page, PageStatus } from '#common/index.js';
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
  action: string;
  pageId: string | null;
  detail: Record<string, unknown>;
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
  /** Idempotency check, rate limit, page insert and audit entry: all or nothing, durable on return. */
  acceptPage(input: { record: PageRecord; rate: RateLimitRule; now: Date; audit: AuditEntry }): Promise<AcceptOutcome>;
  getPage(id: string): Promise<PageRecord | null>;
  pagesOf(sub: string, limit: number): Promise<Page[]>;
  /**
   * Pages due for delivery, claimed under a lease (status → delivering, attempts + 1). With
   * `neverAttemptedOnly`, only pages no earlier attempt may have sent.
   */
  claimDuePages(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
    opts?: { neverAttemptedOnly?: boolean },
  ): Promise<PageRecord[]>;
  /** Earliest time a not-yet-due page becomes due, or null when nothing is waiting. */
  nextDueAt(): Promise<Date | null>;
  /**
   * Makes every failing page that waits for a later attempt (and has not given up) due at `now`
   * (the paging service answers again); returns those pages as they now are.
   */
  makeFailingPagesDue(now: Date): Promise<Page[]>;
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
  /** Writes and reads back a probe row; false (with the reason) if storage cannot take writes. */
  checkWritable(): Promise<{ ok: boolean; error: string | null }>;
  close(): Promise<void>;
}
