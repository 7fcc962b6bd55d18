// Two Klaxon servers on one PostgreSQL database, each with an On-Call target and a PagerDuty target,
// against both simulators over HTTP: the leader polls both services and shares both lists, so a
// page to the PagerDuty target sent through either server is delivered once and its incident
// reaches clients of both servers under the same event id, keyed by service (`pagerduty:N` is not
// On-Call's N); an acknowledgement through Klaxon on the follower is credited to the person on both;
// "Escalate now" through the follower sends a PagerDuty incident to PagerDuty's fallback policy once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentKey, pageEntityId, type Page, type ServerEvent } from '#common/index.js';
import { DEMO_POLICY_BATPHONE } from '#dev/pagerduty-simulator/index.js';
import { startPostgres, type PostgresCluster } from '#test/support/postgres.js';
import { api, PD_TARGET, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { openSse, type SseConnection } from '#test/support/sse-test-client.js';
import { waitFor } from '#test/support/wait-for.js';

let stack: Stack;
let db: PostgresCluster;
let a: Awaited<ReturnType<typeof startServer>>;
let b: Awaited<ReturnType<typeof startServer>>;
const streams: SseConnection[] = [];

beforeAll(async () => {
  db = await startPostgres();
  const url = await db.createDatabase('pagerduty_replicas');
  stack = await startStack({ pagerduty: {} });
  const config = {
    storage: { postgresUrl: url },
    pagerduty: { escalation: { policy: DEMO_POLICY_BATPHONE } },
    escalation: { manualAfterMinutes: 0 },
  };
  a = await startServer(stack, config);
  b = await startServer(stack, config);
});
afterAll(async () => {
  for (const s of streams) s.close();
  await b?.close();
  await a?.close();
  await stack?.close();
  await db?.close();
});

const roles = async () => {
  const [x, y] = await Promise.all([a, b].map(async (s) => (await api(`${s.url}/readyz`)).body));
  return x.cluster.role === 'leader' && y.cluster.role === 'follower'
    ? { leader: a, follower: b }
    : y.cluster.role === 'leader' && x.cluster.role === 'follower'
      ? { leader: b, follower: a }
      : null;
};

describe('two replicas with an On-Call and a PagerDuty target', () => {
  it('share PagerDuty incidents through the journal and credit a Klaxon acknowledgement on both', async () => {
    const { leader, follower } = await waitFor('a leader and a follower', roles, 20_000);
    const alice = await stack.token('alice');
    const carol = await stack.token('carol');
    const onLeader = await openSse(`${leader.url}/api/v1/events`, { authorization: `Bearer ${alice}` });
    const onFollower = await openSse(`${follower.url}/api/v1/events`, { authorization: `Bearer ${alice}` });
    streams.push(onLeader, onFollower);
    await onLeader.next((e) => e.type === 'snapshot');
    await onFollower.next((e) => e.type === 'snapshot');

    // Sent through the follower; the leader's pollers find its incident.
    const sent = await api(`${follower.url}/api/v1/pages`, {
      token: alice,
      body: { summary: 'Replicated PagerDuty page', target: PD_TARGET.id, idempotencyKey: randomKey() },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const page = sent.body as Page;
    const opened = (e: ServerEvent) =>
      e.type === 'incident' && e.data.incident.title.includes('Replicated PagerDuty page');
    const [x, y] = await Promise.all([onLeader.next(opened, 20_000), onFollower.next(opened, 20_000)]);
    expect(x.id).toBe(y.id);
    expect(x).toEqual(y);
    const incident = x.type === 'incident' ? x.data.incident : null;
    expect(incident?.backend).toBe('pagerduty');
    expect(stack.pd!.control.eventCounts(pageEntityId(page.id))).toMatchObject({ trigger: 1, incidents: 1 });
    const key = incidentKey(incident!);
    expect(key).toBe(`pagerduty:${incident!.number}`);

    // Carol acknowledges through the follower as her own PagerDuty user: the leader's presenter reads
    // the record with its next poll, and both servers credit her.
    const ack = await api(`${follower.url}/api/v1/incidents/${key}/ack`, { token: carol, body: {} });
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    for (const s of [leader, follower]) {
      const listed = await waitFor(
        `the acknowledgement on ${s === leader ? 'the leader' : 'the follower'}`,
        async () => {
          const snap = (await api(`${s.url}/api/v1/incidents`, { token: alice })).body as {
            incidents: { backend?: string; number: string; ackedByName?: string }[];
          };
          const i = snap.incidents.find((n) => n.backend === 'pagerduty' && n.number === incident!.number);
          return i?.ackedByName ? i : null;
        },
      );
      expect(listed.ackedByName).toBe('Carol Okafor (via Klaxon)');
    }
    // The page follows on either server.
    const followed = await waitFor('the page acknowledged', async () => {
      const p = (await api(`${follower.url}/api/v1/pages/${page.id}`, { token: alice })).body as Page;
      return p.status === 'acknowledged' ? p : null;
    });
    expect(followed).toMatchObject({ backend: 'pagerduty', incidentNumber: incident!.number });
  });
  it('escalate a PagerDuty page through the follower once, shown on both servers', async () => {
    const { leader, follower } = await waitFor('a leader and a follower', roles, 20_000);
    const alice = await stack.token('alice');
    const sent = await api(`${follower.url}/api/v1/pages`, {
      token: alice,
      body: { summary: 'Escalated through a replica', target: PD_TARGET.id, idempotencyKey: randomKey() },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const id = (sent.body as Page).id;
    const delivered = await waitFor('the page with its incident', async () => {
      const p = (await api(`${follower.url}/api/v1/pages/${id}`, { token: alice })).body as Page;
      return p.incidentNumber && p.status === 'delivered' ? p : null;
    });
    const pdIncident = stack.pd!.control.incidents().find((i) => i.incident_key === pageEntityId(id)) as { id: string };
    const press = () => api(`${follower.url}/api/v1/pages/${id}/escalate`, { token: alice, body: {} });
    const first = await press();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    // Once, even asked again through the other replica.
    const again = await api(`${leader.url}/api/v1/pages/${id}/escalate`, { token: alice, body: {} });
    expect(again.status).toBe(409);
    expect(
      stack.pd!.control.requests().filter((r) => r.method === 'PUT' && r.path === `/incidents/${pdIncident.id}`),
    ).toHaveLength(1);
    for (const s of [leader, follower])
      await waitFor(`the escalation shown on ${s === leader ? 'the leader' : 'the follower'}`, async () => {
        const snap = (await api(`${s.url}/api/v1/incidents`, { token: alice })).body as {
          incidents: { backend?: string; number: string; escalation?: { to: string } | null }[];
        };
        const i = snap.incidents.find((n) => n.backend === 'pagerduty' && n.number === delivered.incidentNumber);
        return i?.escalation?.to === 'Batphone' ? i : null;
      });
  });
});
