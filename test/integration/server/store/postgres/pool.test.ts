// The connections the PostgreSQL store uses (server/store/postgres/pool.ts): ordinary commits do
// not wait for the disk, a durable transaction's commit does, and the time limits are set.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { checkOut, createPool, DURABLE_BEGIN } from '#server/store/postgres/pool.js';
import { postgresForSuite } from '#test/support/postgres.js';

const suite = postgresForSuite();
let pool: pg.Pool;
beforeEach(async () => {
  pool = createPool(await (await suite.get()).createDatabase('pool'), 2);
});
afterEach(() => pool?.end());
afterAll(() => suite.close());

const setting = async (db: pg.Pool | pg.PoolClient, name: string) =>
  (await db.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name];

describe('the PostgreSQL pool', () => {
  it('commits without waiting for the flush, except in a durable transaction', async () => {
    expect(await setting(pool, 'synchronous_commit')).toBe('off');
    const { client, done } = await checkOut(pool);
    try {
      await client.query(DURABLE_BEGIN);
      expect(await setting(client, 'synchronous_commit')).toBe('on');
      await client.query('COMMIT');
      expect(await setting(client, 'synchronous_commit')).toBe('off');
    } finally {
      done();
    }
  });

  it('bounds statements and transactions left idle', async () => {
    expect(await setting(pool, 'statement_timeout')).toBe('10s');
    expect(await setting(pool, 'idle_in_transaction_session_timeout')).toBe('15s');
    expect(await setting(pool, 'application_name')).toBe('klaxon');
  });
});
