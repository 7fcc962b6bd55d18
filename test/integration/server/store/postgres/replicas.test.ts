// Several Klaxon servers on one PostgreSQL database: a server whose shared settings differ from a
// running one's is refused, naming what differs; any server answers for pages another accepted;
// and a server that dies mid-delivery leaves its page to another, which looks for the incident
// before resending (one incident, one alert).
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pageEntityId, type Page } from '#common/index.js';
import { ConfigError } from '#server/index.js';
import { createMetrics } from '#server/http/metrics.js';
import { DeliveryWorker } from '#server/pages/delivery-worker.js';
import { openPostgres } from '#server/store/open-store.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';
import { simulatorBackend } from '#test/support/oncall-backend.js';
import { TEST_SHARED_SETTINGS } from '#test/support/store-harness.js';
import {
  api,
  incidentsFor,
  randomKey,
  spawnServer,
  startServer,
  startStack,
  type Stack,
} from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';
import { postgresForSuite, type PostgresCluster } from '#test/support/postgres.js';

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

describe('servers with different settings on one database', () => {
  it('refuses the second, naming the settings that differ; starts it once the first has stopped', async () => {
    const postgresUrl = await cluster.createDatabase('settings');
    const first = await startServer(stack, { storage: { postgresUrl } });
    let second: Awaited<ReturnType<typeof startServer>> | null = null;
    try {
      const other = {
        storage: { postgresUrl },
        targets: [{ id: 'sre', label: 'SRE on call', routingKey: 'sre', default: true }],
        oncall: { orgSlug: 'another-org' },
      };
      const err = await startServer(stack, other).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).key).toBe('storage.postgresUrl');
      expect((err as Error).message).toMatch(
        /^storage\.postgresUrl: another Klaxon server uses this database with different settings \(.*, process \d+, heard from \d+ s ago\): targets, oncall\.orgSlug differ\./,
      );
      // Per-server settings may differ.
      second = await startServer(stack, { storage: { postgresUrl }, delivery: { concurrency: 2 }, logLevel: 'error' });
      await second.close();
      second = null;
      // A clean stop leaves at once: the new settings may start now.
      await first.close();
      second = await startServer(stack, other);
    } finally {
      await first.close();
      await second?.close();
    }
  });
});

describe('a server that crashed', () => {
  it('no longer counts once it has not been heard from for 30 s', async () => {
    const postgresUrl = await cluster.createDatabase('crashed');
    const first = await startServer(stack, { storage: { postgresUrl } });
    let second: Awaited<ReturnType<typeof startServer>> | null = null;
    try {
      const other = { storage: { postgresUrl }, oncall: { orgSlug: 'another-org' } };
      await expect(startServer(stack, other)).rejects.toThrow(/oncall\.orgSlug differs/);
      // As if its last heartbeat was 31 s ago (it crashed: no clean leave).
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query("UPDATE replicas SET seen_at = now() - interval '31 seconds'");
      await client.end();
      second = await startServer(stack, other);
    } finally {
      await first.close();
      await second?.close();
    }
  });
});

describe('a server dying mid-delivery', { timeout: 90_000 }, () => {
  const REST = '/integrations/*';
  const config = (postgresUrl: string) => ({
    storage: { postgresUrl },
    delivery: { timeoutMs: 1500, baseDelayMs: 100, maxDelayMs: 400, giveUpAfterMinutes: 5 },
    pageRateLimit: { max: 100, windowSeconds: 600 },
  });
  const alertsFor = (pageId: string) =>
    stack.sim.control
      .requests()
      .filter(
        (r) =>
          r.path.startsWith('/integrations/') &&
          (r.body as { entity_id?: string } | undefined)?.entity_id === pageEntityId(pageId),
      );

  it('leaves a page whose alert never arrived to another server, which sends it once the lease runs out', async () => {
    const postgresUrl = await cluster.createDatabase('cutoff');
    const alice = await stack.token('alice');
    const [a, b] = await Promise.all([
      spawnServer(stack, config(postgresUrl)),
      spawnServer(stack, config(postgresUrl)),
    ]);
    try {
      b.child.kill('SIGSTOP');
      stack.sim.control.setFaults({ latencyMs: 1000, paths: [REST] });
      const r = await api(`${a.url}/api/v1/pages`, {
        token: alice,
        body: { summary: 'Cut off with its server', idempotencyKey: randomKey() },
      });
      expect(r.status).toBe(202);
      await waitFor('server A to send the alert', () => alertsFor(r.body.id).length === 1);
      await a.kill('SIGKILL');
      b.child.kill('SIGCONT');
      stack.sim.control.setFaults({});
      // The cut-off request never reached On-Call's handler.
      expect(incidentsFor(stack.sim, pageEntityId(r.body.id))).toHaveLength(0);
      const p = await waitFor(
        'server B to deliver the page',
        async () => {
          const x = (await api(`${b.url}/api/v1/pages/${r.body.id}`, { token: alice })).body as Page;
          return x.status === 'delivered' && x.incidentNumber ? x : null;
        },
        40_000,
      );
      expect(p.attempts).toBe(2);
      expect(incidentsFor(stack.sim, pageEntityId(r.body.id))).toHaveLength(1);
    } finally {
      stack.sim.control.setFaults({});
      b.child.kill('SIGCONT');
      await a.kill();
      await b.kill('SIGTERM');
    }
  });

  it('leaves a page On-Call already took to another server, which does not send it again', async () => {
    const postgresUrl = await cluster.createDatabase('handover');
    const bob = await stack.token('bob');
    const [a, b] = await Promise.all([
      spawnServer(stack, config(postgresUrl)),
      spawnServer(stack, config(postgresUrl)),
    ]);
    try {
      // B is frozen until A has claimed the page, so that A is the one sending it.
      b.child.kill('SIGSTOP');
      stack.sim.control.setFaults({ latencyMs: 800, paths: [REST] });
      const r = await api(`${a.url}/api/v1/pages`, {
        token: bob,
        body: { summary: 'Taken by a server that then died', idempotencyKey: randomKey() },
      });
      expect(r.status).toBe(202);
      await waitFor('server A to send the alert', () => alertsFor(r.body.id).length === 1);
      b.child.kill('SIGCONT');
      const seenByB = (await api(`${b.url}/api/v1/pages/${r.body.id}`, { token: bob })).body as Page;
      expect(seenByB).toMatchObject({ id: r.body.id, status: 'delivering', attempts: 1 });
      // A freezes before it can record On-Call's answer, On-Call takes the alert, A dies.
      a.child.kill('SIGSTOP');
      await waitFor('On-Call to accept the alert', () => alertsFor(r.body.id)[0]?.status === 200);
      await a.kill('SIGKILL');
      stack.sim.control.setFaults({});

      const p = await waitFor(
        'server B to finish the page',
        async () => {
          const x = (await api(`${b.url}/api/v1/pages/${r.body.id}`, { token: bob })).body as Page;
          return x.status === 'delivered' && x.incidentNumber ? x : null;
        },
        40_000,
      );
      // B's tracker saw the incident, or B's worker claimed the page once the lease ran out and
      // looked for the incident before resending: either way On-Call got the alert once.
      expect(p.attempts).toBeLessThanOrEqual(2);
      await new Promise((res) => setTimeout(res, 1500));
      expect(alertsFor(r.body.id)).toHaveLength(1);
      expect(incidentsFor(stack.sim, pageEntityId(r.body.id))).toHaveLength(1);
    } finally {
      stack.sim.control.setFaults({});
      b.child.kill('SIGCONT');
      await a.kill();
      await b.kill('SIGTERM');
    }
  });
});

describe('look before resend, across servers', () => {
  it("retries another server's cut-off attempt only after looking for its incident, and never sends it again", async () => {
    const url = await cluster.createDatabase('look');
    const [storeA, storeB] = await Promise.all([
      openPostgres(url, 2, TEST_SHARED_SETTINGS),
      openPostgres(url, 2, TEST_SHARED_SETTINGS),
    ]);
    let worker: DeliveryWorker | null = null;
    try {
      // Server A accepted the page, claimed it (attempt 1) and died; its short lease has run out.
      const { page } = await acceptQueuedPage(storeA, { summary: 'Sent by A, which then died' });
      expect(await storeA.claimDuePages('server-a', new Date(), 1, 10)).toHaveLength(1);
      await storeA.close();
      // On-Call took A's alert: the incident exists.
      const number = stack.sim.control.createIncident({
        title: 'From A',
        routingKey: 'sre',
        entityId: pageEntityId(page.id),
      });
      await new Promise((r) => setTimeout(r, 5));
      const backend = simulatorBackend(stack.sim, { timeoutMs: 1000 });
      const sent: string[] = [];
      worker = new DeliveryWorker({
        store: storeB,
        backend: {
          sendAlert: (p, key) => (sent.push(p.id), backend.sendAlert(p, key)),
          findPageIncident: (p) => backend.findPageIncident(p),
          getIncident: (n) => backend.getIncident(n),
        },
        // Server B just started: its hub has not listed incidents yet, so the worker asks On-Call itself.
        incidents: {
          findByEntityId: () => null,
          refreshNow: async () => undefined,
          listed: () => new Map([['oncall', false]]),
        },
        firstPollWaitMs: 0,
        delivery: { timeoutMs: 1000, baseDelayMs: 100, maxDelayMs: 300, giveUpAfterMinutes: 5, concurrency: 2 },
        onPage: () => {},
        metrics: createMetrics(),
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
      worker.start();
      const done = await waitFor('server B to finish the page', async () => {
        const p = (await storeB.getPage(page.id))!.page;
        return p.status === 'delivered' ? p : null;
      });
      expect(done).toMatchObject({ attempts: 2, incidentNumber: number });
      expect(sent).toEqual([]);
    } finally {
      await worker?.stop();
      await storeB.close();
      await storeA.close();
    }
  });
});
