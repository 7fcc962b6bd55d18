// Two Klaxon servers on one PostgreSQL database, in this process (the child-process suite behind
// HAProxy is load-balanced.test.ts): one leader polls, both serve the same events under the same
// ids, a client resumes on the other server with Last-Event-ID, a page's changes reach its
// requester on either server, a page is marked unconfirmed once (by the leader's tracker), and a
// former leader's writes (page tracking, escalations) are refused by the epoch.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageEntityId, type ServerEvent } from '#common/index.js';
import { FencedOut, checkFence } from '#server/cluster/leadership.js';
import { claimEscalation, settleEscalation } from '#server/store/postgres/postgres-incident-records.js';
import { startPostgres, type PostgresCluster } from '#test/support/postgres.js';
import { api, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';
import { openSse, type SseConnection } from '#test/support/sse-test-client.js';

let stack: Stack;
let db: PostgresCluster;
let url: string;
let a: Awaited<ReturnType<typeof startServer>>;
let b: Awaited<ReturnType<typeof startServer>>;
const streams: SseConnection[] = [];

/** Each replica's settings: a delivered page is called unconfirmed after 3 s without its incident. */
const replica = () => ({ storage: { postgresUrl: url }, delivery: { unconfirmedAfterSeconds: 3 } });
const readyz = async (s: { url: string }) => (await api(`${s.url}/readyz`)).body;
const incidentEvent = (title: string) => (e: ServerEvent) => e.type === 'incident' && e.data.incident.title === title;

beforeAll(async () => {
  db = await startPostgres();
  url = await db.createDatabase('replicas');
  stack = await startStack();
  a = await startServer(stack, replica());
  b = await startServer(stack, replica());
});
afterAll(async () => {
  for (const s of streams) s.close();
  await b?.close();
  await a?.close();
  await stack?.close();
  await db?.close();
});

async function sse(server: { url: string }, token: string, headers: Record<string, string> = {}) {
  const c = await openSse(`${server.url}/api/v1/events`, { authorization: `Bearer ${token}`, ...headers });
  streams.push(c);
  return c;
}

describe('two replicas on one database', () => {
  it('elect one leader, and both say which', async () => {
    const [ra, rb] = await waitFor('a leader both know', async () => {
      const x = await readyz(a);
      const y = await readyz(b);
      return x.cluster.leader && x.cluster.leader === y.cluster.leader ? [x, y] : null;
    });
    expect([ra.cluster.role, rb.cluster.role].sort()).toEqual(['follower', 'leader']);
    expect(ra.status).toBe('ready');
    expect(rb.status).toBe('ready');
    expect(ra.cluster.epoch).toBeGreaterThan(0);
    const metrics = await Promise.all([a, b].map(async (s) => (await api(`${s.url}/metrics`)).body as string));
    const leading = metrics.map((m) => Number(/^klaxon_leader (\d)/m.exec(m)?.[1]));
    expect(leading.sort()).toEqual([0, 1]);
    for (const m of metrics) expect(m).toContain(`klaxon_leader_info{leader="${ra.cluster.leader}"} 1`);
  });

  it('send the same incident event under the same id from both servers', async () => {
    const token = await stack.token('alice');
    const onA = await sse(a, token);
    const onB = await sse(b, token);
    await onA.next((e) => e.type === 'snapshot');
    await onB.next((e) => e.type === 'snapshot');
    stack.sim.control.createIncident({ title: 'Shared one', routingKey: 'sre' });
    const [x, y] = await Promise.all([
      onA.next(incidentEvent('Shared one'), 15_000),
      onB.next(incidentEvent('Shared one'), 15_000),
    ]);
    expect(x.id).toBe(y.id);
    expect(x).toEqual(y);
    // Both snapshots now list it.
    for (const s of [a, b]) {
      const list = await api(`${s.url}/api/v1/incidents`, { token });
      expect(list.body.incidents.map((i: { title: string }) => i.title)).toContain('Shared one');
    }
  });

  it('let a client resume on the other server with Last-Event-ID and miss nothing', async () => {
    const token = await stack.token('alice');
    const first = await sse(a, token);
    await first.next((e) => e.type === 'snapshot');
    stack.sim.control.createIncident({ title: 'Before the switch', routingKey: 'sre' });
    const seen = await first.next(incidentEvent('Before the switch'), 15_000);
    first.close();
    // While the client is away, two more changes happen.
    stack.sim.control.createIncident({ title: 'Missed one', routingKey: 'sre' });
    stack.sim.control.createIncident({ title: 'Missed two', routingKey: 'sre' });
    await waitFor('both replicas saw the changes', async () => {
      const list = await api(`${b.url}/api/v1/incidents`, { token });
      return list.body.incidents.some((i: { title: string }) => i.title === 'Missed two');
    });
    const second = await sse(b, token, { 'last-event-id': seen.id });
    const one = await second.next(incidentEvent('Missed one'));
    const two = await second.next(incidentEvent('Missed two'));
    expect(second.events.some((e) => e.type === 'snapshot')).toBe(false);
    // Replayed, not reloaded: both come with their own ids, after the last one the client had.
    expect(Number(one.id)).toBeGreaterThan(Number(seen.id));
    expect(Number(two.id)).toBeGreaterThan(Number(seen.id));
    expect(one.id).not.toBe(two.id);
  });

  it('let a client resume on a server that started after its last event', async () => {
    const token = await stack.token('alice');
    const first = await sse(a, token);
    await first.next((e) => e.type === 'snapshot');
    stack.sim.control.createIncident({ title: 'Before the new server', routingKey: 'sre' });
    const seen = await first.next(incidentEvent('Before the new server'), 15_000);
    first.close();
    stack.sim.control.createIncident({ title: 'While it starts', routingKey: 'sre' });
    await waitFor('the change is shared', async () => {
      const list = await api(`${a.url}/api/v1/incidents`, { token });
      return list.body.incidents.some((i: { title: string }) => i.title === 'While it starts');
    });
    const c = await startServer(stack, { storage: { postgresUrl: url } });
    try {
      const resumed = await sse(c, token, { 'last-event-id': seen.id });
      await resumed.next(incidentEvent('While it starts'));
      expect(resumed.events.some((e) => e.type === 'snapshot')).toBe(false);
    } finally {
      await c.close();
    }
  });

  it("send a page's changes to its requester on either server", async () => {
    const token = await stack.token('bob');
    const onA = await sse(a, token);
    const onB = await sse(b, token);
    await Promise.all([onA.next((e) => e.type === 'snapshot'), onB.next((e) => e.type === 'snapshot')]);
    const r = await api(`${b.url}/api/v1/pages`, {
      token,
      body: { summary: 'Replicated page', idempotencyKey: randomKey() },
    });
    expect(r.status).toBe(202);
    const delivered = (e: ServerEvent) =>
      e.type === 'page' && e.data.id === r.body.id && e.data.incidentNumber !== null;
    const [x, y] = await Promise.all([onA.next(delivered, 20_000), onB.next(delivered, 20_000)]);
    expect(x.id).toBe(y.id);
    const incidents = (stack.sim.control.incidents() as { entityId?: string }[]).filter(
      (i) => i.entityId === pageEntityId(r.body.id),
    );
    expect(incidents).toHaveLength(1);
  });

  it('mark a page whose incident never appears unconfirmed once, from the leader, seen on either server', async () => {
    const token = await stack.token('bob');
    const onA = await sse(a, token);
    const onB = await sse(b, token);
    await Promise.all([onA.next((e) => e.type === 'snapshot'), onB.next((e) => e.type === 'snapshot')]);
    const unconfirmed = async () =>
      Promise.all(
        [a, b].map(async (s) => {
          const m = /^klaxon_pages_unconfirmed_total (\d+)/m.exec((await api(`${s.url}/metrics`)).body as string);
          return Number(m?.[1] ?? 'NaN');
        }),
      );
    const before = await unconfirmed();
    // A Rules Engine rule rewrites the entity id: the page can never find its incident.
    stack.sim.control.setRules([
      { when: { field: 'monitoring_tool', matches: 'klaxon' }, set: { entity_id: 'rewritten/${{entity_id}}' } },
    ]);
    try {
      const r = await api(`${a.url}/api/v1/pages`, {
        token,
        body: { summary: 'Rewritten by a rule', idempotencyKey: randomKey() },
      });
      expect(r.status).toBe(202);
      const marked = (e: ServerEvent) => e.type === 'page' && e.data.id === r.body.id && !!e.data.unconfirmedAt;
      const [x, y] = await Promise.all([onA.next(marked, 20_000), onB.next(marked, 20_000)]);
      expect(x.id).toBe(y.id);
      // Marked once, with one audit entry.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: number }>(
          "SELECT COUNT(*)::int AS n FROM audit_log WHERE page_id = $1 AND action = 'page.unconfirmed'",
          [r.body.id],
        );
        expect(rows[0]!.n).toBe(1);
      } finally {
        await client.end();
      }
      // Counted by the leader's tracker; the follower runs none.
      const after = await unconfirmed();
      const leading = await Promise.all([a, b].map(async (s) => (await readyz(s)).cluster.role === 'leader'));
      expect(after.map((n, i) => n - before[i]!)).toEqual(leading.map((l) => (l ? 1 : 0)));
    } finally {
      stack.sim.control.setRules([]);
    }
  });

  it("refuse a former leader's writes once another replica was elected", async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ epoch: string }>('SELECT epoch FROM klaxon_leader WHERE id = 1');
      const current = Number(rows[0]!.epoch);
      await client.query('BEGIN');
      await expect(checkFence(client, { epoch: current })).resolves.toBeUndefined();
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      const stale = await checkFence(client, { epoch: current - 1 }).catch((e: unknown) => e);
      await client.query('ROLLBACK');
      expect(stale).toBeInstanceOf(FencedOut);
    } finally {
      await client.end();
    }
  });

  it("refuse a former leader's escalation claims and settlements, and take the current leader's once", async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const at = new Date();
    const escalation = {
      incidentNumber: '9901',
      reason: 'nobody_paged' as const,
      policy: 'pol-srebatphone00003',
      policyName: 'SRE Batphone',
      asUser: 'escalator_sysuser',
      pageId: null,
      requesterSub: null,
      requesterName: null,
      afterMinutes: null,
      status: 'sending' as const,
      message: null,
      createdAt: at,
      updatedAt: at,
    };
    const audit = { at, actorSub: null, actorName: null, action: 'escalation.claimed', pageId: null, detail: {} };
    const inTx = async <T>(fn: () => Promise<T>): Promise<T | unknown> => {
      await client.query('BEGIN');
      try {
        const r = await fn();
        await client.query('COMMIT');
        return r;
      } catch (e) {
        await client.query('ROLLBACK');
        return e;
      }
    };
    try {
      const { rows } = await client.query<{ epoch: string }>('SELECT epoch FROM klaxon_leader WHERE id = 1');
      const current = Number(rows[0]!.epoch);
      expect(await inTx(() => claimEscalation(client, escalation, audit, { epoch: current - 1 }))).toBeInstanceOf(
        FencedOut,
      );
      expect(await inTx(() => claimEscalation(client, escalation, audit, { epoch: current }))).toBe(true);
      expect(await inTx(() => claimEscalation(client, escalation, audit, { epoch: current }))).toBe(false);
      const outcome = { status: 'done' as const, message: null, at };
      expect(await inTx(() => settleEscalation(client, '9901', outcome, audit, { epoch: current - 1 }))).toBeInstanceOf(
        FencedOut,
      );
      const { rows: left } = await client.query<{ status: string }>(
        "SELECT status FROM escalations WHERE incident_number = '9901'",
      );
      expect(left).toEqual([{ status: 'sending' }]);
    } finally {
      await client.end();
    }
  });

  it('hand leadership over when the leader stops', async () => {
    const leaderName = (await readyz(a)).cluster.leader;
    const [leader, other] = (await readyz(a)).cluster.self === leaderName ? [a, b] : [b, a];
    const before = (await readyz(other)).cluster.epoch;
    const polls = () =>
      stack.sim.control.requests().filter((r) => r.path.startsWith('/api-public/v1/incidents')).length;
    const t0 = Date.now();
    await leader.close();
    const after = await waitFor(
      'the other replica leads',
      async () => {
        const r = await readyz(other);
        return r.cluster.role === 'leader' ? r : null;
      },
      10_000,
    );
    expect(after.cluster.epoch).toBeGreaterThan(before);
    const n = polls();
    await waitFor('the new leader polls', () => polls() > n, 10_000);
    expect(Date.now() - t0).toBeLessThan(10_000);
    if (leader === a) a = await startServer(stack, replica());
    else b = await startServer(stack, replica());
  });
});
