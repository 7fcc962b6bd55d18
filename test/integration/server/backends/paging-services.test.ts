// One Klaxon server with one On-Call target and one PagerDuty target, against both real simulators
// over HTTP: one incident list and one badge for both services, each incident saying where it lives
// and linking to that service's web UI; paging through either exactly once despite faults; a
// PagerDuty page followed to a named acknowledgement (in PagerDuty, and through Klaxon).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  countIncidents,
  incidentKey,
  pageEntityId,
  type Incident,
  type IncidentSnapshot,
  type Page,
} from '#common/index.js';
import { DEMO_USERS } from '#dev/pagerduty-simulator/index.js';
import {
  api,
  incidentsFor,
  PD_TARGET,
  randomKey,
  startServer,
  startStack,
  type Stack,
} from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: string;
let carol: string;
const pd = () => stack.pd!;

beforeAll(async () => {
  stack = await startStack({ pagerduty: {} });
  server = await startServer(stack, { pageRateLimit: { max: 100, windowSeconds: 600 } });
  alice = await stack.token('alice');
  carol = await stack.token('carol');
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});
beforeEach(() => {
  stack.sim.control.setFaults({});
  pd().control.setFaults({});
});

const page = async (target: string, summary: string): Promise<Page> => {
  const r = await api(`${server.url}/api/v1/pages`, {
    token: alice,
    body: { summary, target, idempotencyKey: randomKey() },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body as Page;
};
const getPage = async (id: string): Promise<Page> =>
  (await api(`${server.url}/api/v1/pages/${id}`, { token: alice })).body as Page;
const withIncident = (id: string): Promise<Page> =>
  waitFor(`page ${id} delivered with its incident`, async () => {
    const p = await getPage(id);
    return p.incidentNumber ? p : null;
  });
const snapshot = async (): Promise<IncidentSnapshot> =>
  (await api(`${server.url}/api/v1/incidents`, { token: alice })).body as IncidentSnapshot;
/** The PagerDuty incident a page opened, as the simulator holds it. */
const pdIncidentOf = (pageId: string) =>
  pd()
    .control.incidents()
    .find((i) => i.incident_key === pageEntityId(pageId)) as { id: string; incident_number: number } | undefined;

describe('a server with one On-Call target and one PagerDuty target', () => {
  it('tells the client about both targets without naming a vendor in the page request', async () => {
    const r = await api(`${server.url}/api/v1/client-config`);
    expect(r.status).toBe(200);
    expect(r.body.targets.map((t: { id: string }) => t.id)).toEqual(['sre', PD_TARGET.id]);
  });

  it('shows both services’ incidents in one list and one badge, each saying where it lives and linking there', async () => {
    const [oc, pdPage] = await Promise.all([
      page('sre', 'Checkout 500s (On-Call)'),
      page(PD_TARGET.id, 'Checkout 500s (PagerDuty)'),
    ]);
    const [ocDone, pdDone] = await Promise.all([withIncident(oc.id), withIncident(pdPage.id)]);
    const found = await waitFor('both incidents listed', async () => {
      const s = await snapshot();
      const a = s.incidents.find((i) => i.title.includes('Checkout 500s (On-Call)'));
      const b = s.incidents.find((i) => i.title.includes('Checkout 500s (PagerDuty)'));
      return a && b ? { s, a, b } : null;
    });
    const { a, b } = found;
    expect(a.backend ?? 'oncall').toBe('oncall');
    expect(b.backend).toBe('pagerduty');
    expect(b.number).toBe(String(pdIncidentOf(pdPage.id)!.incident_number));
    // Numbers repeat across services; the page says which service its incident lives on.
    expect(pdDone).toMatchObject({ incidentNumber: b.number, backend: 'pagerduty' });
    expect(incidentKey(b)).toBe(`pagerduty:${b.number}`);
    expect(ocDone.incidentNumber).toBe(a.number);
    expect(ocDone.backend ?? 'oncall').toBe('oncall');
    // Each links to its own service's web UI.
    expect(b.link).toMatch(/^https:\/\/[a-z0-9-]+\.pagerduty\.com\/incidents\/[A-Z0-9]+$/);
    expect(a.link ?? '').not.toMatch(/pagerduty/);
    // One badge over both: both are open and unacknowledged.
    const counts = countIncidents(found.s.incidents);
    const unacked = found.s.incidents.filter((i: Incident) => i.phase === 'UNACKED').length;
    expect(counts.unacked).toBe(unacked);
    expect(unacked).toBeGreaterThanOrEqual(2);
  });

  it('pages through either service exactly once after failed attempts and a lost answer', async () => {
    // Every delivery fails until each page has been tried at least twice.
    stack.sim.control.setFaults({ errorRate: 0.5, resetRate: 0.5, paths: ['/integrations/*'] });
    pd().control.setFaults({ errorRate: 0.5, resetRate: 0.5, paths: ['/v2/enqueue'] });
    const pages = await Promise.all(
      [0, 1, 2].flatMap((n) => [page('sre', `Flaky On-Call ${n}`), page(PD_TARGET.id, `Flaky PagerDuty ${n}`)]),
    );
    await waitFor('every page tried twice', async () =>
      (await Promise.all(pages.map((p) => getPage(p.id)))).every((p) => p.attempts >= 2),
    );
    stack.sim.control.setFaults({});
    pd().control.setFaults({});
    await Promise.all(pages.map((p) => withIncident(p.id)));
    // An answer lost after PagerDuty took the event: the same trigger arrives again.
    const again = pages.find((p) => p.target.id === PD_TARGET.id)!;
    const first = pd().control.events({ dedupKey: pageEntityId(again.id), action: 'trigger' })[0]!;
    expect((await api(pd().eventsUrl, { body: first.body })).status).toBe(202);
    for (const p of pages) {
      if (p.target.id === PD_TARGET.id) {
        expect(pd().control.eventCounts(pageEntityId(p.id)).incidents, p.summary).toBe(1);
        expect(incidentsFor(stack.sim, pageEntityId(p.id))).toHaveLength(0);
      } else {
        expect(incidentsFor(stack.sim, pageEntityId(p.id)), p.summary).toHaveLength(1);
        expect(pd().control.eventCounts(pageEntityId(p.id)).trigger).toBe(0);
      }
    }
    // The trigger carries what a responder needs: who asked, and the dedup key derived from the page id.
    const pdPage = pages.find((p) => p.target.id === PD_TARGET.id)!;
    const event = pd().control.events({ dedupKey: pageEntityId(pdPage.id), action: 'trigger' })[0]!;
    expect(event).toMatchObject({ dedupKey: `klaxon/${pdPage.id}` });
  });

  it('follows a PagerDuty page to the person who acknowledged it in PagerDuty', async () => {
    const p = await page(PD_TARGET.id, 'Database failover stuck');
    await withIncident(p.id);
    pd().control.acknowledge(pdIncidentOf(p.id)!.id, DEMO_USERS.dmitri);
    const acked = await waitFor('page acknowledged', async () => {
      const now = await getPage(p.id);
      return now.status === 'acknowledged' ? now : null;
    });
    expect(acked.ackedBy).toBe('Dmitri Ivanov');
  });

  it('acknowledges through Klaxon as the person’s own PagerDuty user, else as the service user', async () => {
    const mine = await page(PD_TARGET.id, 'Queue backlog');
    const theirs = await page(PD_TARGET.id, 'Cache misses');
    const [m, t] = await Promise.all([withIncident(mine.id), withIncident(theirs.id)]);
    const key = (p: Page) => incidentKey({ backend: p.backend, number: p.incidentNumber! });
    // Carol has a PagerDuty user (same e-mail): PagerDuty records her.
    const byCarol = await api(`${server.url}/api/v1/incidents/${key(m)}/ack`, { token: carol, body: {} });
    expect(byCarol.status, JSON.stringify(byCarol.body)).toBe(200);
    expect(byCarol.body.accepted).toBe(true);
    // Alice has none: Klaxon acknowledges as pagerduty.fromEmail.
    const byAlice = await api(`${server.url}/api/v1/incidents/${key(t)}/ack`, { token: alice, body: {} });
    expect(byAlice.status, JSON.stringify(byAlice.body)).toBe(200);
    expect(byAlice.body.message).toMatch(/acknowledged in PagerDuty \(as klaxon@klaxon\.test\)/);
    const puts = pd()
      .control.requests()
      .filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.from)).toEqual(expect.arrayContaining(['carol@klaxon.test', 'klaxon@klaxon.test']));
    // Both are credited to the person who acknowledged in Klaxon, as for On-Call
    // (test/integration/server/live/acknowledged-by.test.ts): on the page and on the incident.
    const carolsPage = await waitFor('page acknowledged by Carol', async () => {
      const now = await getPage(mine.id);
      return now.ackedByName ? now : null;
    });
    expect(carolsPage).toMatchObject({
      status: 'acknowledged',
      ackedBy: 'Carol Okafor',
      ackedByName: 'Carol Okafor (via Klaxon)',
    });
    const alicesPage = await waitFor('page acknowledged through Klaxon as the service user', async () => {
      const now = await getPage(theirs.id);
      return now.ackedByName ? now : null;
    });
    // PagerDuty itself names its service user ("Klaxon"): the person is what Klaxon adds.
    expect(alicesPage).toMatchObject({
      status: 'acknowledged',
      ackedBy: 'Klaxon',
      ackedByName: 'Alice Andersen (via Klaxon)',
    });
    const listed = (await snapshot()).incidents.find((i) => incidentKey(i) === key(t));
    expect(listed).toMatchObject({
      backend: 'pagerduty',
      phase: 'ACKED',
      ackedBy: 'Klaxon',
      ackedByName: 'Alice Andersen (via Klaxon)',
    });
  });

  it('a page to a PagerDuty target in a maintenance window says nobody was paged; the On-Call target is not muted', async () => {
    const window = pd().control.addMaintenanceWindow({
      serviceIds: [PD_TARGET.service],
      description: 'Database upgrade',
    }) as { id: string };
    try {
      const muting = await waitFor('the PagerDuty target muted', async () => {
        const r = await api(`${server.url}/api/v1/oncall`, { token: alice });
        const targets = (r.body.targets ?? []) as { targetId: string; muting: { state: string } }[];
        const pdTarget = targets.find((t) => t.targetId === PD_TARGET.id);
        return pdTarget?.muting.state === 'muted' ? targets : null;
      });
      expect(muting.find((t) => t.targetId === 'sre')!.muting.state).toBe('off');
      const p = await page(PD_TARGET.id, 'Payments failing during the upgrade');
      const muted = await waitFor('page marked muted', async () => {
        const now = await getPage(p.id);
        return now.mutedAt ? now : null;
      });
      // PagerDuty opens no incident for a service in maintenance: the page has none, and says why.
      expect(muted).toMatchObject({ status: 'delivered', incidentNumber: null, unconfirmedAt: null });
      expect(pd().control.eventCounts(pageEntityId(p.id))).toMatchObject({ trigger: 1, incidents: 0 });
    } finally {
      pd().control.endMaintenanceWindow(window.id);
    }
  });
});
