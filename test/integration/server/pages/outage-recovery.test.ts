// Recovery after a restart or a missed poll, against the real On-Call simulator and real SQLite:
// a retried page whose incident already exists is never sent again even when the hub has not
// listed incidents yet, and a page whose incident left On-Call's list still ends resolved.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pageEntityId, type Page } from '#common/index.js';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { DeliveryWorker } from '#server/pages/delivery-worker.js';
import { IncidentsHub } from '#server/live/incidents-hub.js';
import type { SplunkOnCallBackend } from '#server/backends/splunk-oncall/backend.js';
import { PageTracker } from '#server/pages/page-tracker.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { createMetrics } from '#server/http/metrics.js';
import { incidentsFor } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';
import { simulatorBackend } from '#test/support/oncall-backend.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let sim: RunningSimulator;
let dir: string;
let store: SqliteStore;
let backend: SplunkOnCallBackend;
const stops: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  sim = await startOnCallSimulator({ seed: 'empty', rateLimit: false });
  dir = mkdtempSync(path.join(tmpdir(), 'klaxon-recovery-'));
  store = new SqliteStore(path.join(dir, 'klaxon.db'));
  backend = simulatorBackend(sim, { timeoutMs: 1000 });
});
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
  await store.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page accepted earlier whose first attempt was cut off (as after a crash mid-send). */
async function pageAttemptedOnce(summary: string): Promise<Page> {
  const { page } = await acceptQueuedPage(store, { summary, email: 'alice@klaxon.test', client: 'desktop' });
  // The crashed server's claim: attempt 1, under a lease that has already run out.
  expect(await store.claimDuePages('crashed-server', new Date(), 1, 10)).toHaveLength(1);
  return (await store.getPage(page.id))!.page;
}

/** A worker just after a restart whose hub has not listed On-Call's incidents (its first poll failed). */
async function startWorker(sent: string[]): Promise<DeliveryWorker> {
  await new Promise((r) => setTimeout(r, 5)); // the crashed server's lease runs out
  const worker = new DeliveryWorker({
    store,
    backend: {
      sendAlert: (page, key) => (sent.push(pageEntityId(page.id)), backend.sendAlert(page, key)),
      findPageIncident: (page) => backend.findPageIncident(page),
      getIncident: (n) => backend.getIncident(n),
    },
    incidents: {
      findByEntityId: () => null,
      refreshNow: async () => undefined,
      listed: () => new Map([['oncall', false]]),
    },
    firstPollWaitMs: 0,
    delivery: { timeoutMs: 1000, baseDelayMs: 100, maxDelayMs: 300, giveUpAfterMinutes: 5, concurrency: 2 },
    onPage: () => {},
    metrics: createMetrics(),
    logger: quiet,
  });
  worker.start();
  stops.push(() => worker.stop());
  return worker;
}

describe('retrying a page before the hub has listed incidents', () => {
  it('looks the incident up directly and does not reopen one resolved meanwhile', async () => {
    const page = await pageAttemptedOnce('Resolved while Klaxon was down');
    const number = sim.control.createIncident({
      title: 'Manual page',
      routingKey: 'sre',
      entityId: pageEntityId(page.id),
    });
    sim.control.resolve(number, 'carol');
    const sent: string[] = [];
    await startWorker(sent);
    const done = await waitFor('page marked delivered', async () => {
      const p = (await store.getPage(page.id))!.page;
      return p.status === 'delivered' ? p : null;
    });
    expect(done.incidentNumber).toBe(number);
    expect(sent).toEqual([]);
    expect(incidentsFor(sim, pageEntityId(page.id))).toHaveLength(1);
  });

  it('keeps waiting (no resend) while the look-up fails, then finds the incident', async () => {
    const page = await pageAttemptedOnce('On-Call list down');
    const number = sim.control.createIncident({
      title: 'Manual page',
      routingKey: 'sre',
      entityId: pageEntityId(page.id),
    });
    sim.control.resolve(number, 'carol');
    sim.control.setFaults({ errorRate: 1, paths: ['/api-public/*'] });
    const sent: string[] = [];
    await startWorker(sent);
    const waiting = await waitFor('the page to wait for the look-up', async () => {
      const p = (await store.getPage(page.id))!.page;
      return p.status === 'failing' && p.lastError ? p : null;
    });
    expect(waiting.lastError).toMatch(/could not check with On-Call whether this page already arrived/);
    expect(waiting.gaveUpAt).toBeNull();
    await new Promise((r) => setTimeout(r, 800));
    expect(sent).toEqual([]);
    sim.control.setFaults({});
    const done = await waitFor('page delivered after the look-up works', async () => {
      const p = (await store.getPage(page.id))!.page;
      return p.status === 'delivered' ? p : null;
    });
    expect(done.incidentNumber).toBe(number);
    expect(sent).toEqual([]);
    expect(incidentsFor(sim, pageEntityId(page.id))).toHaveLength(1);
  });
});

describe("an incident that leaves On-Call's list", () => {
  it('is looked up once and its page ends resolved instead of staying acknowledged', async () => {
    const page = await pageAttemptedOnce('Acked, then resolved and gone');
    await store.updatePage(page.id, { status: 'delivered', deliveredAt: new Date() });
    const number = sim.control.createIncident({
      title: 'Manual page',
      routingKey: 'sre',
      entityId: pageEntityId(page.id),
    });
    sim.control.ack(number, 'carol');
    const hub = new IncidentsHub({
      backend,
      config: { pollIntervalSeconds: 3600, recentWindowMinutes: 60 },
      logger: quiet,
    });
    const tracker = new PageTracker({ store, hub, backend, onPage: () => {}, intervalMs: 3_600_000, logger: quiet });
    tracker.start();
    stops.push(() => tracker.stop());
    await hub.refreshNow('test');
    await tracker.idle();
    expect((await store.getPage(page.id))!.page).toMatchObject({
      status: 'acknowledged',
      ackedBy: 'carol',
      incidentNumber: number,
    });
    // Resolved and dropped from On-Call's list between two polls.
    sim.control.resolve(number, 'carol');
    sim.control.advance(61 * 60_000);
    sim.control.clearRequests();
    await hub.refreshNow('test');
    expect(hub.findByEntityId(pageEntityId(page.id))).toBeNull();
    const p = await waitFor('page resolved', async () => {
      const x = (await store.getPage(page.id))!.page;
      return x.status === 'resolved' ? x : null;
    });
    expect(p.ackedBy).toBe('carol');
    expect(sim.control.requests().filter((r) => r.path === `/api-public/v1/incidents/${number}`)).toHaveLength(1);
  });
});
