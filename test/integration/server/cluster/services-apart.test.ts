// Two replicas on one PostgreSQL database with an On-Call and a PagerDuty target, against both
// simulators: the shared view keeps each service's health apart (server/cluster/shared-hub.ts), so
// PagerDuty's outage does not hold back an On-Call page's resend on either replica, and On-Call
// answering again does not make PagerDuty's failing pages due (test/support/services-apart.ts).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '#test/support/postgres.js';
import { api, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { pagerDutyDownOnCallBack, SLOW_RETRIES } from '#test/support/services-apart.js';
import { waitFor } from '#test/support/wait-for.js';

let stack: Stack;
let db: PostgresCluster;
let a: Awaited<ReturnType<typeof startServer>>;
let b: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  db = await startPostgres();
  const url = await db.createDatabase('services_apart');
  stack = await startStack({ pagerduty: {} });
  a = await startServer(stack, { ...SLOW_RETRIES, storage: { postgresUrl: url } });
  b = await startServer(stack, { ...SLOW_RETRIES, storage: { postgresUrl: url } });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await stack?.close();
  await db?.close();
});

// Up to a minute for the PagerDuty page's long backoff draw, then 20 s for the On-Call page.
describe('each paging service on its own, with two replicas', { timeout: 120_000 }, () => {
  it('PagerDuty down, On-Call back: the On-Call page sent through the follower goes, the PagerDuty pages keep their schedule', async () => {
    const role = async (s: { url: string }) =>
      ((await api(`${s.url}/readyz`)).body as { cluster: { role: string } }).cluster.role;
    const follower = await waitFor('a follower', async () => {
      const [x, y] = await Promise.all([role(a), role(b)]);
      return x === 'follower' && y === 'leader' ? a : y === 'follower' && x === 'leader' ? b : null;
    });
    const leader = follower === a ? b : a;
    await pagerDutyDownOnCallBack(stack, [follower, leader]);
  });
});
