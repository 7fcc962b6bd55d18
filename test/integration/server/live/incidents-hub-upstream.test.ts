import { afterEach, describe, expect, it } from 'vitest';
import { IncidentSnapshot } from '#common/index.js';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { IncidentsHub, type HubChange } from '#server/live/incidents-hub.js';
import { simulatorBackend } from '#test/support/oncall-backend.js';
import { RecordingLogger } from '#test/support/live-stack.js';
import { waitFor } from '#test/support/wait-for.js';

let sim: RunningSimulator | null = null;
let hub: IncidentsHub | null = null;
afterEach(async () => {
  hub?.stop();
  await sim?.close();
  sim = null;
  hub = null;
});

async function setup(pollIntervalSeconds: number, extra: Partial<ConstructorParameters<typeof IncidentsHub>[0]> = {}) {
  sim = await startOnCallSimulator({ log: false });
  const logger = new RecordingLogger();
  hub = new IncidentsHub({
    backend: simulatorBackend(sim, { timeoutMs: 500, logger }),
    logger,
    config: { pollIntervalSeconds, recentWindowMinutes: 60, teams: [] },
    ...extra,
  });
  const changes: HubChange[] = [];
  hub.on('change', (c) => changes.push(c));
  return { sim, hub, changes, logger };
}

const listCalls = (s: RunningSimulator) =>
  s.control.requests().filter((r) => r.path === '/api-public/v1/incidents' && r.method === 'GET');

describe('IncidentsHub against the simulator', () => {
  it('makes one list call per interval for any number of subscribers, with no 429', async () => {
    const { sim, hub } = await setup(1);
    const received: number[] = [];
    for (let i = 0; i < 1000; i++) hub.on('change', () => received.push(i));
    hub.start();
    await new Promise((r) => setTimeout(r, 3300));
    hub.stop();
    const calls = listCalls(sim);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.length).toBeLessThanOrEqual(5);
    expect(sim.control.requests().some((r) => r.status === 429)).toBe(false);
    // Every subscriber heard the three demo incidents open.
    expect(received).toHaveLength(3000);
  });

  it('reports an incident opened, acknowledged and resolved in On-Call', async () => {
    const { sim, hub, changes } = await setup(60);
    await hub.refreshNow('test');
    expect(changes.map((c) => c.change)).toEqual(['opened', 'opened', 'opened']);
    changes.length = 0;

    const n = sim.control.createIncident({ title: 'Disk full on db-3', routingKey: 'sre', entityId: 'klaxon/abc' });
    await hub.refreshNow('test');
    expect(changes).toEqual([
      {
        change: 'opened',
        incident: expect.objectContaining({ number: n, title: 'Disk full on db-3', phase: 'UNACKED' }),
      },
    ]);
    expect(hub.findByEntityId('klaxon/abc')?.number).toBe(n);

    sim.control.ack(n, 'carol', 'on it');
    await hub.refreshNow('test');
    expect(changes.at(-1)).toEqual({
      change: 'updated',
      incident: expect.objectContaining({ number: n, phase: 'ACKED', ackedBy: 'carol' }),
    });

    sim.control.resolve(n, 'carol');
    await hub.refreshNow('test');
    expect(changes.at(-1)).toEqual({
      change: 'updated',
      incident: expect.objectContaining({ number: n, phase: 'RESOLVED', resolvedBy: 'carol' }),
    });
    expect(IncidentSnapshot.safeParse(hub.snapshot()).success).toBe(true);
  });

  it('keeps serving the last snapshot through an outage, marked stale with its age, then recovers', async () => {
    const { sim, hub, logger } = await setup(1, { maxBackoffMs: 2000 });
    hub.start();
    await waitFor('the hub to reach On-Call', () => hub.status().ok);
    sim.control.setFaults({ errorRate: 1, errorStatus: 503 });
    await waitFor('the hub to see On-Call fail', () => !hub.status().ok, 5000);
    await waitFor('the snapshot to turn stale', () => hub.snapshot().stale, 5000);
    const first = hub.snapshot();
    expect(first.incidents).toHaveLength(3);
    expect(first.upstream).toEqual({ ok: false, error: 'On-Call is having problems (HTTP 503: no healthy upstream).' });
    await new Promise((r) => setTimeout(r, 1200));
    const later = hub.snapshot();
    expect(later.ageSeconds!).toBeGreaterThan(first.ageSeconds! + 1);
    expect(later.fetchedAt).toBe(first.fetchedAt);
    expect(later.incidents).toEqual(first.incidents);
    expect(logger.warnings().some((w) => w.includes('serving the last snapshot'))).toBe(true);
    // Backing off: fewer calls than one per second during the outage.
    const failing = sim.control.requests().filter((r) => r.status === 503).length;
    expect(failing).toBeLessThanOrEqual(4);

    sim.control.setFaults({});
    await waitFor('the hub to recover', () => hub.status().ok, 6000);
    expect(hub.snapshot()).toMatchObject({ stale: false, upstream: { ok: true, error: null } });
  });

  it('survives malformed answers and timeouts without losing the snapshot', async () => {
    const { sim, hub } = await setup(60);
    await hub.refreshNow('test');
    sim.control.setFaults({ malformedRate: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    await hub.refreshNow('test');
    expect(hub.snapshot()).toMatchObject({ upstream: { ok: false, error: expect.stringMatching(/could not read/) } });
    expect(hub.snapshot().incidents).toHaveLength(3);
  });
});
