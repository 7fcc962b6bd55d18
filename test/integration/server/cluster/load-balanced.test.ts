// Three Klaxon servers (server/main.ts in child processes) on one PostgreSQL database behind a real
// HAProxy that health-checks /readyz, with the real On-Call simulator and identity provider: one
// leader polls, its death or a cut database connection moves leadership within 10 s, clients of a
// killed replica resume on another with Last-Event-ID and miss nothing, a follower whose LISTEN
// connection is cut still gets every event, pages through the load balancer arrive once.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageEntityId } from '#common/index.js';
import { startPostgres, type PostgresCluster } from '#test/support/postgres.js';
import { clusterView, startReplicaSet, type ReplicaSet } from '#test/support/replica-set.js';
import { ResumingSseClient } from '#test/support/resuming-sse-client.js';
import { api, incidentsFor, randomKey, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';

let stack: Stack;
let db: PostgresCluster;
let url: string;
let set: ReplicaSet;
const clients: ResumingSseClient[] = [];

const incidentPolls = () =>
  stack.sim.control.requests().filter((r) => r.path.startsWith('/api-public/v1/incidents') && r.method === 'GET')
    .length;

async function terminate(applicationName: string, pid?: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>(
      `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
       WHERE datname = current_database() AND application_name LIKE $1 ${pid ? 'AND application_name LIKE $2' : ''}`,
      pid ? [`${applicationName}%`, `%/${pid}`] : [`${applicationName}%`],
    );
    return Number(rows[0]!.n);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  db = await startPostgres();
  url = await db.createDatabase('lb');
  stack = await startStack();
  set = await startReplicaSet(stack, { postgresUrl: url });
  await set.waitForLeader();
}, 120_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await set?.close();
  await stack?.close();
  await db?.close();
});

// Several processes on two shared cores: give each step room.
describe('three replicas behind HAProxy', { timeout: 60_000 }, () => {
  it('agree on one leader, and only the leader polls On-Call', async () => {
    const views = await Promise.all(set.replicas.map(clusterView));
    const leader = views.find((v) => v?.role === 'leader')!;
    expect(views.filter((v) => v?.role === 'leader')).toHaveLength(1);
    for (const v of views) expect(v?.leader).toBe(leader.self);
    expect((await api(`${set.lb.url}/readyz`)).status).toBe(200);

    // pollIntervalSeconds is 2: about 3 list calls in 6 s, however many replicas and clients.
    const n0 = incidentPolls();
    await new Promise((r) => setTimeout(r, 6000));
    const polls = incidentPolls() - n0;
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(4);
  });

  it('deliver pages sent through the load balancer once, with the final status on every replica', async () => {
    const users = ['alice', 'bob', 'carol'];
    const pages = await Promise.all(
      users.map(async (u) => {
        const token = await stack.token(u);
        const r = await api(`${set.lb.url}/api/v1/pages`, {
          token,
          body: { summary: `Through the balancer for ${u}`, idempotencyKey: randomKey() },
        });
        expect(r.status).toBe(202);
        return { token, id: r.body.id as string };
      }),
    );
    for (const p of pages) {
      await waitFor('matched to its incident on every replica', async () => {
        const seen = await Promise.all(
          set.replicas.map(async (r) => (await api(`${r.url}/api/v1/pages/${p.id}`, { token: p.token })).body),
        );
        return seen.every((x) => x.incidentNumber !== null && x.incidentNumber === seen[0].incidentNumber);
      });
      expect(incidentsFor(stack.sim, pageEntityId(p.id))).toHaveLength(1);
    }
  });

  it('move leadership within 10 s of a SIGKILL; clients of the killed replica resume elsewhere and miss nothing', async () => {
    const token = await stack.token('alice');
    for (let i = 0; i < 6; i++) {
      const c = new ResumingSseClient(set.lb.url, token);
      clients.push(c);
      await c.start();
    }
    const { replica: old, view } = await set.waitForLeader();
    const before = incidentPolls();
    const t0 = Date.now();
    await old.kill('SIGKILL');
    stack.sim.control.createIncident({ title: 'Opened during failover', routingKey: 'sre' });
    const next = await set.waitForLeader({ not: old, timeoutMs: 10_000 });
    expect(next.view.epoch).toBeGreaterThan(view.epoch!);
    await waitFor('the new leader polls', () => incidentPolls() > before, 10_000, 20);
    const failoverMs = Date.now() - t0;
    expect(failoverMs).toBeLessThan(10_000);

    stack.sim.control.createIncident({ title: 'Opened after failover', routingKey: 'sre' });
    for (const c of clients) {
      await c.waitFor(() => {
        const t = c.incidentTitles();
        return t.has('Opened during failover') && t.has('Opened after failover');
      });
    }
    // A third of the clients were on the killed replica: each came back through HAProxy with
    // Last-Event-ID and was answered with what it missed, not a fresh snapshot.
    const resumed = clients.flatMap((c) => c.resumes);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((r) => r.replayed)).toBe(true);
    await old.start();
  });

  it('move leadership when the leader loses its database connection, and stop the old leader polling', async () => {
    const { replica: old, view } = await set.waitForLeader();
    expect(await terminate('klaxon-leader', old.pid()!)).toBe(1);
    const next = await waitFor(
      'a newer epoch',
      async () => {
        const l = await set.leader();
        return l && l.view.epoch! > view.epoch! ? l : null;
      },
      10_000,
    );
    expect(next.view.epoch).toBeGreaterThan(view.epoch!);
    // Whoever leads now, exactly one replica polls: about one list call per 2 s.
    await new Promise((r) => setTimeout(r, 1000));
    const n0 = incidentPolls();
    await new Promise((r) => setTimeout(r, 6000));
    expect(incidentPolls() - n0).toBeLessThanOrEqual(4);
    const views = await Promise.all(set.replicas.map(clusterView));
    expect(views.filter((v) => v?.role === 'leader')).toHaveLength(1);
  });

  it('move leadership away from a stalled leader, which steps down when it wakes', async () => {
    const { replica: old, view } = await set.waitForLeader();
    const pid = old.pid()!;
    process.kill(pid, 'SIGSTOP');
    try {
      // The database ends its silent session after the lease (5 s), which frees the lock.
      const next = await set.waitForLeader({ not: old, timeoutMs: 10_000 });
      expect(next.view.epoch).toBeGreaterThan(view.epoch!);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const woke = await waitFor('the old leader follows', async () => {
      const v = await clusterView(old);
      return v?.role === 'follower' ? v : null;
    });
    expect(woke.leader).not.toBe(woke.self);
    const views = await Promise.all(set.replicas.map(clusterView));
    expect(views.filter((v) => v?.role === 'leader')).toHaveLength(1);
  });

  it('still bring every event to a follower whose LISTEN connection was cut', async () => {
    const token = await stack.token('carol');
    const direct = set.replicas.map((r) => new ResumingSseClient(r.url, token));
    clients.push(...direct);
    await Promise.all(direct.map((c) => c.start()));
    expect(await terminate('klaxon-listen')).toBeGreaterThanOrEqual(3);
    stack.sim.control.createIncident({ title: 'After the LISTEN cut', routingKey: 'sre' });
    for (const c of direct) await c.waitFor(() => c.incidentTitles().has('After the LISTEN cut'), 15_000);
    const ids = direct.map(
      (c) => c.events.find((e) => e.type === 'incident' && e.data.incident.title === 'After the LISTEN cut')!.id,
    );
    expect(new Set(ids).size).toBe(1);
    await waitFor(
      'every replica listens again',
      async () => (await Promise.all(set.replicas.map(clusterView))).every((v) => v?.journal.listening),
      10_000,
    );
  });
});
