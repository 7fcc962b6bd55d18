// One suite for every KlaxonStore implementation (server/store/store.ts): SQLite and PostgreSQL
// must answer each method the same way. Covers every method of the interface, transactions (all or
// nothing), delivery leases, the rate limit, idempotency, web sessions and pruning, and two stores
// on one database (as two servers would have) racing for the same pages.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncidentBackend, Page } from '#common/index.js';
import type { AuditEntry, KlaxonStore, PageRecord, WebSession } from '#server/store/store.js';
import * as build from '#test/support/builders.js';
import { postgresKind, sqliteKind, type StoreDatabase } from '#test/support/store-harness.js';

const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;
const LEASE = 10 * SECOND;

/** A page as `POST /api/v1/pages` would accept it, from `sub`, created at `at`. */
function record(opts: {
  sub?: string;
  at: Date;
  key?: string;
  hash?: string;
  summary?: string;
  backend?: IncidentBackend;
}): PageRecord {
  const iso = opts.at.toISOString();
  const id = crypto.randomUUID();
  const sub = opts.sub ?? 'alice';
  const page: Page = build.page({
    id,
    requester: { sub, name: `Name of ${sub}`, email: `${sub}@klaxon.test` },
    summary: opts.summary ?? 'Database is down',
    details: 'Line one\nLine two',
    nextAttemptAt: iso,
    createdAt: iso,
    updatedAt: iso,
    mutedAt: null,
    unconfirmedAt: null,
    ...(opts.backend ? { backend: opts.backend } : {}),
  });
  const key = opts.key ?? `key-${id}`;
  return { page, routingKey: 'sre-routing', idempotencyKey: key, requestHash: opts.hash ?? `hash-${key}` };
}

const audit = (at: Date, action = 'page.accepted'): AuditEntry => ({
  at,
  actorSub: 'alice',
  actorName: 'Alice',
  action,
  pageId: null,
  detail: { ip: '127.0.0.1', nested: { ok: true } },
});

function session(id: string, over: Partial<WebSession> = {}): WebSession {
  return {
    id,
    sub: 'alice',
    name: 'Alice',
    email: 'alice@klaxon.test',
    groups: ['sre', 'staff'],
    username: 'alice',
    csrfToken: `csrf-${id}`,
    accessExpiresAt: new Date(Date.now() + 3600 * SECOND),
    refreshToken: `rt-${id}`,
    createdAt: new Date(Date.now() - 60 * SECOND),
    revokedAt: null,
    ...over,
  };
}

describe.each([sqliteKind(), postgresKind()])('$name store', (kind) => {
  let db: StoreDatabase;
  let store: KlaxonStore;
  /** "Now" for the test: recent (the store keeps 7 days of unfinished pages), whole milliseconds. */
  let t0: Date;
  const at = (ms: number) => new Date(t0.getTime() + ms);

  async function accept(
    opts: Parameters<typeof record>[0] & { rateMax?: number; windowSeconds?: number },
    s: KlaxonStore = store,
  ) {
    const r = record(opts);
    const outcome = await s.acceptPage({
      record: r,
      rate: { max: opts.rateMax ?? 100, windowSeconds: opts.windowSeconds ?? 600 },
      now: opts.at,
      audit: audit(opts.at),
    });
    return { record: r, outcome };
  }

  async function acceptCreated(opts: Parameters<typeof record>[0]): Promise<Page> {
    const { outcome } = await accept(opts);
    if (outcome.kind !== 'created') throw new Error(`expected created, got ${outcome.kind}`);
    return outcome.page;
  }

  const count = async (table: string) =>
    Number((await db.rows<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);
  const auditActions = async (pageId: string) =>
    (await db.rows<{ action: string; page_id: string }>('SELECT action, page_id FROM audit_log ORDER BY id'))
      .filter((r) => r.page_id === pageId)
      .map((r) => r.action);

  afterAll(() => kind.tearDown());
  beforeEach(async () => {
    t0 = new Date(Date.now() - 3600 * SECOND);
    db = await kind.database();
    store = await db.open();
  });
  afterEach(() => db?.close());

  describe('accepting a page', () => {
    it('stores the page durably with everything the worker needs, visible to another store on the database', async () => {
      const { record: r, outcome } = await accept({ at: t0 });
      expect(outcome).toEqual({ kind: 'created', page: r.page });
      const other = await db.open();
      expect(await other.getPage(r.page.id)).toEqual(r);
      expect(await auditActions(r.page.id)).toEqual(['page.accepted']);
    });

    it('keeps the paging service a page went to (PagerDuty); a page without one (On-Call) reads back without it', async () => {
      const r = record({ at: t0 });
      const pd: PageRecord = { ...r, page: { ...r.page, backend: 'pagerduty' } };
      const outcome = await store.acceptPage({
        record: pd,
        rate: { max: 100, windowSeconds: 600 },
        now: t0,
        audit: audit(t0),
      });
      expect(outcome).toEqual({ kind: 'created', page: pd.page });
      expect((await (await db.open()).getPage(pd.page.id))?.page.backend).toBe('pagerduty');
      const { record: oc } = await accept({ at: at(SECOND) });
      expect((await store.getPage(oc.page.id))?.page).not.toHaveProperty('backend');
    });

    it('answers a replay (same key, same request) with the stored page, and a conflict for another request', async () => {
      const first = await acceptCreated({ at: t0, key: 'key-0123456789abcdef', hash: 'h1' });
      const replay = await accept({ at: at(SECOND), key: 'key-0123456789abcdef', hash: 'h1', summary: 'ignored' });
      expect(replay.outcome).toEqual({ kind: 'replay', page: first });
      const conflict = await accept({ at: at(SECOND), key: 'key-0123456789abcdef', hash: 'h2' });
      expect(conflict.outcome).toEqual({ kind: 'conflict', page: first });
      // Keys belong to a person: Bob may use the same one.
      expect((await accept({ at: at(SECOND), sub: 'bob', key: 'key-0123456789abcdef' })).outcome.kind).toBe('created');
      expect(await count('pages')).toBe(2);
      expect(await count('rate_events')).toBe(2);
    });

    it('limits each person to `max` pages per sliding window, and says when they may page again', async () => {
      const rate = { rateMax: 2, windowSeconds: 60 };
      expect((await accept({ at: t0, ...rate })).outcome.kind).toBe('created');
      expect((await accept({ at: at(10 * SECOND), ...rate })).outcome.kind).toBe('created');
      expect((await accept({ at: at(10 * SECOND), sub: 'bob', ...rate })).outcome.kind).toBe('created');
      const limited = await accept({ at: at(20 * SECOND), ...rate });
      expect(limited.outcome).toEqual({ kind: 'rate_limited', count: 2, retryAfterSeconds: 40 });
      expect(await store.getPage(limited.record.page.id)).toBeNull();
      // The first page has left the window 60 s after it was sent.
      expect((await accept({ at: at(61 * SECOND), ...rate })).outcome.kind).toBe('created');
    });

    it('does not count replays against the limit', async () => {
      const rate = { rateMax: 1, windowSeconds: 60 };
      await accept({ at: t0, key: 'key-replayed-0123456', hash: 'h', ...rate });
      for (let i = 1; i <= 3; i++)
        expect(
          (await accept({ at: at(i * SECOND), key: 'key-replayed-0123456', hash: 'h', ...rate })).outcome.kind,
        ).toBe('replay');
      expect(await count('rate_events')).toBe(1);
    });

    it('is all or nothing: a page that cannot be inserted leaves no rate event and no audit entry', async () => {
      const first = await acceptCreated({ at: t0 });
      const clash = record({ at: at(SECOND) });
      clash.page = { ...clash.page, id: first.id }; // the same id under another key: the insert fails
      await expect(
        store.acceptPage({ record: clash, rate: { max: 100, windowSeconds: 600 }, now: at(SECOND), audit: audit(t0) }),
      ).rejects.toThrow();
      expect(await count('rate_events')).toBe(1);
      expect(await count('audit_log')).toBe(1);
      // The store is still usable after the failed transaction.
      expect((await accept({ at: at(2 * SECOND) })).outcome.kind).toBe('created');
    });
  });

  describe('reading pages', () => {
    it('getPage: null for an unknown id', async () => {
      expect(await store.getPage(crypto.randomUUID())).toBeNull();
    });

    it("pagesOf: one person's pages, newest first (insertion order within a millisecond), at most `limit`", async () => {
      const a = await acceptCreated({ at: t0, summary: 'a' });
      const b = await acceptCreated({ at: at(SECOND), summary: 'b' });
      const c = await acceptCreated({ at: at(SECOND), summary: 'c' });
      await acceptCreated({ at: at(2 * SECOND), sub: 'bob' });
      expect((await store.pagesOf('alice', 10)).map((p) => p.summary)).toEqual(['c', 'b', 'a']);
      expect(await store.pagesOf('alice', 2)).toEqual([c, b]);
      expect(await store.pagesOf('nobody', 10)).toEqual([]);
      expect(a.requester.sub).toBe('alice');
    });

    it('unfinishedPageIds: pages of the last 7 days not resolved, oldest first', async () => {
      const old = await acceptCreated({ at: new Date(Date.now() - 8 * DAY) });
      const first = await acceptCreated({ at: t0 });
      const resolved = await acceptCreated({ at: at(SECOND) });
      const acked = await acceptCreated({ at: at(2 * SECOND) });
      await store.updatePage(resolved.id, { status: 'resolved' });
      await store.updatePage(acked.id, { status: 'acknowledged', ackedBy: 'carol', ackedAt: at(3 * SECOND) });
      expect(await store.unfinishedPageIds()).toEqual([first.id, acked.id]);
      expect(old.id).not.toBe(first.id);
    });

    it('pagesAwaitingIncident: delivered pages without an incident, delivered by then and not marked unconfirmed, oldest first', async () => {
      const [early, late, withIncident, marked] = [
        await acceptCreated({ at: t0 }),
        await acceptCreated({ at: at(SECOND) }),
        await acceptCreated({ at: at(2 * SECOND) }),
        await acceptCreated({ at: at(3 * SECOND) }),
      ];
      await acceptCreated({ at: at(4 * SECOND) }); // still queued: never listed
      await store.updatePage(late.id, { status: 'delivered', deliveredAt: at(60 * SECOND) });
      await store.updatePage(early.id, { status: 'delivered', deliveredAt: at(10 * SECOND) });
      await store.updatePage(withIncident.id, { status: 'delivered', deliveredAt: t0, incidentNumber: '7' });
      await store.updatePage(marked.id, { status: 'delivered', deliveredAt: t0, unconfirmedAt: at(30 * SECOND) });
      expect(await store.pagesAwaitingIncident(at(9 * SECOND))).toEqual([]);
      expect(await store.pagesAwaitingIncident(at(10 * SECOND))).toEqual([early.id]);
      expect(await store.pagesAwaitingIncident(at(60 * SECOND))).toEqual([early.id, late.id]);
    });

    it('countByStatus: pages per status, given-up pages counted apart', async () => {
      expect(await store.countByStatus()).toEqual({});
      const a = await acceptCreated({ at: t0 });
      await acceptCreated({ at: t0 });
      const c = await acceptCreated({ at: t0 });
      await store.updatePage(a.id, { status: 'delivered', deliveredAt: t0 });
      await store.updatePage(c.id, { status: 'failing', gaveUpAt: t0, nextAttemptAt: null });
      expect(await store.countByStatus()).toEqual({ queued: 1, delivered: 1, gave_up: 1 });
    });
  });

  describe('delivery leases', () => {
    it('claims due pages oldest first: delivering, one more attempt, leased to the claimer', async () => {
      const a = await acceptCreated({ at: t0 });
      const b = await acceptCreated({ at: at(SECOND) });
      const now = at(2 * SECOND);
      const claimed = await store.claimDuePages('worker-a', now, LEASE, 10);
      expect(claimed.map((r) => r.page.id)).toEqual([a.id, b.id]);
      expect(claimed[0]!.page).toMatchObject({ status: 'delivering', attempts: 1, nextAttemptAt: null });
      expect(claimed[0]!.routingKey).toBe('sre-routing');
      expect(claimed[0]!.page.updatedAt).toBe(now.toISOString());
      // Leased: nobody gets them again until the lease runs out.
      expect(await store.claimDuePages('worker-b', at(3 * SECOND), LEASE, 10)).toEqual([]);
      expect(await store.nextDueAt()).toEqual(new Date(now.getTime() + LEASE));
    });

    it('gives a page whose lease ran out (its worker died) to the next claimer, with the attempt counted', async () => {
      const a = await acceptCreated({ at: t0 });
      await store.claimDuePages('worker-a', t0, LEASE, 10);
      const again = await store.claimDuePages('worker-b', at(LEASE + 1), LEASE, 10);
      expect(again.map((r) => [r.page.id, r.page.attempts])).toEqual([[a.id, 2]]);
      // The dead worker's late outcome no longer applies; the new holder's does.
      expect(await store.updatePage(a.id, { status: 'delivered' }, { onlyIfLeasedBy: 'worker-a' })).toBeNull();
      expect((await store.updatePage(a.id, { status: 'delivered' }, { onlyIfLeasedBy: 'worker-b' }))?.status).toBe(
        'delivered',
      );
    });

    it('claims at most `limit`, only pages that are due, never given-up ones', async () => {
      const pages = [];
      for (let i = 0; i < 4; i++) pages.push(await acceptCreated({ at: at(i) }));
      await store.updatePage(pages[0]!.id, { status: 'failing', nextAttemptAt: at(60 * SECOND) });
      await store.updatePage(pages[1]!.id, { status: 'failing', gaveUpAt: t0, nextAttemptAt: null });
      const long = 600 * SECOND;
      const claimed = await store.claimDuePages('w', at(SECOND), long, 1);
      expect(claimed.map((r) => r.page.id)).toEqual([pages[2]!.id]);
      expect((await store.claimDuePages('w', at(SECOND), long, 10)).map((r) => r.page.id)).toEqual([pages[3]!.id]);
      expect((await store.claimDuePages('w', at(61 * SECOND), LEASE, 10)).map((r) => r.page.id)).toEqual([
        pages[0]!.id,
      ]);
    });

    it('with retriesOf, claims pages an earlier attempt may have sent only of those services', async () => {
      const tried = await acceptCreated({ at: t0 });
      const triedPd = await acceptCreated({ at: at(1), backend: 'pagerduty' });
      expect(await store.claimDuePages('w', at(1), LEASE, 10)).toHaveLength(2);
      for (const p of [tried, triedPd])
        await store.updatePage(p.id, { status: 'failing', nextAttemptAt: t0 }, { onlyIfLeasedBy: 'w' });
      const fresh = await acceptCreated({ at: at(2), backend: 'pagerduty' });
      const none = await store.claimDuePages('w', at(SECOND), LEASE, 10, { retriesOf: [] });
      expect(none.map((r) => r.page.id)).toEqual([fresh.id]);
      // PagerDuty's list is known, On-Call's is not yet: only the PagerDuty retry goes.
      const pd = await store.claimDuePages('w', at(SECOND), LEASE, 10, { retriesOf: ['pagerduty'] });
      expect(pd.map((r) => r.page.id)).toEqual([triedPd.id]);
      expect((await store.claimDuePages('w', at(SECOND), LEASE, 10)).map((r) => r.page.id)).toEqual([tried.id]);
    });

    it('returnUnsentPage: an attempt that sent nothing is not counted, and the page waits for its slot', async () => {
      const failed = await acceptCreated({ at: t0, backend: 'pagerduty' });
      await store.claimDuePages('w', t0, LEASE, 10);
      await store.updatePage(
        failed.id,
        { status: 'failing', lastError: 'PagerDuty is having problems (HTTP 500).', nextAttemptAt: t0 },
        { onlyIfLeasedBy: 'w' },
      );
      const fresh = await acceptCreated({ at: at(1), backend: 'pagerduty' });
      const claimed = await store.claimDuePages('w2', at(SECOND), LEASE, 10);
      expect(claimed.map((r) => [r.page.id, r.page.attempts])).toEqual([
        [failed.id, 2],
        [fresh.id, 1],
      ]);
      const slot = at(4 * SECOND);
      // Only the lease holder gives a page back.
      expect(await store.returnUnsentPage(fresh.id, 'w', slot)).toBeNull();
      // Not counted: each page is as it was before this claim (queued, or failing with its last
      // real error), due at the slot.
      const back = await store.returnUnsentPage(fresh.id, 'w2', slot);
      expect(back).toMatchObject({ status: 'queued', attempts: 0, lastError: null, nextAttemptAt: slot.toISOString() });
      expect((await store.getPage(fresh.id))?.page).toEqual(back);
      expect(await store.returnUnsentPage(failed.id, 'w2', slot)).toMatchObject({
        status: 'failing',
        attempts: 1,
        lastError: 'PagerDuty is having problems (HTTP 500).',
        nextAttemptAt: slot.toISOString(),
      });
      expect(await store.nextDueAt()).toEqual(slot);
      expect(await store.claimDuePages('w3', at(2 * SECOND), LEASE, 10)).toEqual([]);
      // The lease is released: the next worker takes both at the slot.
      expect((await store.claimDuePages('w3', slot, LEASE, 10)).map((r) => r.page.id)).toEqual([failed.id, fresh.id]);
    });
  });

  describe('the paging service answers again', () => {
    it('makeFailingPagesDue: failing pages waiting for a later attempt become due now; given-up and due ones stay', async () => {
      const waiting = await acceptCreated({ at: t0 });
      const gaveUp = await acceptCreated({ at: t0 });
      const due = await acceptCreated({ at: t0 });
      const queued = await acceptCreated({ at: t0 });
      await store.updatePage(waiting.id, { status: 'failing', nextAttemptAt: at(60 * SECOND) });
      await store.updatePage(gaveUp.id, { status: 'failing', nextAttemptAt: at(60 * SECOND), gaveUpAt: t0 });
      await store.updatePage(due.id, { status: 'failing', nextAttemptAt: at(5 * SECOND) });
      const now = at(10 * SECOND);
      const made = await store.makeFailingPagesDue(now, 'oncall');
      expect(made.map((p) => [p.id, p.status, p.nextAttemptAt])).toEqual([[waiting.id, 'failing', now.toISOString()]]);
      expect((await store.getPage(waiting.id))?.page).toEqual(made[0]);
      expect((await store.getPage(gaveUp.id))?.page.nextAttemptAt).toBe(at(60 * SECOND).toISOString());
      expect((await store.getPage(due.id))?.page.nextAttemptAt).toBe(at(5 * SECOND).toISOString());
      expect((await store.getPage(queued.id))?.page.status).toBe('queued');
      // Now due: the worker claims it at once; a second call finds nothing left to move.
      expect((await store.claimDuePages('w', now, LEASE, 10)).map((r) => r.page.id).sort()).toEqual(
        [waiting.id, due.id, queued.id].sort(),
      );
      expect(await store.makeFailingPagesDue(now, 'oncall')).toEqual([]);
    });

    it("makeFailingPagesDue: only the pages of the service that answers again; another service's keep waiting", async () => {
      const onCall = await acceptCreated({ at: t0 });
      const onCallNamed = await acceptCreated({ at: at(1), backend: 'oncall' });
      const pd = await acceptCreated({ at: at(2), backend: 'pagerduty' });
      for (const p of [onCall, onCallNamed, pd])
        await store.updatePage(p.id, { status: 'failing', nextAttemptAt: at(60 * SECOND) });
      const now = at(10 * SECOND);
      expect((await store.makeFailingPagesDue(now, 'pagerduty')).map((p) => p.id)).toEqual([pd.id]);
      expect((await store.getPage(onCall.id))?.page.nextAttemptAt).toBe(at(60 * SECOND).toISOString());
      // Pages written before PagerDuty (no backend) are On-Call's.
      expect((await store.makeFailingPagesDue(now, 'oncall')).map((p) => p.id)).toEqual([onCall.id, onCallNamed.id]);
    });
  });

  describe('updating pages', () => {
    it('applies a patch, clears the lease when the page leaves delivering, and writes the audit entry', async () => {
      const a = await acceptCreated({ at: t0 });
      await store.claimDuePages('w', t0, LEASE, 1);
      const updated = await store.updatePage(
        a.id,
        {
          status: 'failing',
          lastError: 'On-Call did not answer',
          nextAttemptAt: at(5 * SECOND),
          incidentNumber: '42',
        },
        { onlyIfLeasedBy: 'w', audit: { ...audit(t0, 'page.retry'), actorSub: null, actorName: null } },
      );
      expect(updated).toMatchObject({
        status: 'failing',
        attempts: 1,
        lastError: 'On-Call did not answer',
        nextAttemptAt: at(5 * SECOND).toISOString(),
        incidentNumber: '42',
      });
      expect(await auditActions(a.id)).toEqual(['page.accepted', 'page.retry']);
      // No lease any more: claimable by anyone once due.
      expect((await store.claimDuePages('other', at(5 * SECOND), LEASE, 1)).map((r) => r.page.id)).toEqual([a.id]);
    });

    it('sets and clears every patchable field', async () => {
      const a = await acceptCreated({ at: t0 });
      const all = await store.updatePage(a.id, {
        status: 'acknowledged',
        lastError: 'x',
        nextAttemptAt: at(1),
        gaveUpAt: at(2),
        incidentNumber: '7',
        ackedBy: 'carol',
        ackedAt: at(3),
        deliveredAt: at(4),
        mutedAt: at(5),
        unconfirmedAt: at(6),
      });
      expect(all).toMatchObject({
        status: 'acknowledged',
        lastError: 'x',
        nextAttemptAt: at(1).toISOString(),
        gaveUpAt: at(2).toISOString(),
        incidentNumber: '7',
        ackedBy: 'carol',
        ackedAt: at(3).toISOString(),
        deliveredAt: at(4).toISOString(),
        mutedAt: at(5).toISOString(),
        unconfirmedAt: at(6).toISOString(),
      });
      const cleared = await store.updatePage(a.id, {
        lastError: null,
        nextAttemptAt: null,
        gaveUpAt: null,
        incidentNumber: null,
        ackedBy: null,
        ackedAt: null,
        deliveredAt: null,
        mutedAt: null,
        unconfirmedAt: null,
      });
      expect(cleared).toMatchObject({
        status: 'acknowledged',
        lastError: null,
        nextAttemptAt: null,
        gaveUpAt: null,
        incidentNumber: null,
        ackedBy: null,
        ackedAt: null,
        deliveredAt: null,
        mutedAt: null,
        unconfirmedAt: null,
      });
      expect((await store.getPage(a.id))?.page).toEqual(cleared);
    });

    it('returns null and changes nothing for an unknown page, or a lease held by another worker', async () => {
      expect(await store.updatePage(crypto.randomUUID(), { status: 'delivered' })).toBeNull();
      const a = await acceptCreated({ at: t0 });
      expect(await store.updatePage(a.id, { status: 'delivered' }, { onlyIfLeasedBy: 'w' })).toBeNull();
      await store.claimDuePages('w', t0, LEASE, 1);
      expect(
        await store.updatePage(
          a.id,
          { status: 'delivered' },
          { onlyIfLeasedBy: 'someone-else', audit: audit(t0, 'page.delivered') },
        ),
      ).toBeNull();
      expect((await store.getPage(a.id))?.page.status).toBe('delivering');
      expect(await auditActions(a.id)).toEqual(['page.accepted']);
    });
  });

  describe('following pages (the tracker)', () => {
    it('shows each stored page to `decide` and applies its answer with the audit entry, in the order given', async () => {
      const a = await acceptCreated({ at: t0 });
      const b = await acceptCreated({ at: at(1) });
      const c = await acceptCreated({ at: at(2) });
      const seen: string[] = [];
      const changed = await store.followPages([c.id, crypto.randomUUID(), a.id, b.id], (page) => {
        seen.push(page.id);
        if (page.id === b.id) return null;
        return {
          patch: { status: 'delivered', incidentNumber: page.id === a.id ? '1' : '3', deliveredAt: t0 },
          audit: { ...audit(t0, 'page.delivered'), actorSub: null },
        };
      });
      expect(seen).toEqual([c.id, a.id, b.id]);
      expect(changed.map((p) => [p.id, p.status, p.incidentNumber])).toEqual([
        [c.id, 'delivered', '3'],
        [a.id, 'delivered', '1'],
      ]);
      expect((await store.getPage(b.id))?.page.status).toBe('queued');
      expect(await auditActions(a.id)).toEqual(['page.accepted', 'page.delivered']);
      expect(await store.followPages([], () => null)).toEqual([]);
    });

    it('is one transaction: when `decide` throws, nothing of the batch is applied', async () => {
      const a = await acceptCreated({ at: t0 });
      const b = await acceptCreated({ at: at(1) });
      await expect(
        store.followPages([a.id, b.id], (page) => {
          if (page.id === b.id) throw new Error('boom');
          return { patch: { status: 'delivered' }, audit: audit(t0, 'page.delivered') };
        }),
      ).rejects.toThrow('boom');
      expect((await store.getPage(a.id))?.page.status).toBe('queued');
      expect(await auditActions(a.id)).toEqual(['page.accepted']);
    });
  });

  describe('web sessions', () => {
    it('keeps a session as created', async () => {
      const s = session('s1', { email: null, username: null });
      await store.createSession(s);
      expect(await store.getSession('s1')).toEqual(s);
      expect(await store.getSession('unknown')).toBeNull();
    });

    it('updates only what the patch names (a refresh token may be set to null)', async () => {
      const s = session('s2');
      await store.createSession(s);
      const later = new Date(Date.now() + 7200 * SECOND);
      await store.updateSession('s2', { accessExpiresAt: later });
      expect(await store.getSession('s2')).toEqual({ ...s, accessExpiresAt: later });
      await store.updateSession('s2', { refreshToken: 'rt-rotated', groups: ['staff'] });
      expect(await store.getSession('s2')).toEqual({
        ...s,
        accessExpiresAt: later,
        refreshToken: 'rt-rotated',
        groups: ['staff'],
      });
      await store.updateSession('s2', { refreshToken: null });
      expect((await store.getSession('s2'))?.refreshToken).toBeNull();
      await store.updateSession('unknown', { refreshToken: 'x' });
      expect(await store.getSession('unknown')).toBeNull();
    });

    it('revokes once: the time of the first sign-out stays, the refresh token goes', async () => {
      await store.createSession(session('s3'));
      const first = new Date(Date.now() - SECOND);
      await store.revokeSession('s3', first);
      await store.revokeSession('s3', new Date());
      expect(await store.getSession('s3')).toMatchObject({ revokedAt: first, refreshToken: null });
    });

    it('lets one caller at a time, on any store, claim the renewal of a session with its refresh token', async () => {
      await store.createSession(session('s5'));
      const other = await db.open();
      const now = new Date();
      expect(await store.claimSessionRenewal('s5', 'rt-s5', now, 10 * SECOND)).toBe(true);
      expect(await store.claimSessionRenewal('s5', 'rt-s5', now, 10 * SECOND)).toBe(false);
      expect(await other.claimSessionRenewal('s5', 'rt-s5', new Date(now.getTime() + 9 * SECOND), SECOND)).toBe(false);
      // A claim whose holder died ends with its lease.
      expect(await other.claimSessionRenewal('s5', 'rt-s5', new Date(now.getTime() + 10 * SECOND), SECOND)).toBe(true);
      // The renewal's update ends the claim; the old token can no longer be claimed, the new one can.
      await other.updateSession('s5', {
        accessExpiresAt: new Date(Date.now() + 3600 * SECOND),
        refreshToken: 'rt-new',
      });
      expect(await store.claimSessionRenewal('s5', 'rt-s5', now, 10 * SECOND)).toBe(false);
      expect(await store.claimSessionRenewal('s5', 'rt-new', now, 10 * SECOND)).toBe(true);
      // An update with an empty patch (a renewal that failed for now) ends the claim too.
      await store.updateSession('s5', {});
      expect(await other.claimSessionRenewal('s5', 'rt-new', now, 10 * SECOND)).toBe(true);
      expect((await store.getSession('s5'))?.refreshToken).toBe('rt-new');
      await store.revokeSession('s5', new Date());
      expect(await store.claimSessionRenewal('s5', 'rt-new', new Date(now.getTime() + 60 * SECOND), SECOND)).toBe(
        false,
      );
      expect(await store.claimSessionRenewal('unknown', 'rt', now, SECOND)).toBe(false);
    });

    it('is the same session for every store on the database (another server answers the next request)', async () => {
      await store.createSession(session('s4'));
      const other = await db.open();
      expect((await other.getSession('s4'))?.csrfToken).toBe('csrf-s4');
      await other.revokeSession('s4', new Date());
      expect((await store.getSession('s4'))?.revokedAt).not.toBeNull();
    });
  });

  describe('pruning', () => {
    it('drops rate events older than a day as pages are accepted', async () => {
      await acceptCreated({ at: new Date(Date.now() - 2 * DAY) });
      expect(await count('rate_events')).toBe(1);
      await acceptCreated({ at: new Date() });
      expect(await count('rate_events')).toBe(1);
    });

    it('deletes signed-out and expired non-renewable sessions, keeps usable ones', async () => {
      const past = new Date(Date.now() - 2 * DAY);
      await store.createSession(session('revoked'));
      await store.revokeSession('revoked', new Date());
      await store.createSession(session('expired', { accessExpiresAt: past, refreshToken: null }));
      await store.createSession(session('renewable', { accessExpiresAt: past }));
      await store.createSession(session('live', { refreshToken: null }));
      await acceptCreated({ at: new Date() });
      expect(await store.getSession('revoked')).toBeNull();
      expect(await store.getSession('expired')).toBeNull();
      expect((await store.getSession('renewable'))?.refreshToken).toBe('rt-renewable');
      expect(await store.getSession('live')).not.toBeNull();
    });
  });

  it('close: may be called twice; what was committed stays for the next store', async () => {
    const page = await acceptCreated({ at: t0 });
    await store.close();
    await store.close();
    expect((await (await db.open()).getPage(page.id))?.page).toEqual(page);
  });

  it('checkWritable: writes and reads back a probe', async () => {
    expect(await store.checkWritable()).toEqual({ ok: true, error: null });
    expect(await store.checkWritable()).toEqual({ ok: true, error: null });
  });

  describe('two stores on one database (two servers)', () => {
    it('claim each page exactly once when they race for the same pages', async () => {
      const other = await db.open();
      const ids = new Set<string>();
      for (let i = 0; i < 40; i++) ids.add((await acceptCreated({ at: at(i) })).id);
      const claims = { a: [] as string[], b: [] as string[] };
      const worker = async (s: KlaxonStore, name: 'a' | 'b') => {
        for (let round = 0; round < 30; round++) {
          const got = await s.claimDuePages(`worker-${name}`, at(SECOND), 60 * SECOND, 3);
          claims[name].push(...got.map((r) => r.page.id));
          if (got.length === 0 && claims.a.length + claims.b.length >= ids.size) return;
        }
      };
      await Promise.all([worker(store, 'a'), worker(other, 'b'), worker(store, 'a'), worker(other, 'b')]);
      const all = [...claims.a, ...claims.b];
      expect(all).toHaveLength(ids.size);
      expect(new Set(all)).toEqual(ids);
    });

    it('accept a page sent to both at once (same key) once, and apply one rate limit to both', async () => {
      const other = await db.open();
      const r = record({ at: t0, key: 'key-sent-twice-0123' });
      const both = await Promise.all(
        [store, other, store, other].map((s) =>
          s.acceptPage({ record: r, rate: { max: 10, windowSeconds: 600 }, now: t0, audit: audit(t0) }),
        ),
      );
      expect(both.map((o) => o.kind).sort()).toEqual(['created', 'replay', 'replay', 'replay']);
      const rate = { max: 3, windowSeconds: 600 };
      const burst = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? store : other).acceptPage({
            record: record({ at: t0, sub: 'bob' }),
            rate,
            now: t0,
            audit: audit(t0),
          }),
        ),
      );
      expect(burst.filter((o) => o.kind === 'created')).toHaveLength(3);
      expect(burst.filter((o) => o.kind === 'rate_limited')).toHaveLength(5);
    });
  });
});
