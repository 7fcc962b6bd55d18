// A page survives the server being killed (SIGKILL of a child process running server/main.ts)
// mid-delivery, and On-Call still ends up with exactly one incident for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageEntityId, type Page } from '#common/index.js';
import { api, incidentsFor, randomKey, spawnServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';

const REST = '/integrations/*';
let stack: Stack;
const config = {
  delivery: { timeoutMs: 1500, baseDelayMs: 100, maxDelayMs: 400, giveUpAfterMinutes: 5 },
  pageRateLimit: { max: 100, windowSeconds: 600 },
};

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const alertsFor = (pageId: string) =>
  stack.sim.control
    .requests()
    .filter(
      (r) =>
        r.path.startsWith('/integrations/') &&
        (r.body as { entity_id?: string } | undefined)?.entity_id === pageEntityId(pageId),
    );

async function finalPage(url: string, token: string, id: string): Promise<Page> {
  return waitFor(
    'page delivered after restart',
    async () => {
      const p = (await api(`${url}/api/v1/pages/${id}`, { token })).body as Page;
      return p.incidentNumber && p.status === 'delivered' ? p : null;
    },
    30_000,
  );
}

describe('crash during delivery', { timeout: 60_000 }, () => {
  it('retries a page whose attempt was cut off by the crash, creating one incident', async () => {
    const alice = await stack.token('alice');
    const first = await spawnServer(stack, config);
    let second: Awaited<ReturnType<typeof spawnServer>> | null = null;
    try {
      stack.sim.control.setFaults({ latencyMs: 1000, paths: [REST] });
      const r = await api(`${first.url}/api/v1/pages`, {
        token: alice,
        body: { summary: 'Killed mid-send', idempotencyKey: randomKey() },
      });
      expect(r.status).toBe(202);
      await waitFor('the alert request to arrive', () => alertsFor(r.body.id).length === 1);
      await first.kill('SIGKILL');
      stack.sim.control.setFaults({});
      // The cut-off request never reached On-Call's handler.
      expect(incidentsFor(stack.sim, pageEntityId(r.body.id))).toHaveLength(0);
      second = await spawnServer(stack, config);
      const p = await finalPage(second.url, alice, r.body.id);
      expect(p.attempts).toBeGreaterThanOrEqual(2);
      expect(incidentsFor(stack.sim, pageEntityId(r.body.id))).toHaveLength(1);
    } finally {
      stack.sim.control.setFaults({});
      await first.kill();
      await second?.kill('SIGTERM');
    }
  });

  it('does not create a second incident when On-Call took the alert but the server died before recording it', async () => {
    const bob = await stack.token('bob');
    const first = await spawnServer(stack, config);
    let second: Awaited<ReturnType<typeof spawnServer>> | null = null;
    try {
      stack.sim.control.setFaults({ latencyMs: 800, paths: [REST] });
      const r = await api(`${first.url}/api/v1/pages`, {
        token: bob,
        body: { summary: 'Accepted, then killed', idempotencyKey: randomKey() },
      });
      await waitFor('the alert request to arrive', () => alertsFor(r.body.id).length === 1);
      // Freeze the server so it cannot record the answer, let On-Call accept the alert, then kill it.
      first.child.kill('SIGSTOP');
      await waitFor('On-Call to accept the alert', () => alertsFor(r.body.id)[0]?.status === 200);
      await first.kill('SIGKILL');
      stack.sim.control.setFaults({});
      await waitFor('the incident to exist', () => incidentsFor(stack.sim, pageEntityId(r.body.id)).length === 1);
      second = await spawnServer(stack, config);
      const p = await finalPage(second.url, bob, r.body.id);
      expect(p.status).toBe('delivered');
      // Give the new server time to make any (wrong) extra attempt before counting.
      await new Promise((res) => setTimeout(res, 1500));
      expect(incidentsFor(stack.sim, pageEntityId(r.body.id))).toHaveLength(1);
      const mine = (await api(`${second.url}/api/v1/pages/mine`, { token: bob })).body.pages as Page[];
      expect(mine.find((x) => x.id === r.body.id)?.incidentNumber).toBe(p.incidentNumber);
    } finally {
      stack.sim.control.setFaults({});
      await first.kill();
      await second?.kill('SIGTERM');
    }
  });

  it('does not reopen a resolved incident when the server restarts after On-Call took the alert', async () => {
    const alice = await stack.token('alice');
    const first = await spawnServer(stack, config);
    let second: Awaited<ReturnType<typeof spawnServer>> | null = null;
    try {
      stack.sim.control.setFaults({ latencyMs: 800, paths: [REST] });
      const r = await api(`${first.url}/api/v1/pages`, {
        token: alice,
        body: { summary: 'Resolved while down', idempotencyKey: randomKey() },
      });
      await waitFor('the alert request to arrive', () => alertsFor(r.body.id).length === 1);
      first.child.kill('SIGSTOP');
      await waitFor('On-Call to accept the alert', () => alertsFor(r.body.id)[0]?.status === 200);
      await first.kill('SIGKILL');
      stack.sim.control.setFaults({});
      const [incident] = (await waitFor('the incident', () => {
        const found = incidentsFor(stack.sim, pageEntityId(r.body.id));
        return found.length ? found : null;
      })) as { incidentNumber: string }[];
      // SRE fixed it and resolved the incident while Klaxon was down: a resend now would open a new one.
      stack.sim.control.resolve(String(incident!.incidentNumber), 'carol');
      second = await spawnServer(stack, config);
      const p = await waitFor(
        'page resolved',
        async () => {
          const x = (await api(`${second!.url}/api/v1/pages/${r.body.id}`, { token: alice })).body as Page;
          return x.status === 'resolved' ? x : null;
        },
        30_000,
      );
      expect(p.incidentNumber).toBe(String(incident!.incidentNumber));
      await new Promise((res) => setTimeout(res, 1500));
      expect(incidentsFor(stack.sim, pageEntityId(r.body.id))).toHaveLength(1);
      expect(alertsFor(r.body.id)).toHaveLength(1);
    } finally {
      stack.sim.control.setFaults({});
      await first.kill();
      await second?.kill('SIGTERM');
    }
  });

  it('a graceful SIGTERM stops the server and keeps queued pages for the next start', async () => {
    const alice = await stack.token('alice');
    stack.sim.control.setFaults({ errorRate: 1, paths: [REST] });
    const first = await spawnServer(stack, config);
    let second: Awaited<ReturnType<typeof spawnServer>> | null = null;
    try {
      const r = await api(`${first.url}/api/v1/pages`, {
        token: alice,
        body: { summary: 'Queued over a restart', idempotencyKey: randomKey() },
      });
      await waitFor('a failed attempt', () => alertsFor(r.body.id).length >= 1);
      await first.kill('SIGTERM');
      expect(first.child.exitCode).toBe(0);
      stack.sim.control.setFaults({});
      second = await spawnServer(stack, config);
      await finalPage(second.url, alice, r.body.id);
      expect(incidentsFor(stack.sim, pageEntityId(r.body.id))).toHaveLength(1);
    } finally {
      stack.sim.control.setFaults({});
      await first.kill();
      await second?.kill('SIGTERM');
    }
  });
});
