// The chat announcement queue (server/store/store.ts), on both stores (SQLite and PostgreSQL, part
// of the shared store suite): queued with the page in one transaction, never twice per channel and
// event, one claimant at a time across stores on one database (two replicas), in order, and an
// attempt cut off mid-send settled as the channel allows (resent only where it deduplicates).
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KlaxonStore, NewAnnouncement } from '#server/store/store.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';
import { postgresKind, sqliteKind, type StoreDatabase } from '#test/support/store-harness.js';

const T0 = new Date('2026-03-01T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 30_000;
const item = (key: string, over: Partial<NewAnnouncement> = {}): NewAnnouncement => ({
  channel: 'irc',
  key,
  text: `text of ${key}`,
  resendSafe: false,
  ...over,
});
const keys = (r: { claimed: { key: string }[] }) => r.claimed.map((a) => a.key);

describe.each([sqliteKind(), postgresKind()])('the chat announcement queue ($name store)', (kind) => {
  let db: StoreDatabase;
  let store: KlaxonStore;
  afterAll(() => kind.tearDown());
  beforeEach(async () => {
    db = await kind.database();
    store = await db.open();
  });
  afterEach(() => db?.close());

  it("queues a page's announcements with the page, and not again when the same request is replayed", async () => {
    const announcements = [item('page:1:paged'), item('page:1:paged', { channel: 'slack' })];
    const first = await acceptQueuedPage(store, { key: 'key-replayed-0001', at: T0, announcements });
    expect(first.outcome.kind).toBe('created');
    const replay = await acceptQueuedPage(store, { key: 'key-replayed-0001', at: T0, announcements });
    expect(replay.outcome.kind).toBe('replay');
    const irc = await store.claimAnnouncements('irc', 'a', T0, LEASE, 10);
    const slack = await store.claimAnnouncements('slack', 'a', T0, LEASE, 10);
    expect(keys(irc)).toEqual(['page:1:paged']);
    expect(keys(slack)).toEqual(['page:1:paged']);
    expect((await store.announcementCounts(T0)).map((c) => [c.channel, c.pending])).toEqual([
      ['irc', 1],
      ['slack', 1],
    ]);
  });

  it('keeps an event to one announcement per channel, even after it was sent', async () => {
    await store.enqueueAnnouncements([item('page:1:incident')], T0);
    const [a] = (await store.claimAnnouncements('irc', 'a', T0, LEASE, 10)).claimed;
    expect(await store.startSendingAnnouncement(a!.id, 'a', T0)).toBe(true);
    expect(await store.finishAnnouncement(a!.id, 'a', { kind: 'sent', at: at(10) })).toBe(true);
    await store.enqueueAnnouncements([item('page:1:incident')], at(20));
    expect(keys(await store.claimAnnouncements('irc', 'a', at(30), LEASE, 10))).toEqual([]);
  });

  it('gives a claimed announcement to one claimant until its lease runs out', async () => {
    await store.enqueueAnnouncements([item('k1')], T0);
    expect(keys(await store.claimAnnouncements('irc', 'one', T0, LEASE, 10))).toEqual(['k1']);
    expect(keys(await store.claimAnnouncements('irc', 'two', at(1000), LEASE, 10))).toEqual([]);
    // A second store on the same database (another server) sees the lease too.
    const other = await db.open();
    expect(keys(await other.claimAnnouncements('irc', 'two', at(1000), LEASE, 10))).toEqual([]);
    // Lease over, never started: safe to send, whatever the channel.
    const again = await other.claimAnnouncements('irc', 'two', at(LEASE + 1), LEASE, 10);
    expect(keys(again)).toEqual(['k1']);
    expect(again.claimed[0]!.attempts).toBe(2);
    const id = again.claimed[0]!.id;
    // The first claimant lost its lease: it may not start, nor record an outcome.
    expect(await store.startSendingAnnouncement(id, 'one', at(LEASE + 2))).toBe(false);
    expect(await store.finishAnnouncement(id, 'one', { kind: 'sent', at: at(LEASE + 2) })).toBe(false);
  });

  it('never resends an attempt cut off mid-send where the channel cannot deduplicate, and resends it where it can', async () => {
    await store.enqueueAnnouncements([item('irc-1'), item('mx-1', { channel: 'matrix', resendSafe: true })], T0);
    for (const channel of ['irc', 'matrix']) {
      const [a] = (await store.claimAnnouncements(channel, 'dead', T0, LEASE, 1)).claimed;
      expect(await store.startSendingAnnouncement(a!.id, 'dead', T0)).toBe(true);
      // … and the claimant stops here.
    }
    const irc = await store.claimAnnouncements('irc', 'next', at(LEASE + 1), LEASE, 10);
    expect(irc.claimed).toEqual([]);
    expect(irc.abandoned.map((a) => a.key)).toEqual(['irc-1']);
    const matrix = await store.claimAnnouncements('matrix', 'next', at(LEASE + 1), LEASE, 10);
    expect(keys(matrix)).toEqual(['mx-1']);
    const counts = await store.announcementCounts(at(LEASE + 1));
    expect(counts.find((c) => c.channel === 'irc')).toMatchObject({ pending: 0, failedLastDay: 1 });
    expect(counts.find((c) => c.channel === 'matrix')).toMatchObject({ pending: 1, failedLastDay: 0 });
  });

  it("holds a channel's later announcements back while an earlier one waits for its retry", async () => {
    await store.enqueueAnnouncements([item('first'), item('second')], T0);
    const [first] = (await store.claimAnnouncements('irc', 'a', T0, LEASE, 1)).claimed;
    await store.startSendingAnnouncement(first!.id, 'a', T0);
    await store.finishAnnouncement(first!.id, 'a', { kind: 'retry', at: at(5000), error: 'not connected' });
    expect(keys(await store.claimAnnouncements('irc', 'a', at(1000), LEASE, 10))).toEqual([]);
    const counts = await store.announcementCounts(at(1000));
    expect(counts[0]).toMatchObject({ channel: 'irc', pending: 2, oldestPendingAt: T0 });
    expect(keys(await store.claimAnnouncements('irc', 'a', at(5000), LEASE, 10))).toEqual(['first', 'second']);
  });

  it('lets the queue move on past an announcement given up', async () => {
    await store.enqueueAnnouncements([item('first'), item('second')], T0);
    const [first] = (await store.claimAnnouncements('irc', 'a', T0, LEASE, 1)).claimed;
    await store.startSendingAnnouncement(first!.id, 'a', T0);
    await store.finishAnnouncement(first!.id, 'a', { kind: 'failed', at: at(10), error: 'gave up' });
    expect(keys(await store.claimAnnouncements('irc', 'a', at(20), LEASE, 10))).toEqual(['second']);
  });

  it('keeps the queue across a restart', async () => {
    await store.enqueueAnnouncements([item('survives')], T0);
    await store.close();
    store = await db.open();
    expect(keys(await store.claimAnnouncements('irc', 'b', T0, LEASE, 10))).toEqual(['survives']);
  });

  it('gives each announcement to one of several servers claiming the same channel at once, in order', async () => {
    const items = Array.from({ length: 30 }, (_, i) => item(`k${String(i).padStart(2, '0')}`));
    await store.enqueueAnnouncements(items, T0);
    const servers = [store, await db.open(), await db.open()];
    const claims = await Promise.all(
      servers.flatMap((s, i) => [0, 1].map((j) => s.claimAnnouncements('irc', `server-${i}-${j}`, at(10), LEASE, 5))),
    );
    const claimed = claims.flatMap((c) => keys(c));
    // Never one announcement to two claimants; the queue is handed out from its head.
    expect(new Set(claimed).size).toBe(claimed.length);
    expect([...claimed].sort()).toEqual(items.slice(0, claimed.length).map((a) => a.key));
    expect(claimed.length).toBeGreaterThan(0);
  });
});
