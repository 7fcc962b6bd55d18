// The hub applies a webhook's incident state at once (forward only, never older, new incidents only
// above every polled number) and lets the poll confirm it: a poll that began before the webhook
// cannot take it back, one that began after it is the truth.
import { afterEach, describe, expect, it } from 'vitest';
import { countIncidents } from '#common/index.js';
import type { IncidentUpdate } from '#server/backends/paging-backend.js';
import { readWebhookPayload } from '#server/backends/splunk-oncall/webhook-payload.js';
import { readIncident, type WireIncident } from '#server/backends/splunk-oncall/wire.js';
import { IncidentsHub, type HubChange } from '#server/live/incidents-hub.js';
import { ManualClock } from '#test/support/manual-clock.js';
import { scriptedBackend } from '#test/support/oncall-backend.js';

const SRE = 'team-sre';

function wire(n: string, extra: Record<string, unknown> = {}): WireIncident {
  const r = readIncident({
    incidentNumber: n,
    currentPhase: 'UNACKED',
    startTime: '2024-05-01T11:50:00Z',
    service: `Incident ${n}`,
    pagedTeams: [SRE],
    pagedPolicies: [{ policy: { name: 'Primary', slug: 'pol-1' }, team: { name: 'SRE', slug: SRE } }],
    pagedUsers: ['carol'],
    ...extra,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.incident;
}

const acked = (n: string) =>
  wire(n, {
    currentPhase: 'ACKED',
    pagedUsers: [],
    transitions: [{ name: 'ACKED', at: '2024-05-01T11:58:00Z', by: 'carol' }],
  });

/** A scripted On-Call whose list answers `next`; a `gate` holds a poll in flight. */
class FakeUpstream {
  calls = 0;
  next: WireIncident[] = [];
  gate: Promise<void> | null = null;
  async listIncidents(): Promise<WireIncident[]> {
    this.calls++;
    const answer = this.next;
    if (this.gate) await this.gate;
    return answer;
  }
}

/** What On-Call's webhook body would carry, read by the real reader. */
function update(n: string, phase: string, extra: Record<string, string> = {}): IncidentUpdate {
  const u = readWebhookPayload(
    { incident: n, phase, title: `Incident ${n}`, ack_user: 'carol', team: SRE, ...extra },
    { orgSlug: null, now: () => Date.parse('2024-05-01T12:00:00Z') },
  );
  if (!u) throw new Error('unreadable update');
  return u;
}

let hub: IncidentsHub | null = null;
afterEach(() => hub?.stop());

async function started(incidents: WireIncident[], teams: string[] = []) {
  const up = new FakeUpstream();
  const clock = new ManualClock();
  up.next = incidents;
  hub = new IncidentsHub({
    backend: scriptedBackend(up, { clock }),
    clock,
    config: { pollIntervalSeconds: 10, recentWindowMinutes: 60, teams },
  });
  const changes: HubChange[] = [];
  hub.on('change', (c) => changes.push(c));
  hub.start();
  await clock.advance(0);
  changes.length = 0;
  return { hub, up, clock, changes };
}

const phases = (h: IncidentsHub) => h.snapshot().incidents.map((i) => `${i.number} ${i.phase}`);

describe('IncidentsHub.applyUpdate', () => {
  it('applies an acknowledgement at once, as an update event, without a poll', async () => {
    const { hub, up, changes } = await started([wire('1'), wire('2')]);
    expect(hub.applyUpdate(update('1', 'ACKED'))).toBe('applied');
    expect(up.calls).toBe(1);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      change: 'updated',
      incident: { number: '1', phase: 'ACKED', ackedBy: 'carol', pagedUsers: [], title: 'Incident 1' },
    });
    // What the poll knew stays: team names, the start time.
    expect(changes[0]!.incident.teams).toEqual([{ slug: SRE, name: 'SRE' }]);
    expect(phases(hub)).toContain('1 ACKED');
  });

  it('never goes backwards: a re-opened incident, or an older state, waits for the poll', async () => {
    const { hub, changes } = await started([acked('1')]);
    expect(hub.applyUpdate(update('1', 'UNACKED'))).toBe('backwards');
    expect(hub.applyUpdate(update('1', 'ACKED'))).toBe('unchanged');
    expect(changes).toEqual([]);
    expect(phases(hub)).toEqual(['1 ACKED']);
  });

  it('ignores an update older than one already applied (by sequence, else by time)', async () => {
    const { hub } = await started([wire('1'), wire('2')]);
    expect(hub.applyUpdate(update('1', 'RESOLVED', { sequence: '7' }))).toBe('applied');
    expect(hub.applyUpdate(update('1', 'ACKED', { sequence: '6' }))).toBe('older');
    expect(hub.applyUpdate(update('2', 'ACKED', { ts: '1714564800000' }))).toBe('applied');
    expect(hub.applyUpdate(update('2', 'RESOLVED', { ts: '1714564700000' }))).toBe('older');
    expect(phases(hub)).toEqual(['2 ACKED', '1 RESOLVED'].sort((a, b) => b.localeCompare(a)));
  });

  it('opens a new incident provisionally: never counted as "nobody paged" until a poll says so', async () => {
    const { hub, up, clock, changes } = await started([wire('1')]);
    expect(hub.applyUpdate(update('2', 'UNACKED'))).toBe('applied');
    expect(changes[0]).toMatchObject({ change: 'opened', incident: { number: '2', provisional: true } });
    // Its team's name comes from the incidents already known.
    expect(changes[0]!.incident.teams).toEqual([{ slug: SRE, name: 'SRE' }]);
    expect(countIncidents(hub.snapshot().incidents)).toMatchObject({ unacked: 2, unackedNobodyPaged: 0 });
    changes.length = 0;
    up.next = [wire('1'), wire('2')];
    await clock.advance(10_000);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ change: 'updated', incident: { number: '2', pagedUsers: ['carol'] } });
    expect(changes[0]!.incident.provisional).toBeUndefined();
  });

  it('opens only numbers above every number a poll listed (an older one left, or is out of view)', async () => {
    const { hub, changes } = await started([wire('5')]);
    expect(hub.applyUpdate(update('4', 'UNACKED'))).toBe('unknown');
    expect(hub.applyUpdate(update('3', 'RESOLVED'))).toBe('unknown');
    expect(changes).toEqual([]);
  });

  it('keeps the team filter: an incident of another team is applied but not shown', async () => {
    const { hub, changes } = await started([wire('1')], ['team-plt']);
    expect(hub.applyUpdate(update('2', 'UNACKED'))).toBe('out_of_view');
    expect(changes).toEqual([]);
  });

  it('a poll that began before the webhook does not take it back; one that began after it is the truth', async () => {
    const { hub, up, clock, changes } = await started([wire('1')]);
    // A poll is in flight with the old state when the webhook arrives.
    let release!: () => void;
    up.gate = new Promise((r) => (release = r));
    const polling = hub.refreshNow('test');
    await clock.advance(1000);
    expect(up.calls).toBe(2);
    expect(hub.applyUpdate(update('1', 'ACKED'))).toBe('applied');
    changes.length = 0;
    up.gate = null;
    release();
    await polling;
    expect(changes).toEqual([]);
    expect(phases(hub)).toEqual(['1 ACKED']);

    // The next poll began after the webhook: On-Call says it is unacknowledged again, and that is shown.
    await clock.advance(10_000);
    expect(phases(hub)).toEqual(['1 UNACKED']);
    expect(changes.map((c) => `${c.change} ${c.incident.number} ${c.incident.phase}`)).toEqual(['updated 1 UNACKED']);
  });

  it('an incident a webhook opened is kept while the list lags, then dropped if no poll ever lists it', async () => {
    const { hub, clock, changes } = await started([wire('1')]);
    hub.applyUpdate(update('2', 'UNACKED'));
    changes.length = 0;
    await clock.advance(10_000);
    expect(phases(hub)).toEqual(['2 UNACKED', '1 UNACKED']);
    await clock.advance(10_000);
    expect(phases(hub)).toEqual(['1 UNACKED']);
    expect(changes.map((c) => `${c.change} ${c.incident.number}`)).toEqual(['removed 2']);
  });

  it('does nothing before the first poll (nothing to compare with)', async () => {
    const clock = new ManualClock();
    hub = new IncidentsHub({
      backend: scriptedBackend(new FakeUpstream(), { clock }),
      clock,
      config: { pollIntervalSeconds: 10, recentWindowMinutes: 60 },
    });
    expect(hub.applyUpdate(update('1', 'UNACKED'))).toBe('unknown');
  });
});
