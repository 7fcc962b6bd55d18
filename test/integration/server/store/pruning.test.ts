// Tables that grow with use are pruned as pages are accepted (not only when /readyz is probed):
// old rate-limit events, and web sessions nobody can use any more.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'klaxon-prune-'));
  store = new SqliteStore(path.join(dir, 'klaxon.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const DAY = 24 * 3600_000;

async function accept(at: Date, key: string) {
  return (await acceptQueuedPage(store, { summary: 'Prune test', client: 'api', at, key })).outcome;
}

function session(id: string, over: { accessExpiresAt: Date; refreshToken: string | null }) {
  return store.createSession({
    id,
    sub: 'alice',
    name: 'Alice',
    email: null,
    groups: [],
    username: null,
    csrfToken: 'c',
    createdAt: new Date(Date.now() - 3 * DAY),
    revokedAt: null,
    ...over,
  });
}

function count(table: string): number {
  const db = new DatabaseSync(path.join(dir, 'klaxon.db'), { readOnly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('pruning on accept', () => {
  it('drops rate-limit events older than a day inside the accept transaction', async () => {
    expect((await accept(new Date(Date.now() - 2 * DAY), 'old-key-0123456789')).kind).toBe('created');
    expect(count('rate_events')).toBe(1);
    expect((await accept(new Date(), 'new-key-0123456789')).kind).toBe('created');
    expect(count('rate_events')).toBe(1);
  });

  it('deletes signed-out and expired non-renewable sessions, keeps usable ones', async () => {
    await session('revoked', { accessExpiresAt: new Date(Date.now() + 60_000), refreshToken: null });
    await store.revokeSession('revoked', new Date());
    await session('expired', { accessExpiresAt: new Date(Date.now() - 2 * DAY), refreshToken: null });
    await session('renewable', { accessExpiresAt: new Date(Date.now() - 2 * DAY), refreshToken: 'rt' });
    await session('live', { accessExpiresAt: new Date(Date.now() + 60_000), refreshToken: null });
    await accept(new Date(), 'key-0123456789abcdef');
    expect(await store.getSession('revoked')).toBeNull();
    expect(await store.getSession('expired')).toBeNull();
    expect((await store.getSession('renewable'))?.refreshToken).toBe('rt');
    expect(await store.getSession('live')).not.toBeNull();
  });
});

describe('the delivery worker waking up with nothing to do', () => {
  it('does not wait for the write lock another connection holds', async () => {
    const other = new DatabaseSync(path.join(dir, 'klaxon.db'));
    other.exec('PRAGMA busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    try {
      const t0 = performance.now();
      // With a write transaction this would wait for the other writer (busy timeout: 5 s).
      expect(await store.claimDuePages('worker-a', new Date(), 10_000, 4)).toEqual([]);
      expect(performance.now() - t0).toBeLessThan(1000);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // With a page due, it claims it.
    await accept(new Date(), 'due-key-0123456789');
    expect(await store.claimDuePages('worker-a', new Date(), 10_000, 4)).toHaveLength(1);
  });
});
