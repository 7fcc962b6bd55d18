// Pages that reach On-Call and still wake nobody, against the real simulator (realistic org): a page
// sent while its routing key is muted (maintenance mode), and a page whose incident never shows up
// under its entity id (a Rules Engine rewrite) or shows up late.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from '#common/index.js';
import { api, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: string;

beforeAll(async () => {
  stack = await startStack({ sim: { org: 'realistic', rateLimit: false } });
  server = await startServer(stack, {
    pageRateLimit: { max: 100, windowSeconds: 600 },
    delivery: { unconfirmedAfterSeconds: 3 },
  });
  alice = await stack.token('alice');
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});
beforeEach(() => {
  stack.sim.control.setFaults({});
  stack.sim.control.setRules([]);
  stack.sim.control.setConsistencyDelay(0);
  for (const m of stack.sim.control.maintenance()) stack.sim.control.endMaintenance(m.instanceId);
});

async function send(target: string): Promise<string> {
  const r = await api(`${server.url}/api/v1/pages`, {
    token: alice,
    body: { summary: `Page to ${target}`, target, idempotencyKey: randomKey() },
  });
  expect(r.status).toBe(202);
  return r.body.id as string;
}
const getPage = async (id: string): Promise<Page> =>
  (await api(`${server.url}/api/v1/pages/${id}`, { token: alice })).body as Page;
const metric = async (name: string): Promise<number> => {
  const text = (await api(`${server.url}/metrics`)).body as string;
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 'NaN');
};

describe('a page while On-Call is in maintenance mode', () => {
  it('is marked "nobody was paged" once its incident shows nobody paged, and loses the mark when paging resumes', async () => {
    const before = await metric('klaxon_pages_muted_total');
    const id = stack.sim.control.startMaintenance({
      routingKeys: ['platform'],
      purpose: 'Upgrade',
      startedBy: 'priya',
    });
    const pageId = await send('platform');
    const muted = await waitFor('the page marked muted', async () => {
      const p = await getPage(pageId);
      return p.mutedAt ? p : null;
    });
    expect(muted).toMatchObject({ status: 'delivered', incidentNumber: expect.stringMatching(/^\d+$/) });
    expect(await metric('klaxon_pages_muted_total')).toBe(before + 1);
    // Ending maintenance: On-Call pages the incident from its first step, and the page says so.
    stack.sim.control.endMaintenance(id);
    const paging = await waitFor('the mark gone once someone is paged', async () => {
      const p = await getPage(pageId);
      return p.mutedAt === null ? p : null;
    });
    expect(paging.status).toBe('delivered');
  });

  it('is not marked when another target is muted', async () => {
    stack.sim.control.startMaintenance({ routingKeys: ['platform'] });
    const pageId = await send('sre');
    const p = await waitFor('the incident', async () => {
      const x = await getPage(pageId);
      return x.incidentNumber ? x : null;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect((await getPage(pageId)).mutedAt ?? null).toBeNull();
    expect(p.status).toBe('delivered');
  });
});

describe('a delivered page whose incident does not appear', () => {
  it('is marked unconfirmed when a Rules Engine rule rewrote its entity id, and counted', async () => {
    const before = await metric('klaxon_pages_unconfirmed_total');
    stack.sim.control.setRules([
      { when: { field: 'monitoring_tool', matches: 'klaxon' }, set: { entity_id: 'rewritten/${{entity_id}}' } },
    ]);
    const pageId = await send('sre');
    const p = await waitFor('the page marked unconfirmed', async () => {
      const x = await getPage(pageId);
      return x.unconfirmedAt ? x : null;
    });
    expect(p).toMatchObject({ status: 'delivered', incidentNumber: null });
    expect(Date.parse(p.unconfirmedAt!) - Date.parse(p.deliveredAt!)).toBeGreaterThanOrEqual(3000);
    expect(await metric('klaxon_pages_unconfirmed_total')).toBe(before + 1);
    // The incident is there, under the rewritten id: the page could not have found it.
    expect(
      stack.sim.control.incidents().some((i) => (i as { entityId: string }).entityId === `rewritten/klaxon/${pageId}`),
    ).toBe(true);
  });

  it('moves on normally when its incident appears late', async () => {
    stack.sim.control.setConsistencyDelay(600_000);
    const pageId = await send('sre');
    await waitFor('the page marked unconfirmed', async () => (await getPage(pageId)).unconfirmedAt);
    stack.sim.control.flushPending();
    const p = await waitFor('the late incident found', async () => {
      const x = await getPage(pageId);
      return x.incidentNumber ? x : null;
    });
    expect(p.unconfirmedAt).toBeNull();
    expect(p.status).toBe('delivered');
  });
});
