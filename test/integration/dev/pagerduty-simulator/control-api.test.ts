/** The `/_sim/` control plane over HTTP: seeding an account, inspecting events, the clock, faults, reset. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_ROUTING_KEYS,
  startPagerDutySimulator,
  type RunningPagerDutySimulator,
} from '#dev/pagerduty-simulator/index.js';
import { pagerDutyClient } from '#test/support/pagerduty-client.js';

let sim: RunningPagerDutySimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(seed: 'demo' | 'empty' = 'empty') {
  sim = await startPagerDutySimulator({ seed, rateLimit: false });
  const control = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim!.url}/_sim${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return { sim, control, pd: pagerDutyClient(sim.url, sim.apiToken) };
}

describe('/_sim/ control API', () => {
  it('seeds users, a schedule, a policy, a service and a maintenance window; events then page as seeded', async () => {
    const { control, pd } = await start('empty');
    const ana = (
      await control<{ user: { id: string } }>('POST', '/users', {
        name: 'Ana',
        email: 'ana@example.org',
        timeZone: 'America/Sao_Paulo',
      })
    ).body.user;
    const ben = (
      await control<{ user: { id: string } }>('POST', '/users', {
        name: 'Ben',
        email: 'ben@example.org',
        timeZone: 'Asia/Tokyo',
      })
    ).body.user;
    expect(
      (await control('POST', '/users', { name: 'X', email: 'x@example.org', timeZone: 'Mars/Olympus' })).status,
    ).toBe(400);
    const schedule = (
      await control<{ schedule: { id: string } }>('POST', '/schedules', {
        name: 'Rota',
        userIds: [ana.id, ben.id],
        shiftHours: 12,
      })
    ).body.schedule;
    const policy = (
      await control<{ escalation_policy: { id: string } }>('POST', '/escalation_policies', {
        name: 'Ops',
        rules: [
          { delayMinutes: 10, targets: [{ type: 'schedule_reference', id: schedule.id }] },
          { delayMinutes: 10, targets: [{ type: 'user_reference', id: ben.id }] },
        ],
      })
    ).body.escalation_policy;
    const service = (
      await control<{ service: { id: string; integrationKey: string } }>('POST', '/services', {
        name: 'Ops',
        escalationPolicyId: policy.id,
      })
    ).body.service;
    expect(service.integrationKey).toMatch(/^[0-9a-f]{32}$/);

    await pd.enqueue({
      routing_key: service.integrationKey,
      event_action: 'trigger',
      dedup_key: 'seeded',
      payload: { summary: 'x', source: 'y', severity: 'error' },
    });
    const counts = (await control('GET', '/events/counts?dedup_key=seeded')).body;
    expect(counts).toEqual({ dedup_key: 'seeded', trigger: 1, acknowledge: 0, resolve: 0, incidents: 1 });
    const [incident] = (
      await control<{
        incidents: { id: string; incident_number: number; assignments: { assignee: { id: string } }[] }[];
      }>('GET', '/incidents')
    ).body.incidents;
    expect(incident!.incident_number).toBe(1);
    expect(incident!.assignments.map((a) => a.assignee.id)).toEqual([ana.id]);

    await control('POST', '/clock', { advanceMinutes: 10 });
    expect(
      (
        await control<{ incident: { assignments: { assignee: { id: string } }[] } }>(
          'GET',
          `/incidents/${incident!.id}`,
        )
      ).body.incident.assignments[0]!.assignee.id,
    ).toBe(ben.id);
    const acked = await control<{ incident: { status: string } }>('POST', `/incidents/${incident!.id}/acknowledge`, {
      userId: 'ben@example.org',
    });
    expect(acked.body.incident.status).toBe('acknowledged');

    await control('POST', '/maintenance_windows', { serviceIds: [service.id], durationMinutes: 30 });
    await pd.enqueue({
      routing_key: service.integrationKey,
      event_action: 'trigger',
      dedup_key: 'quiet',
      payload: { summary: 'x', source: 'y', severity: 'error' },
    });
    expect(
      (await control<{ events: { outcome: string }[] }>('GET', '/events?dedup_key=quiet')).body.events.map(
        (e) => e.outcome,
      ),
    ).toEqual(['dropped: service in maintenance']);
  });

  it('triggers as the Events API would, and reports bad input with a message', async () => {
    const { control } = await start('demo');
    const r = await control('POST', '/events', {
      routingKey: DEMO_ROUTING_KEYS.sre,
      summary: 'From the control API',
      dedupKey: 'ctl',
    });
    expect(r).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'ctl' } });
    expect((await control('POST', '/incidents/PNOSUCH/acknowledge', { userId: 'PUCAROL' })).status).toBe(404);
    expect((await control<{ error: string }>('POST', '/faults', { errorRate: 2 })).body.error).toMatch(
      /errorRate must be a number from 0 to 1/,
    );
    expect((await control('GET', '/nope')).status).toBe(404);
  });

  it('injects faults per path and rate: errors, throttling, malformed bodies, timeouts; a faulted request changes nothing', async () => {
    const { sim, control, pd } = await start('demo');
    await control('POST', '/faults', { errorRate: 1, paths: ['/v2/enqueue'] });
    const failed = await pd.enqueue({
      routing_key: DEMO_ROUTING_KEYS.sre,
      event_action: 'trigger',
      dedup_key: 'faulted',
      payload: { summary: 'x', source: 'y', severity: 'info' },
    });
    expect(failed.status).toBe(500);
    expect(sim.control.eventCounts('faulted')).toMatchObject({ trigger: 0, incidents: 0 });
    expect((await pd.get('/incidents')).status).toBe(200);

    await control('POST', '/faults', { rateLimitRate: 1, paths: ['/incidents'] });
    const throttled = await pd.get('/incidents/PQ00001');
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual({ error: { message: 'Rate Limit Exceeded', code: 2020 } });
    expect(throttled.headers.get('ratelimit-reset')).not.toBeNull();

    await control('POST', '/faults', { malformedRate: 1, paths: ['/users*'] });
    const malformed = await pd.get('/users');
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();

    await control('POST', '/faults', { errorRate: 1, errorStatus: 503 });
    expect((await pd.get('/services')).text).toBe('Service Unavailable');

    await control('POST', '/faults', { timeoutRate: 1, paths: ['/oncalls'] });
    await expect(fetch(`${sim.url}/oncalls`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    await control('DELETE', '/faults');
    expect((await pd.get('/oncalls')).status).toBe(200);
    const log = (await control<{ requests: { path: string; fault?: string }[] }>('GET', '/requests?path=/oncalls')).body
      .requests;
    expect(log.map((r) => r.fault ?? null)).toEqual(['timeout', null]);
  });

  it('reset brings back the demo account; the clock can be frozen and read', async () => {
    const { sim, control, pd } = await start('demo');
    await pd.enqueue({
      routing_key: DEMO_ROUTING_KEYS.sre,
      event_action: 'trigger',
      dedup_key: 'gone',
      payload: { summary: 'x', source: 'y', severity: 'info' },
    });
    const frozen = (await control<{ now: string; frozen: boolean }>('POST', '/clock', { freeze: true })).body;
    expect(frozen.frozen).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect((await control<{ now: string }>('GET', '/clock')).body.now).toBe(frozen.now);
    const reset = await control<{ incidents: { incident_key: string }[] }>('POST', '/reset', {});
    expect(reset.body.incidents.map((i) => i.incident_key)).toEqual(['edge-cache-5xx', 'checkout-latency-slo']);
    expect(sim.control.events()).toEqual([]);
    const org = (await control<{ users: { email: string; timeZone: string }[] }>('GET', '/org')).body;
    expect(org.users.find((u) => u.email === 'mara@klaxon.test')!.timeZone).toBe('Australia/Sydney');
  });
});
