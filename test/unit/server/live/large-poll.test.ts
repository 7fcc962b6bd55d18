// A poll that brings hundreds of incidents (a page storm) must not hold up the server's event loop,
// where new pages are being accepted: the hub and the page tracker work in slices, and the hub
// only re-reads incidents that changed.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { pageEntityId, type Incident, type Page } from '#common/index.js';
import { IncidentsHub, type HubChange } from '#server/live/incidents-hub.js';
import { jsonEqual } from '#server/runtime/json-equal.js';
import { readIncident, readIncidentList, type WireIncident } from '#server/backends/splunk-oncall/wire.js';
import { PageTracker } from '#server/pages/page-tracker.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import type { KlaxonStore } from '#server/store/store.js';
import { TimeSlicer } from '#server/runtime/time-slice.js';
import { silentLogger } from '#server/runtime/logger.js';
import { ManualClock } from '#test/support/manual-clock.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';
import { scriptedBackend } from '#test/support/oncall-backend.js';
import * as build from '#test/support/builders.js';

const quiet = silentLogger;

function wire(n: string, extra: Record<string, unknown> = {}): WireIncident {
  const r = readIncident({
    incidentNumber: n,
    currentPhase: 'UNACKED',
    startTime: '2024-05-01T11:50:00Z',
    service: `Incident ${n}`,
    pagedTeams: ['team-sre'],
    ...extra,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.incident;
}

/** Counts event-loop turns (setImmediate callbacks) until `stop()`: other work that got to run. */
function loopTurns() {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  return {
    stop() {
      running = false;
      return turns;
    },
  };
}

const hubs: IncidentsHub[] = [];
afterEach(() => {
  for (const h of hubs.splice(0)) h.stop();
});

function makeHub(
  listIncidents: () => Promise<WireIncident[]>,
  opts: { sliceMs?: number; clock?: ManualClock; teams?: () => Promise<{ slug: string; name: string }[]> } = {},
) {
  const clock = opts.clock ?? new ManualClock();
  const hub = new IncidentsHub({
    backend: scriptedBackend({ listIncidents, teams: opts.teams ?? (async () => []) }, { clock, orgSlug: 'acme' }),
    clock,
    config: { pollIntervalSeconds: 10, recentWindowMinutes: 60 },
    ...(opts.sliceMs !== undefined ? { sliceMs: opts.sliceMs } : {}),
  });
  hubs.push(hub);
  const changes: HubChange[] = [];
  hub.on('change', (c) => changes.push(c));
  return { hub, changes };
}

describe('a poll with hundreds of incidents', () => {
  it('lets other work run while the hub takes it in, and ends with the same snapshot as in one go', async () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      wire(String(i + 1), { startTime: new Date(Date.parse('2024-05-01T08:00:00Z') + i * 60_000).toISOString() }),
    );
    const sliced = makeHub(async () => many, { sliceMs: 0 });
    const whole = makeHub(async () => many, { sliceMs: 1e9 });

    let turns = loopTurns();
    await sliced.hub.refreshNow('test');
    const slicedTurns = turns.stop();
    turns = loopTurns();
    await whole.hub.refreshNow('test');
    const wholeTurns = turns.stop();

    // Yielding after every incident lets the loop turn hundreds of times; in one go it cannot.
    expect(slicedTurns).toBeGreaterThan(300);
    expect(wholeTurns).toBeLessThan(5);
    expect(sliced.hub.snapshot().incidents).toEqual(whole.hub.snapshot().incidents);
    expect(
      sliced.hub
        .snapshot()
        .incidents.map((i) => i.number)
        .slice(0, 3),
    ).toEqual(['300', '299', '298']);
    expect(sliced.changes).toHaveLength(300);
  });

  it('reads the raw list in slices too, keeping order and problems', async () => {
    const items = [
      ...Array.from({ length: 50 }, (_, i) => ({ incidentNumber: String(i + 1), currentPhase: 'UNACKED' })),
      'junk',
    ];
    const turns = loopTurns();
    const list = await readIncidentList({ incidents: items }, new TimeSlicer(0));
    expect(turns.stop()).toBeGreaterThan(50);
    expect(list?.incidents.map((i) => i.incidentNumber)).toEqual(
      items.slice(0, 50).map((i) => (i as { incidentNumber: string }).incidentNumber),
    );
    expect(list?.problems).toHaveLength(1);
  });

  it('re-reads only what changed: an unchanged poll keeps the same incidents and says nothing', async () => {
    let n = 0;
    const clock = new ManualClock();
    // A fresh copy of the same data on every poll, as On-Call would send it.
    const { hub, changes } = makeHub(async () => (n++, Array.from({ length: 20 }, (_, i) => wire(String(i + 1)))), {
      clock,
    });
    await hub.refreshNow('test');
    const first = hub.snapshot().incidents;
    changes.length = 0;
    await clock.advance(2000);
    await hub.refreshNow('again');
    expect(n).toBe(2);
    expect(changes).toEqual([]);
    hub.snapshot().incidents.forEach((i, k) => expect(i).toBe(first[k]));
  });

  it('keeps the time it first saw an incident without a start time, even when the incident changes', async () => {
    const clock = new ManualClock(Date.parse('2024-05-01T12:00:00Z'));
    let alerts = 1;
    const { hub, changes } = makeHub(async () => [wire('7', { startTime: undefined, alertCount: alerts })], { clock });
    await hub.refreshNow('test');
    await clock.advance(5 * 60_000);
    alerts = 2;
    await hub.refreshNow('again');
    expect(changes.map((c) => c.change)).toEqual(['opened', 'updated']);
    expect(hub.snapshot().incidents[0]).toMatchObject({ alertCount: 2, startedAt: '2024-05-01T12:00:00.000Z' });
  });

  it('re-labels incidents it already shows once the team names arrive', async () => {
    const clock = new ManualClock();
    let teamsUp = false;
    const { hub, changes } = makeHub(async () => [wire('1', { pagedTeams: ['team-x'] })], {
      clock,
      teams: async () => {
        if (!teamsUp) throw new Error('On-Call is having problems');
        return [{ slug: 'team-x', name: 'X team' }];
      },
    });
    await hub.refreshNow('test');
    expect(hub.snapshot().incidents[0]?.teams).toEqual([{ slug: 'team-x', name: 'team-x' }]);
    teamsUp = true;
    await clock.advance(11 * 60_000); // the team list is asked for again after ten minutes
    await hub.refreshNow('again');
    expect(hub.snapshot().incidents[0]?.teams).toEqual([{ slug: 'team-x', name: 'X team' }]);
    expect(changes.map((c) => c.change)).toEqual(['opened', 'updated']);
  });
});

describe('jsonEqual', () => {
  it('compares JSON-shaped values deeply, an undefined property counting as absent', () => {
    expect(jsonEqual({ a: [1, { b: 'x' }], c: null }, { c: null, a: [1, { b: 'x' }] })).toBe(true);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    expect(jsonEqual({ a: null }, { a: undefined })).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
  });
});

// ------------------------------------------------------------------ the page tracker

async function acceptPages(store: KlaxonStore, count: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const { page, outcome } = await acceptQueuedPage(store, { summary: `Storm page ${i}`, rateMax: 10_000 });
    if (outcome.kind !== 'created') throw new Error(outcome.kind);
    pages.push(page);
  }
  return pages;
}

const incidentFor = (page: Page, n: number, extra: Partial<Incident> = {}): Incident =>
  build.incident({
    number: String(n),
    title: `Manual page by Alice Andersen: ${page.summary}`,
    startedAt: '2024-05-01T11:50:00Z',
    teams: [],
    entityId: pageEntityId(page.id),
    ...extra,
  });

/** The slice of the hub the tracker uses: change events and the entity index. */
class FakeHub extends EventEmitter<{ change: [{ change: string; incident: Incident }] }> {
  readonly byEntity = new Map<string, Incident>();
  findByEntityId(e: string) {
    return this.byEntity.get(e) ?? null;
  }
  show(change: string, incident: Incident) {
    this.byEntity.set(incident.entityId!, incident);
    this.emit('change', { change, incident });
  }
}

describe('the page tracker in a page storm', () => {
  it('queues a burst of incidents and follows every page in slices, telling clients about each', async () => {
    const store = new SqliteStore(':memory:');
    const pages = await acceptPages(store, 200);
    const hub = new FakeHub();
    const published: Page[] = [];
    const tracker = new PageTracker({
      store,
      hub,
      onPage: (p) => published.push(p),
      intervalMs: 3_600_000,
      logger: quiet,
      pagesPerTransaction: 1,
    });
    tracker.start();
    const turns = loopTurns();
    pages.forEach((p, i) => hub.show('opened', incidentFor(p, 1000 + i)));
    // Nothing is written while the hub is still emitting: the burst is queued.
    expect(published).toEqual([]);
    await tracker.idle();
    expect(turns.stop()).toBeGreaterThan(100);
    expect(published).toHaveLength(200);
    for (const [i, p] of pages.entries())
      expect((await store.getPage(p.id))!.page).toMatchObject({
        status: 'delivered',
        incidentNumber: String(1000 + i),
      });
    await tracker.stop();
    await store.close();
  });

  it('looks once at a page that changed twice before its turn, with the latest state', async () => {
    const store = new SqliteStore(':memory:');
    const [page] = await acceptPages(store, 1);
    const hub = new FakeHub();
    const published: Page[] = [];
    const tracker = new PageTracker({
      store,
      hub,
      onPage: (p) => published.push(p),
      intervalMs: 3_600_000,
      logger: quiet,
    });
    tracker.start();
    hub.show('opened', incidentFor(page!, 42));
    hub.show('updated', incidentFor(page!, 42, { phase: 'ACKED', ackedBy: 'carol', ackedAt: '2024-05-01T11:55:00Z' }));
    await tracker.idle();
    expect(published.map((p) => [p.status, p.incidentNumber, p.ackedBy])).toEqual([['acknowledged', '42', 'carol']]);
    await tracker.stop();
    await store.close();
  });

  it('rolls back a failed batch, publishes none of it, and catches up at the next reconcile', async () => {
    const store = new SqliteStore(':memory:');
    const pages = await acceptPages(store, 3);
    let failures = 1;
    const flaky = new Proxy(store, {
      get(target, key, receiver) {
        // The first time, fail on the last page: the two pages before it were already written.
        if (key === 'followPages')
          return async (ids: string[], decide: Parameters<KlaxonStore['followPages']>[1]) => {
            const failNow = failures-- > 0;
            return target.followPages(ids, (page) => {
              if (failNow && page.id === ids[ids.length - 1]) throw new Error('disk I/O error');
              return decide(page);
            });
          };
        const v: unknown = Reflect.get(target, key, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const hub = new FakeHub();
    const published: Page[] = [];
    const warnings: string[] = [];
    const tracker = new PageTracker({
      store: flaky,
      hub,
      onPage: (p) => published.push(p),
      intervalMs: 3_600_000,
      pagesPerTransaction: 3,
      logger: { ...silentLogger, warn: (_o, m) => warnings.push(m) },
    });
    tracker.start();
    pages.forEach((p, i) => hub.show('opened', incidentFor(p, 7 + i)));
    await tracker.idle();
    expect(published).toEqual([]);
    expect(warnings).toEqual(['could not record what happened to pages; will look again']);
    expect((await store.getPage(pages[0]!.id))!.page.incidentNumber).toBeNull();

    await tracker.reconcileAll();
    await tracker.idle();
    expect(published.map((p) => p.incidentNumber).sort()).toEqual(['7', '8', '9']);
    await tracker.stop();
    await store.close();
  });
});
