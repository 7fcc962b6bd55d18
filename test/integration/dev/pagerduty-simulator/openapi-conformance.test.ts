/**
 * The simulator and Klaxon's PagerDuty client against our description of PagerDuty's APIs
 * (test/fixtures/pagerduty/schemas/, written from PagerDuty's published OpenAPI documents and
 * developer documentation; its README names the sources): every endpoint the simulator serves, real
 * answers over HTTP (status codes included) checked against the response schemas, and every request
 * the real backend (server/backends/pagerduty/) sends checked against the request schemas and
 * parameters. Always runs: the descriptions are committed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_POLICY_SRE,
  DEMO_ROUTING_KEYS,
  DEMO_SCHEDULE_PRIMARY,
  DEMO_SERVICE_BILLING,
  DEMO_SERVICE_SRE,
  DEMO_USERS,
  startPagerDutySimulator,
  type RunningPagerDutySimulator,
} from '#dev/pagerduty-simulator/index.js';
import { PagerDutyBackend } from '#server/backends/pagerduty/backend.js';
import { PagerDutyClient } from '#server/backends/pagerduty/client.js';
import { page as pageBuilder } from '#test/support/builders.js';
import { pagerDutyClient, type PdAnswer, type PdClient } from '#test/support/pagerduty-client.js';
import { pagerDutyOpenApiDocuments, PagerDutyOpenApi } from '#test/support/pagerduty-openapi.js';

const trigger = (dedupKey: string, summary = 'Checkout latency above SLO') => ({
  routing_key: DEMO_ROUTING_KEYS.sre,
  event_action: 'trigger',
  dedup_key: dedupKey,
  payload: {
    summary,
    source: 'klaxon',
    severity: 'critical',
    custom_details: { paged_by: 'alice', message: 'Checkout is slow' },
  },
  client: 'Klaxon',
  client_url: 'https://klaxon.example.org/pages/42',
  links: [{ href: 'https://klaxon.example.org/pages/42', text: 'Page in Klaxon' }],
});

describe("simulator answers and Klaxon requests conform to our description of PagerDuty's APIs", () => {
  let sim: RunningPagerDutySimulator;
  let openapi: PagerDutyOpenApi;
  let pd: PdClient;

  beforeAll(async () => {
    sim = await startPagerDutySimulator({ rateLimit: false });
    openapi = new PagerDutyOpenApi(pagerDutyOpenApiDocuments());
    pd = pagerDutyClient(sim.url, sim.apiToken);
  });
  afterAll(async () => {
    await sim?.close();
  });

  /** The answer conforms, and so does the request that produced it. */
  function conforms(a: PdAnswer, status: number, checkRequest = true): void {
    expect(a.status, a.text).toBe(status);
    expect(openapi.checkResponse({ ...a.request, status: a.status, body: a.body })).toEqual([]);
    if (checkRequest) expect(openapi.checkRequest(a.request)).toEqual([]);
  }

  it('Events API: a trigger with a dedup key, then acknowledge and resolve, answer 202 as documented', async () => {
    const t = await pd.enqueue(trigger('conformance-1'));
    conforms(t, 202);
    expect(t.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'conformance-1' });
    for (const event_action of ['acknowledge', 'resolve'])
      conforms(await pd.enqueue({ routing_key: DEMO_ROUTING_KEYS.sre, event_action, dedup_key: 'conformance-1' }), 202);
  });

  it('Events API: invalid events answer 400 and throttled ones 429 with the documented error body', async () => {
    const invalid = await pd.enqueue({ routing_key: 'short', event_action: 'trigger', payload: {} });
    conforms(invalid, 400, false);
    expect(openapi.checkRequest(invalid.request)).not.toEqual([]);
    const garbage = await pd.enqueue('{not json');
    expect(garbage.status).toBe(400);
    expect(openapi.checkResponse({ ...garbage.request, status: 400, body: garbage.body })).toEqual([]);
    sim.control.setRateLimit({ eventsPerMinute: 1 });
    try {
      await pd.enqueue(trigger('conformance-throttle'));
      conforms(await pd.enqueue(trigger('conformance-throttle')), 429);
    } finally {
      sim.control.setRateLimit(false);
    }
  });

  it('GET /incidents with the filters Klaxon uses, and one incident, conform', async () => {
    await pd.enqueue(trigger('conformance-list'));
    const q = `statuses[]=triggered&statuses[]=acknowledged&service_ids[]=${DEMO_SERVICE_SRE}&limit=2&offset=0&total=true`;
    const list = await pd.get<{ incidents: { id: string }[] }>(`/incidents?${q}`);
    conforms(list, 200);
    expect(list.body.incidents.length).toBeGreaterThan(0);
    conforms(await pd.get('/incidents?incident_key=conformance-list&date_range=all'), 200);
    const since = new Date(sim.control.now() - 3_600_000).toISOString();
    conforms(await pd.get(`/incidents?since=${since}&until=${new Date(sim.control.now()).toISOString()}`), 200);
    conforms(await pd.get(`/incidents/${list.body.incidents[0]!.id}`), 200);
    conforms(await pd.get(`/incidents/${list.body.incidents[0]!.id}/log_entries`), 200);
  });

  it('PUT /incidents/{id} acknowledge with From, escalate and resolve conform, and their log entries', async () => {
    await pd.enqueue(trigger('conformance-ack'));
    const id = sim.control.events({ dedupKey: 'conformance-ack' })[0]!.incidentId!;
    const put = (incident: Record<string, unknown>) =>
      pd.put(`/incidents/${id}`, { incident: { type: 'incident_reference', ...incident } }, 'carol@klaxon.test');
    conforms(await put({ escalation_level: 2 }), 200);
    conforms(await put({ status: 'acknowledged' }), 200);
    conforms(await put({ escalation_policy: { id: DEMO_POLICY_SRE, type: 'escalation_policy_reference' } }), 200);
    conforms(await put({ status: 'resolved' }), 200);
    conforms(await pd.get(`/incidents/${id}/log_entries?limit=100`), 200);
    const bulk = await pd.put(
      '/incidents',
      { incidents: [{ id, type: 'incident_reference', status: 'acknowledged' }] },
      'dmitri@klaxon.test',
    );
    conforms(bulk, 200);
  });

  it('on-calls, escalation policies, services, users and maintenance windows conform', async () => {
    conforms(await pd.get(`/oncalls?escalation_policy_ids[]=${DEMO_POLICY_SRE}&earliest=true`), 200);
    conforms(await pd.get(`/oncalls?schedule_ids[]=${DEMO_SCHEDULE_PRIMARY}&time_zone=UTC`), 200);
    const week = new Date(sim.control.now() + 7 * 86_400_000).toISOString();
    conforms(await pd.get(`/oncalls?since=${new Date(sim.control.now()).toISOString()}&until=${week}&limit=100`), 200);
    conforms(await pd.get('/oncalls'), 200);
    conforms(await pd.get('/escalation_policies?limit=100'), 200);
    conforms(await pd.get(`/escalation_policies/${DEMO_POLICY_SRE}`), 200);
    conforms(await pd.get('/services?limit=100&total=true'), 200);
    conforms(await pd.get(`/services/${DEMO_SERVICE_SRE}`), 200);
    conforms(await pd.get(`/services/${DEMO_SERVICE_BILLING}`), 200);
    conforms(await pd.get('/users?limit=100'), 200);
    conforms(await pd.get(`/users/${DEMO_USERS.carol}`), 200);
    conforms(await pd.get('/users?query=carol'), 200);
    conforms(await pd.get(`/maintenance_windows?service_ids[]=${DEMO_SERVICE_BILLING}&filter=ongoing`), 200);
    conforms(await pd.get('/maintenance_windows'), 200);
  });

  it('documented errors: 400, 401, 403, 404 and 429 bodies conform', async () => {
    const id = (sim.control.incidents()[0] as { id: string }).id;
    const noFrom = await pd.put(`/incidents/${id}`, {
      incident: { type: 'incident_reference', status: 'acknowledged' },
    });
    expect(noFrom.status).toBe(400);
    expect(openapi.checkRequest(noFrom.request)).toContain('PUT /incidents/{id}: header From is required');
    conforms(await pd.get('/incidents?statuses[]=open'), 400, false);
    conforms(await pagerDutyClient(sim.url, 'wrong-token').get('/incidents'), 401);
    const ro = await pagerDutyClient(sim.url, sim.readOnlyApiToken).put(
      `/incidents/${id}`,
      { incident: { type: 'incident_reference', status: 'acknowledged' } },
      'carol@klaxon.test',
    );
    conforms(ro, 403);
    conforms(await pd.get('/incidents/PNOSUCH'), 404);
    conforms(await pd.get('/users/PNOSUCH'), 404);
    conforms(
      await pd.put(
        '/incidents/PNOSUCH',
        { incident: { type: 'incident_reference', status: 'resolved' } },
        'carol@klaxon.test',
      ),
      404,
    );
    sim.control.setRateLimit({ restPerMinute: 1 });
    try {
      await pd.get('/incidents');
      const throttled = await pd.get('/incidents');
      conforms(throttled, 429);
      expect(throttled.headers.get('ratelimit-limit')).toBe('1');
    } finally {
      sim.control.setRateLimit(false);
    }
  });

  it("every request Klaxon's PagerDuty backend sends conforms, for every operation it uses", async () => {
    sim.control.clearRequests();
    const backend = new PagerDutyBackend({
      client: new PagerDutyClient({
        apiBaseUrl: sim.url,
        eventsUrl: sim.eventsUrl,
        apiToken: sim.apiToken,
        timeoutMs: 5000,
        eventTimeoutMs: 5000,
        restPerMinute: 960,
      }),
      targets: [{ routingKey: DEMO_ROUTING_KEYS.sre, serviceId: DEMO_SERVICE_SRE }],
      serviceIds: [],
      recentWindowMinutes: 60,
      webhookSecrets: [],
      klaxonUrl: () => 'https://klaxon.example.org/',
    });
    const page = pageBuilder({
      id: '0b7e4c1a-5d2f-4e8a-9c3b-1f6d2a7e8c90',
      target: { id: 'pd-sre', label: 'SRE (PagerDuty)' },
      createdAt: new Date(sim.control.now()).toISOString(),
    });
    expect(await backend.sendAlert(page, DEMO_ROUTING_KEYS.sre)).toMatchObject({ ok: true });
    const incident = await backend.findPageIncident(page);
    expect(incident).not.toBeNull();
    expect((await backend.listIncidents()).map((i) => i.number)).toContain(incident!.number);
    expect(await backend.getIncident(incident!.number)).not.toBeNull();
    await backend.onCallNow();
    await backend.escalationFor(DEMO_ROUTING_KEYS.sre);
    await backend.activeMutes();
    expect(await backend.knowsUser('carol@klaxon.test')).toBe(true);
    expect(await backend.escalate('carol@klaxon.test', incident!.number)).toEqual({ accepted: true, reason: null });
    expect(await backend.reroute('carol@klaxon.test', incident!.number, DEMO_POLICY_SRE)).toMatchObject({
      accepted: true,
    });
    expect(await backend.acknowledge('carol@klaxon.test', incident!.number)).toEqual({ accepted: true, reason: null });

    const sent = sim.control.requests();
    const used = new Set<string>();
    for (const r of sent) {
      const api = r.path === '/v2/enqueue' ? 'events' : 'rest';
      const request = {
        api,
        method: r.method,
        path: `${api === 'events' ? '/enqueue' : r.path}${r.query ? `?${r.query}` : ''}`,
        headers: r.headers ?? {},
        ...(r.body !== undefined ? { body: r.body } : {}),
      } as const;
      expect(openapi.checkRequest(request), `${r.method} ${r.path}?${r.query ?? ''}`).toEqual([]);
      expect(r.status, `${r.method} ${r.path}`).toBeLessThan(300);
      used.add(`${r.method} ${openapi.operation(api, r.method, request.path)!.template}`);
    }
    expect(used).toEqual(
      new Set([
        'POST /enqueue',
        'GET /incidents',
        'GET /incidents/{id}',
        'PUT /incidents/{id}',
        'GET /oncalls',
        'GET /escalation_policies/{id}',
        'GET /services/{id}',
        'GET /users',
        'GET /maintenance_windows',
      ]),
    );
  });

  it('the checker is not vacuous: wrong bodies, undocumented statuses and parameters are reported', () => {
    expect(
      openapi.checkResponse({
        api: 'rest',
        method: 'GET',
        path: '/incidents',
        status: 200,
        body: { incidents: [{ status: 'open' }] },
      }),
    ).not.toEqual([]);
    expect(
      openapi.checkResponse({ api: 'rest', method: 'GET', path: '/incidents', status: 200, body: {} }),
    ).not.toEqual([]);
    expect(openapi.checkResponse({ api: 'rest', method: 'GET', path: '/users', status: 418, body: {} })[0]).toMatch(
      /not documented/,
    );
    expect(
      openapi.checkRequest({
        api: 'rest',
        method: 'GET',
        path: '/incidents?status=triggered',
        headers: { Accept: 'application/vnd.pagerduty+json;version=2' },
      }),
    ).toEqual(['GET /incidents: query parameter status is not documented']);
    expect(
      openapi.checkRequest({
        api: 'events',
        method: 'POST',
        path: '/enqueue',
        body: { routing_key: 'x', event_action: 'page' },
      }),
    ).not.toEqual([]);
  });

  it('every operation the simulator serves was checked', () => {
    const ops = [...openapi.seen].map((s) => s.replace(/ -> \d+$| \(request\)$/, ''));
    expect(new Set(ops)).toEqual(
      new Set([
        'POST /enqueue',
        'GET /incidents',
        'PUT /incidents',
        'GET /incidents/{id}',
        'PUT /incidents/{id}',
        'GET /incidents/{id}/log_entries',
        'GET /oncalls',
        'GET /escalation_policies',
        'GET /escalation_policies/{id}',
        'GET /services',
        'GET /services/{id}',
        'GET /users',
        'GET /users/{id}',
        'GET /maintenance_windows',
      ]),
    );
  });
});
