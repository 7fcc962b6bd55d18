// A Klaxon server on PostgreSQL when the database is not there: at start it stops with one line
// naming the setting (never the password) and exit code 78; while running, /readyz fails, no page
// is answered 202 unless it was committed, and the server recovers by itself when the database is
// back (the throwaway cluster is stopped and started under it).
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, randomKey, spawnServer, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';
import { freePort, postgresForSuite, type PostgresCluster } from '#test/support/postgres.js';

const suite = postgresForSuite();
let stack: Stack;
let cluster: PostgresCluster;
beforeAll(async () => {
  stack = await startStack();
});
beforeEach(async () => {
  cluster = await suite.get();
});
afterAll(async () => {
  await Promise.allSettled([stack?.close(), suite.close()]);
});

async function pagesIn(url: string): Promise<{ id: string; status: string }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ id: string; status: string }>('SELECT id, status FROM pages')).rows;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL unreachable at start', () => {
  it(
    'server/main.ts prints one line naming storage.postgresUrl without the password, and exits with 78',
    { timeout: 40_000 },
    async () => {
      const port = await freePort();
      const err = await spawnServer(
        stack,
        { pageRateLimit: { max: 5, windowSeconds: 60 } },
        { KLAXON_POSTGRES_URL: `postgresql://klaxon:s3cret-pw@127.0.0.1:${port}/klaxon` },
      ).catch((e: unknown) => e as Error);
      const m = /^server exited with (\d+): ([\s\S]*)$/.exec((err as Error).message);
      expect(m?.[1]).toBe('78');
      const lines = m![2]!
        .trim()
        .split('\n')
        .filter((l) => !l.includes('warning'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^klaxon: could not start: storage\\.postgresUrl: Klaxon cannot use PostgreSQL at postgresql://klaxon:\\*\\*\\*@127\\.0\\.0\\.1:${port}/klaxon \\(.*ECONNREFUSED.*\\); check that the database server runs`,
        ),
      );
      expect(lines[0]).toContain('(KLAXON_POSTGRES_URL)');
      expect(m![2]).not.toContain('s3cret-pw');
    },
  );

  it('a database that does not exist is named the same way', async () => {
    const url = cluster.url('no_such_database');
    const err = (await startServer(stack, { storage: { postgresUrl: url } }).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ name: 'ConfigError', key: 'storage.postgresUrl' });
    expect(err.message).toMatch(
      /^storage\.postgresUrl: Klaxon cannot use PostgreSQL at .*database "no_such_database" does not exist/,
    );
  });
});

describe('PostgreSQL lost while running', () => {
  it(
    'fails /readyz and refuses pages (never 202 unless committed), then recovers by itself when the database is back',
    { timeout: 90_000 },
    async () => {
      const url = await cluster.createDatabase('outage');
      const server = await startServer(stack, {
        storage: { postgresUrl: url },
        pageRateLimit: { max: 1000, windowSeconds: 600 },
      });
      const alice = await stack.token('alice');
      const send = (key: string) =>
        api(`${server.url}/api/v1/pages`, { token: alice, body: { summary: 'During an outage', idempotencyKey: key } });
      try {
        await waitFor('ready', async () => (await api(`${server.url}/readyz`)).status === 200);
        expect((await send(randomKey())).status).toBe(202);

        // Pages keep coming while the database goes away under them.
        const answers: { key: string; status: number; id?: string }[] = [];
        let sending = true;
        const senders = Array.from({ length: 3 }, async () => {
          while (sending) {
            const key = randomKey();
            const r = await send(key);
            answers.push({ key, status: r.status, id: r.body?.id });
            await new Promise((res) => setTimeout(res, 50));
          }
        });
        await waitFor('a few pages accepted', () => answers.filter((a) => a.status === 202).length >= 5);
        await cluster.stop();
        await waitFor('pages refused', () => answers.some((a) => a.status === 503));
        sending = false;
        await Promise.all(senders);

        expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202, 503]));
        const refused = await send(randomKey());
        expect(refused.status).toBe(503);
        expect(refused.body.error.message).toMatch(/cannot reach its database right now/);
        const ready = await api(`${server.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(ready.body.storage).toMatchObject({
          ok: false,
          error: expect.stringMatching(/^storage is not writable/),
        });
        expect((await api(`${server.url}/healthz`)).status).toBe(200);

        await cluster.start();
        await waitFor('ready again', async () => (await api(`${server.url}/readyz`)).status === 200, 30_000);
        // Every page answered 202 was committed.
        const stored = new Set((await pagesIn(url)).map((p) => p.id));
        const accepted = answers.filter((a) => a.status === 202);
        expect(accepted.filter((a) => !stored.has(a.id!))).toEqual([]);
        // A refused page sent again with its key is accepted once, whether or not the cut-off attempt was stored.
        const retried = answers.filter((a) => a.status === 503);
        for (const a of retried) expect([202]).toContain((await send(a.key)).status);
        const after = await pagesIn(url);
        expect(after.length).toBe(1 + accepted.length + retried.length);
        // And delivery went on: every page reached On-Call.
        await waitFor(
          'every page delivered',
          async () => (await pagesIn(url)).every((p) => !['queued', 'delivering', 'failing'].includes(p.status)),
          40_000,
        );
      } finally {
        await server.close();
      }
    },
  );
});
