// One paging service down while the other answers again, for a server with an On-Call and a
// PagerDuty target (one process on SQLite, or replicas on PostgreSQL): each service's health is its
// own (server/pages/delivery-worker.ts, server/cluster/shared-hub.ts). Shared by the single-process
// and the replicas suites, which start the servers.
import { expect } from 'vitest';
import { pageEntityId, type Page } from '#common/index.js';
import { api, PD_TARGET, randomKey, type Stack } from './server-stack.js';
import { waitFor } from './wait-for.js';

/**
 * What the servers need: a long delivery backoff, so a failing page goes again soon only when its
 * own service answers again (or by chance of the backoff's jitter, which the checks allow for).
 */
export const SLOW_RETRIES = {
  delivery: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
  pageRateLimit: { max: 10 },
} as const;

/** PagerDuty pages sent: the backoff's jitter gives most of them a long wait, which the check needs. */
const PD_PAGES = 4;
/** How far ahead a PagerDuty page's next attempt must be for the check: beyond all that follows. */
const AHEAD_MS = 20_000;

const ON_CALL_LIST = '/api-public/v1/incidents';

/**
 * PagerDuty's incident list and events fail throughout; On-Call's alerts and list fail, then answer
 * again. Then an On-Call page that needs a resend is delivered (once) without waiting for PagerDuty,
 * and the PagerDuty pages keep their own schedule: On-Call answering again does not make them due.
 * `servers[0]` takes the pages and is asked about them.
 */
export async function pagerDutyDownOnCallBack(stack: Stack, servers: { url: string }[]): Promise<void> {
  const pd = stack.pd!;
  const token = await stack.token('alice');
  const via = servers[0]!;
  await waitFor('both services listed', async () => {
    const snap = (await api(`${via.url}/api/v1/incidents`, { token })).body as { upstream: { ok: boolean } };
    return snap.upstream.ok ? snap : null;
  });
  try {
    pd.control.setFaults({ errorRate: 1, paths: ['/incidents', '/v2/enqueue'] });
    stack.sim.control.setFaults({ errorRate: 1, paths: ['/integrations/*', ON_CALL_LIST] });
    const listFailures = () =>
      stack.sim.control.requests().filter((r) => r.path === ON_CALL_LIST && r.method === 'GET' && r.fault).length;

    const send = async (summary: string, target?: string) => {
      const r = await api(`${via.url}/api/v1/pages`, {
        token,
        body: { summary, ...(target ? { target } : {}), idempotencyKey: randomKey() },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return (r.body as Page).id;
    };
    const onCall = await send('On-Call page while PagerDuty is down');
    const onPd: string[] = [];
    for (let i = 1; i <= PD_PAGES; i++)
      onPd.push(await send(`PagerDuty page ${i} while PagerDuty is down`, PD_TARGET.id));
    const pageOf = async (id: string) => (await api(`${via.url}/api/v1/pages/${id}`, { token })).body as Page;
    for (const id of [onCall, ...onPd])
      await waitFor(`page ${id} failing`, async () => {
        const p = await pageOf(id);
        return p.status === 'failing' && p.attempts >= 1 ? p : null;
      });
    // On-Call's poller has seen its list fail (a faulted list request, and time to take in its answer).
    await waitFor('a failed On-Call list', () => listFailures() > 0, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    // The PagerDuty pages wait out their own backoff (each a draw of up to 60 s): those whose next
    // attempt is far enough ahead for everything that follows to happen before it are checked.
    const pdBefore = await waitFor(
      `a PagerDuty page scheduled ${AHEAD_MS / 1000} s ahead or more`,
      async () => {
        const far = (await Promise.all(onPd.map(pageOf))).filter(
          (p) => p.status === 'failing' && p.nextAttemptAt && Date.parse(p.nextAttemptAt) - Date.now() > AHEAD_MS,
        );
        return far.length > 0 ? far : null;
      },
      60_000,
    );

    // On-Call answers again; PagerDuty does not.
    stack.sim.control.setFaults({});
    const back = Date.now();
    const delivered = await waitFor(
      'the On-Call page delivered while PagerDuty is down',
      async () => {
        const p = await pageOf(onCall);
        return p.status === 'delivered' || p.status === 'acknowledged' ? p : null;
      },
      AHEAD_MS - 5000,
    );
    // Its 60 s backoff did not hold it: On-Call answering again made it due, and its resend asked
    // On-Call alone whether it had arrived.
    expect(Date.now() - back).toBeLessThan(AHEAD_MS - 2000);
    expect(delivered.attempts).toBeGreaterThanOrEqual(2);
    expect(stack.sim.control.incidents().filter((i) => i.entityId === pageEntityId(onCall))).toHaveLength(1);
    const snap = (await api(`${via.url}/api/v1/incidents`, { token })).body as { upstream: { ok: boolean } };
    expect(snap.upstream.ok).toBe(false); // PagerDuty is still down

    // The PagerDuty pages kept their own schedule: not made due, not tried again.
    for (const before of pdBefore)
      expect(await pageOf(before.id)).toMatchObject({
        status: 'failing',
        attempts: before.attempts,
        nextAttemptAt: before.nextAttemptAt,
      });
  } finally {
    pd.control.setFaults({});
    stack.sim.control.setFaults({});
  }
}
