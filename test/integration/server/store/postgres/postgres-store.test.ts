// What only the PostgreSQL store does (server/store/postgres/postgres-store.ts), on a throwaway
// cluster; everything both stores do is in ../store-contract.test.ts.
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '#server/store/open-store.js';
import { PERSON_LOCK_SPACE } from '#server/store/postgres/advisory-locks.js';
import type { PostgresStore } from '#server/store/postgres/postgres-store.js';
import { StorageUnavailableError } from '#server/store/storage-unavailable.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';
import { postgresForSuite, type PostgresCluster } from '#test/support/postgres.js';
import { TEST_SHARED_SETTINGS } from '#test/support/store-harness.js';

const suite = postgresForSuite();
let cluster: PostgresCluster;
let url: string;
let store: PostgresStore;
let other: pg.Client;
afterAll(() => suite.close());
beforeEach(async () => {
  cluster = await suite.get();
  url = await cluster.createDatabase('pgstore');
  store = await openPostgres(url, 4, TEST_SHARED_SETTINGS);
  other = new pg.Client({ connectionString: url });
  await other.connect();
});
afterEach(async () => {
  await other?.end().catch(() => undefined);
  await store?.close();
});

describe('claims with FOR UPDATE SKIP LOCKED', () => {
  it('skip a page another server is claiming at this moment instead of waiting for it', async () => {
    const first = (await acceptQueuedPage(store, { at: new Date(Date.now() - 2000) })).page;
    const second = (await acceptQueuedPage(store, { at: new Date(Date.now() - 1000) })).page;
    // Another server's claim in progress: the oldest page's row is locked by its transaction.
    await other.query('BEGIN');
    await other.query('SELECT id FROM pages WHERE id = $1 FOR UPDATE', [first.id]);
    const t0 = performance.now();
    const claimed = await store.claimDuePages('worker-b', new Date(), 10_000, 10);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(claimed.map((r) => r.page.id)).toEqual([second.id]);
    await other.query('ROLLBACK');
    // Once that transaction is gone without claiming, the page is there for anyone.
    expect((await store.claimDuePages('worker-b', new Date(), 10_000, 10)).map((r) => r.page.id)).toEqual([first.id]);
  });
});

describe('accepting pages of one person on several servers', () => {
  it('wait while another server accepts a page of the same person, then go on (the same key is then a replay)', async () => {
    const second = await openPostgres(url, 2, TEST_SHARED_SETTINGS);
    try {
      // Server A is mid-accept for Alice: it holds her lock.
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PERSON_LOCK_SPACE, 'alice']);
      const key = 'key-same-page-both-servers';
      const onB = acceptQueuedPage(second, { key });
      await new Promise((r) => setTimeout(r, 200));
      const race = await Promise.race([onB.then(() => 'done'), Promise.resolve('waiting')]);
      expect(race).toBe('waiting');
      await other.query('COMMIT');
      expect((await onB).outcome.kind).toBe('created');
      expect((await acceptQueuedPage(store, { key })).outcome.kind).toBe('replay');
    } finally {
      await second.close();
    }
  });
});

describe('an unreachable database', () => {
  it('fails calls with StorageUnavailableError and checkWritable with the reason, then works again by itself', async () => {
    await acceptQueuedPage(store);
    await other.end();
    await cluster.stop();
    try {
      await expect(acceptQueuedPage(store)).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(store.pagesOf('alice', 10)).rejects.toBeInstanceOf(StorageUnavailableError);
      const check = await store.checkWritable();
      expect(check.ok).toBe(false);
      expect(check.error).toMatch(/^storage is not writable: Klaxon cannot reach its database \(/);
    } finally {
      await cluster.start();
    }
    expect(await store.checkWritable()).toEqual({ ok: true, error: null });
    expect((await acceptQueuedPage(store)).outcome.kind).toBe('created');
    expect(await store.pagesOf('alice', 10)).toHaveLength(2);
  });
});

describe('a newer release adding columns while this server runs (rolling upgrade)', () => {
  it("keeps every statement working: none depends on all of a table's columns", async () => {
    const { page } = await acceptQueuedPage(store);
    // Use every statement once, so each connection has them prepared.
    const exercise = async () => {
      await acceptQueuedPage(store);
      await store.getPage(page.id);
      await store.pagesOf('alice', 10);
      const claimed = await store.claimDuePages('w', new Date(), 10_000, 10);
      for (const r of claimed)
        await store.updatePage(r.page.id, { status: 'delivered' }, { onlyIfLeasedBy: 'w', audit: undefined });
      await store.followPages([page.id], () => ({
        patch: { incidentNumber: '7' },
        audit: { at: new Date(), actorSub: null, actorName: null, action: 'page.incident', detail: {} },
      }));
      await store.createSession({
        id: crypto.randomUUID(),
        sub: 'alice',
        name: 'Alice',
        email: null,
        groups: [],
        username: null,
        csrfToken: 'c',
        accessExpiresAt: new Date(Date.now() + 60_000),
        refreshToken: null,
        createdAt: new Date(),
        revokedAt: null,
      });
      expect(await store.getSession('unknown')).toBeNull();
      expect(await store.checkWritable()).toEqual({ ok: true, error: null });
    };
    for (let i = 0; i < 4; i++) await exercise();
    await other.query(
      'ALTER TABLE pages ADD COLUMN added_later integer; ALTER TABLE sessions ADD COLUMN added_later integer',
    );
    for (let i = 0; i < 4; i++) await exercise();
  });
});
