// Klaxon's escalator with two replicas on one PostgreSQL database: only the leader runs it (the
// follower counts its runs as skipped, not_leader), and #1043 of the realistic org (an incident
// paging nobody) is rerouted to the fallback policy once, with one claim in the shared table.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '#test/support/postgres.js';
import { api, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';

const BATPHONE = 'pol-srebatphone00003';
const REROUTE = '/api-public/v1/incidents/reroute';

let stack: Stack;
let db: PostgresCluster;
let url: string;
let replicas: Awaited<ReturnType<typeof startServer>>[] = [];

beforeAll(async () => {
  db = await startPostgres();
  url = await db.createDatabase('escalation');
  stack = await startStack({ sim: { org: 'realistic' } });
  const config = {
    storage: { postgresUrl: url },
    escalation: {
      policy: BATPHONE,
      asUser: 'escalator_sysuser',
      unpaged: { enabled: true, intervalSeconds: 1, graceSeconds: 0 },
    },
  };
  replicas = [await startServer(stack, config), await startServer(stack, config)];
});
afterAll(async () => {
  for (const r of replicas) await r.close();
  await stack?.close();
  await db?.close();
});

const metric = async (s: { url: string }, line: RegExp) => {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return text.split('\n').reduce((n, l) => n + (line.test(l) ? Number(l.split(' ').pop()) : 0), 0);
};

describe('the escalator with several replicas', () => {
  it('runs on the leader only, and reroutes an incident paging nobody once', async () => {
    const reroutes = () => stack.sim.control.requests().filter((r) => r.path === REROUTE);
    await waitFor('a reroute request', () => reroutes().some((r) => JSON.stringify(r.body).includes('"1043"')), 20_000);
    // Several more runs of the job on each replica: still one reroute of #1043.
    await new Promise((r) => setTimeout(r, 3000));
    expect(reroutes().filter((r) => JSON.stringify(r.body).includes('"1043"'))).toHaveLength(1);

    const roles = await Promise.all(replicas.map(async (s) => (await api(`${s.url}/readyz`)).body.cluster.role));
    expect([...roles].sort()).toEqual(['follower', 'leader']);
    const leader = replicas[roles.indexOf('leader')]!;
    const follower = replicas[roles.indexOf('follower')]!;
    expect(await metric(leader, /^klaxon_escalations_total\{.*outcome="rerouted"/)).toBeGreaterThanOrEqual(1);
    expect(await metric(follower, /^klaxon_escalations_total\{.*outcome="rerouted"/)).toBe(0);
    expect(
      await metric(follower, /^klaxon_escalator_skipped_runs_total\{service="oncall",reason="not_leader"\}/),
    ).toBeGreaterThan(0);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ status: string }>(
        "SELECT status FROM escalations WHERE incident_number = '1043'",
      );
      expect(rows).toEqual([{ status: 'done' }]);
    } finally {
      await client.end();
    }
  });
});
