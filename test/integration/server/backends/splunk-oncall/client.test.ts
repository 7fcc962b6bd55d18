import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { createMetrics } from '#server/http/metrics.js';
import { OnCallClient, retryAfterMs } from '#server/backends/splunk-oncall/client.js';
import { UpstreamError } from '#server/backends/upstream-error.js';
import { RecordingLogger } from '#test/support/live-stack.js';

let sim: RunningSimulator;
let specSim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ log: false });
  specSim = await startOnCallSimulator({ log: false, oncallFieldStyle: 'spec' });
});
afterAll(async () => {
  await sim.close();
  await specSim.close();
});
beforeEach(() => {
  sim.control.reset('demo');
  sim.control.setFaults({});
  sim.control.clearRequests();
  // Fresh upstream buckets: each test starts with a new client (and a new limiter).
  sim.control.setRateLimit({ perSecond: 2 });
});

function client(s: RunningSimulator = sim, extra: Partial<ConstructorParameters<typeof OnCallClient>[0]> = {}) {
  const logger = new RecordingLogger();
  const metrics = createMetrics();
  const c = new OnCallClient({
    apiBaseUrl: s.url,
    apiId: s.apiId,
    apiKey: s.apiKey,
    restEndpointBaseUrl: s.restEndpointBaseUrl,
    restEndpointKey: s.restEndpointKey,
    timeoutMs: 2000,
    alertTimeoutMs: 2000,
    metrics,
    logger,
    ...extra,
  });
  return { c, logger, metrics };
}

async function caught(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UpstreamError) return e;
    throw e;
  }
  throw new Error('expected an UpstreamError');
}

describe('OnCallClient against the simulator', () => {
  it("reads the demo org's real responses", async () => {
    const { c } = client();
    const incidents = await c.listIncidents();
    expect(incidents.map((i) => [i.entityDisplayName, i.currentPhase]).sort()).toEqual([
      ['Checkout latency above SLO', 'UNACKED'],
      ['Elevated 5xx on edge cache', 'ACKED'],
      ['Nightly export stalled', 'UNACKED'],
    ]);
    const acked = incidents.find((i) => i.currentPhase === 'ACKED')!;
    expect(acked.transitions.at(-1)).toMatchObject({ name: 'ACKED', by: 'dmitri' });
    expect(acked.policyTeams).toEqual([{ slug: 'team-sreKLX0000000001', name: 'SRE' }]);
    expect(await c.getIncident(acked.incidentNumber)).toMatchObject({
      incidentNumber: acked.incidentNumber,
      currentPhase: 'ACKED',
    });
    expect(await c.getIncident('999999')).toBeNull();
    expect(await c.teams()).toEqual([
      { slug: 'team-sreKLX0000000001', name: 'SRE' },
      { slug: 'team-pltKLX0000000002', name: 'Platform' },
    ]);
    const members = await c.teamMembers('team-sreKLX0000000001');
    expect(members.find((m) => m.username === 'carol')).toEqual({
      username: 'carol',
      firstName: 'Carol',
      lastName: 'Okafor',
    });
  });

  it('reads who is on call in both key spellings', async () => {
    // Every policy of a team, each with its people (the realistic org: a batphone with everybody on it).
    const expected = [
      {
        team: { slug: 'team-sreKLX0000000001', name: 'SRE' },
        policies: [
          { policy: { slug: 'pol-sreprimary00001', name: 'SRE Primary' }, usernames: ['carol'] },
          {
            policy: { slug: 'pol-srebatphone00003', name: 'SRE Batphone' },
            usernames: ['carol', 'dmitri', 'ana', 'lars', 'jo'],
          },
          { policy: { slug: 'pol-sretickets000006', name: 'SRE Tickets' }, usernames: [] },
        ],
      },
      {
        team: { slug: 'team-pltKLX0000000002', name: 'Platform' },
        policies: [
          { policy: { slug: 'pol-pltprimary00002', name: 'Platform Primary' }, usernames: ['priya'] },
          { policy: { slug: 'pol-pltbizhours00005', name: 'Platform Business Hours' }, usernames: [] },
        ],
      },
    ];
    expect(await client().c.oncallCurrent()).toEqual(expected);
    expect(await client(specSim).c.oncallCurrent()).toEqual(expected);
  });

  it('acknowledges as a named user and reports unknown users as not found, without retrying', async () => {
    const { c } = client();
    const open = (await c.listIncidents()).find((i) => i.currentPhase === 'UNACKED')!;
    const results = await c.ackIncidents('carol', [open.incidentNumber], 'Acknowledged in Klaxon by Carol');
    expect(results).toEqual([expect.objectContaining({ incidentNumber: open.incidentNumber, cmdAccepted: true })]);
    expect(
      sim.control.incidents().find((i) => (i as { incidentNumber: string }).incidentNumber === open.incidentNumber),
    ).toMatchObject({ currentPhase: 'ACKED' });
    sim.control.clearRequests();
    sim.control.setFaults({ errorRate: 1, paths: ['/api-public/v1/incidents/ack'] });
    const err = await caught(c.ackIncidents('carol', [open.incidentNumber]));
    expect(err.retryable).toBe(true);
    expect(sim.control.requests().filter((r) => r.method === 'PATCH')).toHaveLength(1);
    sim.control.setFaults({});
    const unknown = await caught(c.ackIncidents('nobody', [open.incidentNumber]));
    expect(unknown.kind).toBe('not_found');
  });

  it('never sends more than 2 requests per second, whoever calls, and gets no 429', async () => {
    const { c } = client();
    const t0 = Date.now();
    await Promise.all([
      ...Array.from({ length: 4 }, () => c.listIncidents()),
      c.oncallCurrent(),
      c.teams(),
      c.teamMembers('team-sreKLX0000000001'),
      c.listIncidents(),
    ]);
    const log = sim.control.requests().filter((r) => r.path.startsWith('/api-public/'));
    expect(log).toHaveLength(8);
    expect(log.every((r) => r.status === 200)).toBe(true);
    const times = log.map((r) => Date.parse(r.realAt)).sort((a, b) => a - b);
    for (let i = 2; i < times.length; i++) expect(times[i]! - times[i - 2]!).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3500);
  });

  it('backs off after a 429: the next request waits, then succeeds', async () => {
    const { c, logger, metrics } = client();
    sim.control.setFaults({ rateLimitRate: 1 });
    const err = await caught(c.listIncidents());
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryable: true });
    expect(err.message).toMatch(/limiting Klaxon's requests \(HTTP 429\); Klaxon waits 1 s/);
    expect(logger.warnings().join('\n')).toMatch(/429/);
    sim.control.setFaults({});
    const t0 = Date.now();
    await c.listIncidents();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/klaxon_upstream_requests_total\{endpoint="incidents",status="429"\} 1/);
    expect(text).toMatch(/klaxon_upstream_requests_total\{endpoint="incidents",status="200"\} 1/);
  });

  it('treats a 403 as bad credentials, never as throttling: no pause, even after the credentials worked', async () => {
    const bad = client(sim, { apiKey: 'wrong-key' }).c;
    const authErr = await caught(bad.listIncidents());
    expect(authErr).toMatchObject({ kind: 'auth', status: 403, retryable: false });
    expect(authErr.message).toBe(
      "On-Call refused Klaxon's API credentials (HTTP 403: Authentication failed); the operator should check oncall.apiId and oncall.apiKey.",
    );

    const c2 = client().c;
    await c2.listIncidents();
    // A bucket smaller than one token: every call gets the legacy 403 the older specification describes.
    sim.control.setRateLimit({ perSecond: 0.001, legacy403: true });
    const legacy = await caught(c2.teams());
    sim.control.setRateLimit({ perSecond: 2 });
    expect(legacy).toMatchObject({ kind: 'auth', status: 403, retryable: false });
    expect(legacy.retryAfterMs).toBeNull();
    // Nobody was paused: the next request goes out within the limiter's spacing, not after a backoff.
    const t0 = Date.now();
    await c2.teams();
    expect(Date.now() - t0).toBeLessThan(900);
  });

  for (const refusal of ['auth-failed', 'read-only', 'unauthorized'] as const) {
    it(`says a read-only key is read-only or no longer valid when it writes (${refusal}), naming oncall.apiKey`, async () => {
      sim.control.setSwitches({ readOnlyRefusal: refusal });
      try {
        const { c } = client(sim, { apiKey: sim.readOnlyApiKey });
        const open = (await c.listIncidents()).find((i) => i.currentPhase === 'UNACKED')!;
        const t0 = Date.now();
        const err = await caught(c.ackIncidents('carol', [open.incidentNumber]));
        expect(err).toMatchObject({ kind: 'auth', retryable: false, status: refusal === 'unauthorized' ? 401 : 403 });
        expect(err.message).toMatch(/Klaxon's On-Call API key is read-only or no longer valid/);
        expect(err.message).toMatch(/oncall\.apiKey/);
        expect(err.message).not.toMatch(/limiting|waits/);
        // No pause: reads go on at once.
        await c.listIncidents();
        expect(Date.now() - t0).toBeLessThan(1500);
      } finally {
        sim.control.setSwitches({ readOnlyRefusal: 'auth-failed' });
      }
    });
  }

  it('honours Retry-After on a 429, in seconds or as an HTTP date', async () => {
    const { c } = client();
    sim.control.setRateLimit({ perSecond: 0.001, sendRetryAfter: true });
    await c.teams().catch(() => undefined); // the one token of the new bucket
    const err = await caught(c.teams());
    sim.control.setRateLimit({ perSecond: 2 });
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 1000 });
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('2026-10-21T07:27:30Z'))).toBe(30_000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });

  it('survives 5xx with a plain-text body, timeouts, resets and malformed JSON, and logs them', async () => {
    const { c, logger } = client(sim, { timeoutMs: 300 });
    sim.control.setFaults({ errorRate: 1, errorStatus: 503 });
    const e503 = await caught(c.listIncidents());
    expect(e503).toMatchObject({ kind: 'http', status: 503, retryable: true });
    expect(e503.message).toBe('On-Call is having problems (HTTP 503: no healthy upstream).');

    sim.control.setFaults({ timeoutRate: 1 });
    const timeout = await caught(c.listIncidents());
    expect(timeout).toMatchObject({ kind: 'timeout', retryable: true });
    expect(timeout.message).toBe('On-Call did not answer within 0.3 s.');

    sim.control.setFaults({ resetRate: 1 });
    const reset = await caught(c.listIncidents());
    expect(reset).toMatchObject({ kind: 'network', retryable: true });
    expect(reset.message).toMatch(/could not reach On-Call/);

    sim.control.setFaults({ malformedRate: 1 });
    const malformed = await caught(c.listIncidents());
    expect(malformed).toMatchObject({ kind: 'malformed', retryable: true });

    sim.control.setFaults({});
    expect(await c.listIncidents()).toHaveLength(3);
    const warnings = logger.warnings().join('\n');
    for (const needle of ['503', 'did not answer', 'could not reach', 'could not read'])
      expect(warnings).toContain(needle);
  });
});

describe('sendAlert (REST endpoint)', () => {
  const body = (entityId: string) => ({
    message_type: 'CRITICAL',
    entity_id: entityId,
    entity_display_name: 'Manual page by alice: test',
    monitoring_tool: 'klaxon',
  });

  it('delivers an alert and rolls a retry with the same entity_id into the same incident', async () => {
    sim.control.setConsistencyDelay(0);
    const { c } = client();
    expect(await c.sendAlert('sre', body('klaxon/one'))).toEqual({ ok: true, entityId: 'klaxon/one' });
    expect(await c.sendAlert('sre', body('klaxon/one'))).toEqual({ ok: true, entityId: 'klaxon/one' });
    const mine = sim.control.incidents().filter((i) => (i as { entityId: string }).entityId === 'klaxon/one');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ alertCount: 2, currentPhase: 'UNACKED' });
  });

  it('reports a refused body as not retryable, and outages as retryable, in plain words', async () => {
    const { c } = client(sim, { timeoutMs: 300, alertTimeoutMs: 300 });
    const refused = await c.sendAlert('sre', { entity_id: 'klaxon/x' });
    expect(refused).toEqual({
      ok: false,
      retryable: false,
      status: 400,
      error: 'On-Call refused the alert (HTTP 400: Missing fields: message_type).',
    });

    sim.control.setFaults({ errorRate: 1, errorStatus: 503 });
    expect(await c.sendAlert('sre', body('klaxon/y'))).toMatchObject({ ok: false, retryable: true, status: 503 });
    sim.control.setFaults({ rateLimitRate: 1 });
    expect(await c.sendAlert('sre', body('klaxon/y'))).toMatchObject({ ok: false, retryable: true, status: 429 });
    sim.control.setFaults({ timeoutRate: 1 });
    expect(await c.sendAlert('sre', body('klaxon/y'))).toEqual({
      ok: false,
      retryable: true,
      error: 'On-Call did not answer within 0.3 s.',
    });
    sim.control.setFaults({ malformedRate: 1 });
    expect(await c.sendAlert('sre', body('klaxon/y'))).toMatchObject({ ok: false, retryable: true });
    sim.control.setFaults({});
    const wrongKey = await client(sim, { restEndpointKey: 'not-the-key' }).c.sendAlert('sre', body('klaxon/z'));
    expect(wrongKey).toEqual({
      ok: false,
      retryable: true,
      status: 404,
      error:
        'On-Call did not accept the REST endpoint key (HTTP 404: Unknown API key); the Klaxon operator should check oncall.restEndpointKey. Klaxon keeps trying.',
    });
  });

  it('names oncall.restEndpointBaseUrl, not the routing key, when nothing answers at the REST address', async () => {
    const wrongUrl = client(sim, { restEndpointBaseUrl: `${sim.url}/integrations/generic/20131114/alrt` }).c;
    const r = await wrongUrl.sendAlert('sre', body('klaxon/w'));
    expect(r).toMatchObject({ ok: false, retryable: true, status: 404 });
    if (!r.ok) {
      expect(r.error).toMatch(/oncall\.restEndpointBaseUrl/);
      expect(r.error).not.toMatch(/routing key/);
    }
  });

  it('treats a 200 carrying result: failure as a failure', async () => {
    const s = await startOnCallSimulator({ log: false, restFailureStatus: 200 });
    try {
      const r = await client(s).c.sendAlert('sre', { entity_id: 'klaxon/x' });
      expect(r).toEqual({
        ok: false,
        retryable: false,
        status: 200,
        error: 'On-Call refused the alert: Missing fields: message_type.',
      });
    } finally {
      await s.close();
    }
  });
});
