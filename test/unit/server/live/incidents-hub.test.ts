import { afterEach, describe, expect, it } from 'vitest';
import { IncidentSnapshot } from '#common/index.js';
import type { HubChange } from '#server/live/incidents-hub.js';
import { IncidentsHub } from '#server/live/incidents-hub.js';
import { UpstreamError } from '#server/backends/upstream-error.js';
import { readIncident, type WireIncident } from '#server/backends/splunk-oncall/wire.js';
import { ManualClock, flush } from '#test/support/manual-clock.js';
import { scriptedBackend } from '#test/support/oncall-backend.js';

const SRE = 'team-sre';
const PLT = 'team-plt';

function wire(n: string, extra: Record<string, unknown> = {}): WireIncident {
  const r = readIncident({
    incidentNumber: n,
    currentPhase: 'UNACKED',
    startTime: '2024-05-01T11:50:00Z',
    service: `Incident ${n}`,
    pagedTeams: [SRE],
    ...extra,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.incident;
}

/** A scripted On-Call: each listIncidents() answers with `next` (or throws it), counting calls. */
class FakeUpstream {
  calls = 0;
  teamCalls = 0;
  next: WireIncident[] | Error = [];
  gate: Promise<void> | null = null;
  async listIncidents(): Promise<WireIncident[]> {
    this.calls++;
    if (this.gate) await this.gate;
    if (this.next instanceof Error) throw this.next;
    return this.next;
  }
  async teams() {
    this.teamCalls++;
    return [{ slug: 'team-x', name: 'X team' }];
  }
}

let hub: IncidentsHub | null = null;
afterEach(() => hub?.stop());

function makeHub(
  up: FakeUpstream,
  clock: ManualClock,
  config: Partial<ConstructorParameters<typeof IncidentsHub>[0]['config']> = {},
) {
  hub = new IncidentsHub({
    backend: scriptedBackend(up, { clock, orgSlug: 'acme' }),
    clock,
    random: () => 0.5,
    config: { pollIntervalSeconds: 10, recentWindowMinutes: 60, teams: [], ...config },
  });
  const changes: HubChange[] = [];
  hub.on('change', (c) => changes.push(c));
  return { hub, changes };
}

describe('IncidentsHub', () => {
  it('polls once per interval however many listeners subscribe', async () => {
    const up = new FakeUpstream();
    const clock = new ManualClock();
    const { hub } = makeHub(up, clock);
    for (let i = 0; i < 500; i++) hub.on('change', () => {});
    hub.start();
    hub.start();
    await clock.advance(0);
    expect(up.calls).toBe(1);
    await clock.advance(60_000);
    expect(up.calls).toBe(7);
  });

  it('turns differences between polls into opened / updated / removed events', async () => {
    const up = new FakeUpstream();
    const clock = new ManualClock();
    const { hub, changes } = makeHub(up, clock);
    up.next = [wire('1'), wire('2')];
    hub.start();
    await clock.advance(0);
    expect(changes.map((c) => `${c.change} ${c.incident.number}`).sort()).toEqual(['opened 1', 'opened 2']);
    changes.length = 0;

    up.next = [
      wire('1', { currentPhase: 'ACKED', transitions: [{ name: 'ACKED', at: '2024-05-01T11:55:00Z', by: 'carol' }] }),
      wire('3'),
    ];
    await clock.advance(10_000);
    expect(changes.map((c) => `${c.change} ${c.incident.number}`).sort()).toEqual([
      'opened 3',
      'removed 2',
      'updated 1',
    ]);
    expect(changes.find((c) => c.change === 'updated')?.incident).toMatchObject({ phase: 'ACKED', ackedBy: 'carol' });
    changes.length = 0;

    // Nothing changed upstream: no events.
    await clock.advance(10_000);
    expect(changes).toEqual([]);
    expect(
      IncidentSnapshot.parse(hub.snapshot())
        .incidents.map((i) => i.number)
        .sort(),
    ).toEqual(['1', '3']);
  });

  it('takes over what another replica last knew: its first poll reports only real changes', async () => {
    // What the previous leader saw, as a new leader reads it back from the shared tables (JSON).
    const earlier = new FakeUpstream();
    earlier.next = [wire('1'), wire('2', { entityDisplayName: 'klaxon', entityId: 'klaxon/x' })];
    const clock = new ManualClock();
    const previous = makeHub(earlier, clock).hub;
    previous.start();
    await clock.advance(0);
    const shared = JSON.parse(JSON.stringify(previous.snapshot().incidents));
    previous.stop();

    const up = new FakeUpstream();
    up.next = [wire('1'), wire('2', { entityDisplayName: 'klaxon', entityId: 'klaxon/x' }), wire('3')];
    const { hub, changes } = makeHub(up, clock);
    hub.seed(shared, clock.now() - 5000, { ok: true, error: null });
    expect(changes).toEqual([]);
    expect(hub.snapshot().incidents.map((i) => i.number)).toEqual(shared.map((i: { number: string }) => i.number));
    hub.start();
    await clock.advance(0);
    expect(changes.map((c) => `${c.change} ${c.incident.number}`)).toEqual(['opened 3']);
  });

  it('always shows open incidents but resolved ones only within the recent window', async () => {
    const up = new FakeUpstream();
    const clock = new ManualClock(Date.parse('2024-05-01T12:00:00Z'));
    const { hub, changes } = makeHub(up, clock, { recentWindowMinutes: 30 });
    const resolved = (n: string, at: string) =>
      wire(n, {
        currentPhase: 'RESOLVED',
        startTime: '2024-04-30T08:00:00Z',
        transitions: [{ name: 'RESOLVED', at, by: 'dmitri' }],
      });
    up.next = [
      wire('1', { startTime: '2024-04-20T08:00:00Z' }),
      resolved('2', '2024-05-01T11:45:00Z'),
      resolved('3', '2024-05-01T11:00:00Z'),
    ];
    hub.start();
    await clock.advance(0);
    expect(hub.snapshot().incidents.map((i) => i.number)).toEqual(['2', '1']);
    // 16 minutes later #2 leaves the 30-minute window although On-Call still lists it.
    changes.length = 0;
    await clock.advance(16 * 60_000);
    expect(hub.snapshot().incidents.map((i) => i.number)).toEqual(['1']);
    expect(changes.map((c) => `${c.change} ${c.incident.number}`)).toEqual(['removed 2']);
  });

  it('shows only the configured teams, but still finds any incident by entity id', async () => {
    const up = new FakeUpstream();
    const clock = new ManualClock();
    const { hub } = makeHub(up, clock, { teams: [PLT] });
    up.next = [
      wire('1', { entityId: 'klaxon/a' }),
      wire('2', { pagedTeams: [PLT] }),
      wire('3', { entityId: 'klaxon/a' }),
    ];
    await hub.refreshNow('test');
    expect(hub.snapshot().incidents.map((i) => i.number)).toEqual(['2']);
    expect(hub.findByEntityId('klaxon/a')?.number).toBe('3');
    expect(hub.findByEntityId('klaxon/none')).toBeNull();
  });

  it('looks team names up once when On-Call gives only slugs', async () => {
    const up = new FakeUpstream();
    const clock = new ManualClock();
    const { hub } = makeHub(up, clock);
    up.next = [wire('1', { pagedTeams: ['team-x'] })];
    hub.start();
    await clock.advance(30_000);
    expect(up.teamCalls).toBe(1);
    expect(hub.snapshot().incidents[0]?.teams).toEqual([{ slug: 'team-x', name: 'X team' }]);
  });

  it('keeps the last snapshot through an outage, ageing and going stale, with growing backoff, then recovers', async () => {
    const up = new FakeUpstream();
    const clock = new ManualClock();
    const { hub } = makeHub(up, clock);
    const statuses: boolean[] = [];
    hub.on('status', (s) => statuses.push(s.ok));
    expect(hub.snapshot()).toMatchObject({ fetchedAt: null, stale: true, upstream: { ok: false } });
    up.next = [wire('1')];
    hub.start();
    await clock.advance(0);
    expect(hub.snapshot()).toMatchObject({ ageSeconds: 0, stale: false, upstream: { ok: true, error: null } });

    up.next = new UpstreamError('http', 'On-Call is having problems (HTTP 503: no healthy upstream).', 'incidents', {
      status: 503,
      retryable: true,
    });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = up.calls;
      const [delay] = clock.pending();
      delays.push(delay!);
      await clock.advance(delay!);
      expect(up.calls).toBe(before + 1);
    }
    // 10 s healthy; then ceilings 10, 20, 40, 80→60 s, with jitter 0.5 halfway between the interval and the ceiling.
    expect(delays).toEqual([10_000, 10_000, 15_000, 25_000, 35_000, 35_000]);
    expect(clock.pending()[0]).toBe(35_000);
    const snap = hub.snapshot();
    expect(snap.incidents.map((i) => i.number)).toEqual(['1']);
    expect(snap.stale).toBe(true);
    expect(snap.ageSeconds).toBe(130);
    expect(snap.upstream).toEqual({ ok: false, error: 'On-Call is having problems (HTTP 503: no healthy upstream).' });
    expect(hub.status()).toMatchObject({ ok: false, lastSuccessAt: snap.fetchedAt });

    // A webhook during the backoff does not hammer On-Call.
    const before = up.calls;
    await hub.refreshNow('webhook');
    expect(up.calls).toBe(before);

    up.next = [wire('1'), wire('2')];
    await clock.advance(45_000);
    expect(hub.snapshot()).toMatchObject({ ageSeconds: 0, stale: false, upstream: { ok: true } });
    expect(hub.snapshot().incidents).toHaveLength(2);
    expect(statuses).toEqual([true, false, true]);
    expect(clock.pending()[0]).toBe(10_000);
  });

  it('waits at least as long as a 429 asks', async () => {
    const up = new FakeUpstream();
    const clock = new ManualClock();
    makeHub(up, clock).hub.start();
    up.next = new UpstreamError('rate_limited', 'slow down', 'incidents', {
      status: 429,
      retryable: true,
      retryAfterMs: 120_000,
    });
    await clock.advance(0);
    expect(clock.pending()[0]).toBe(120_000);
  });

  it('coalesces concurrent refreshes into one request, plus one shared follow-up, spaced by the rate limit', async () => {
    const up = new FakeUpstream();
    const clock = new ManualClock();
    const { hub } = makeHub(up, clock);
    let open!: () => void;
    up.gate = new Promise((r) => (open = r));
    const first = [hub.refreshNow('a'), hub.refreshNow('b')];
    await flush();
    expect(up.calls).toBe(1);
    // Arrive while the first poll is in flight: they share one follow-up poll.
    const second = [hub.refreshNow('c'), hub.refreshNow('d'), hub.refreshNow('e')];
    up.gate = null;
    open();
    await Promise.all(first);
    expect(up.calls).toBe(1);
    // The follow-up waits for the 1 s gap.
    await clock.advance(999);
    expect(up.calls).toBe(1);
    await clock.advance(1);
    await Promise.all(second);
    expect(up.calls).toBe(2);
  });
});
