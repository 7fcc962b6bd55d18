/** REST API v2 incidents over HTTP: auth, filters, pagination, and updates that need `From`. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_POLICY_BATPHONE,
  DEMO_ROUTING_KEYS,
  DEMO_SERVICE_BATPHONE,
  DEMO_USERS,
  startPagerDutySimulator,
  type RunningPagerDutySimulator,
} from '#dev/pagerduty-simulator/index.js';
import { pagerDutyClient } from '#test/support/pagerduty-client.js';

let sim: RunningPagerDutySimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

type Ref = { id: string; type: string; summary: string };
type Incident = {
  id: string;
  incident_number: number;
  status: string;
  incident_key: string;
  assignments: { assignee: Ref }[];
  acknowledgements: { at: string; acknowledger: Ref }[];
  escalation_policy: Ref;
  last_status_change_by: Ref;
};
type Page = { incidents: Incident[]; limit: number; offset: number; more: boolean; total: number | null };

async function start() {
  sim = await startPagerDutySimulator({ seed: 'demo', rateLimit: false });
  const pd = pagerDutyClient(sim.url, sim.apiToken);
  const open = async (dedup_key: string, routing_key: string = DEMO_ROUTING_KEYS.sre) => {
    await pd.enqueue({
      routing_key,
      event_action: 'trigger',
      dedup_key,
      payload: { summary: dedup_key, source: 'test', severity: 'critical' },
    });
    return sim!.control.events({ dedupKey: dedup_key }).at(-1)!.incidentId!;
  };
  return { sim, pd, open };
}

const ack = { incident: { type: 'incident_reference', status: 'acknowledged' } };

describe('REST API v2: incidents', () => {
  it('refuses a missing or wrong token with 401 and the documented error body', async () => {
    const { sim } = await start();
    for (const token of [null, 'not-a-token']) {
      const r = await pagerDutyClient(sim.url, token).get('/incidents');
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: { message: 'Authentication failed', code: 2006, errors: [] } });
    }
  });

  it('filters by statuses[], service_ids[], incident_key, and since/until unless date_range=all', async () => {
    const { sim, pd, open } = await start();
    await open('bat-1', DEMO_ROUTING_KEYS.batphone);
    const statuses = async (q: string) => (await pd.get<Page>(`/incidents?${q}`)).body.incidents.map((i) => i.status);
    expect(await statuses('statuses[]=triggered')).toEqual(['triggered', 'triggered']);
    expect(await statuses('statuses[]=acknowledged&statuses[]=triggered')).toEqual([
      'acknowledged',
      'triggered',
      'triggered',
    ]);
    expect(
      (await pd.get<Page>(`/incidents?service_ids[]=${DEMO_SERVICE_BATPHONE}`)).body.incidents.map(
        (i) => i.incident_key,
      ),
    ).toEqual(['bat-1']);
    expect((await pd.get<Page>('/incidents?incident_key=checkout-latency-slo')).body.incidents).toHaveLength(1);
    const bad = await pd.get('/incidents?statuses[]=open');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 2001, message: 'Invalid Input Provided' } });

    sim.control.advance(40 * 86_400_000);
    expect((await pd.get<Page>('/incidents')).body.incidents).toEqual([]);
    expect((await pd.get<Page>('/incidents?date_range=all')).body.incidents).toHaveLength(3);
    const since = new Date(sim.control.now() - 41 * 86_400_000).toISOString();
    expect((await pd.get<Page>(`/incidents?since=${since}`)).body.incidents).toHaveLength(3);
    expect((await pd.get('/incidents?since=yesterday')).status).toBe(400);
  });

  it('paginates with limit/offset/more, and counts total only when asked', async () => {
    const { pd, open } = await start();
    for (let k = 0; k < 4; k++) await open(`p-${k}`);
    const first = (await pd.get<Page>('/incidents?limit=4')).body;
    expect(first).toMatchObject({ limit: 4, offset: 0, more: true, total: null });
    const last = (await pd.get<Page>('/incidents?limit=4&offset=4&total=true')).body;
    expect(last).toMatchObject({ limit: 4, offset: 4, more: false, total: 6 });
    expect([...first.incidents, ...last.incidents].map((i) => i.incident_number)).toEqual([
      1041, 1042, 1043, 1044, 1045, 1046,
    ]);
    expect((await pd.get<Page>('/incidents?limit=500')).body.limit).toBe(100);
    expect((await pd.get('/incidents?limit=100&offset=9950')).status).toBe(400);
  });

  it('acknowledging needs From with a known user e-mail; the user becomes acknowledger and assignee', async () => {
    const { sim, pd, open } = await start();
    const id = await open('needs-from');
    const none = await pd.put(`/incidents/${id}`, ack);
    expect(none.status).toBe(400);
    expect(none.body).toEqual({
      error: {
        message: 'You must specify a user\'s email address in the "From" header to perform this action',
        code: 2016,
        errors: [],
      },
    });
    const stranger = await pd.put(`/incidents/${id}`, ack, 'bob@klaxon.test');
    expect(stranger.status).toBe(400);
    expect(stranger.body).toMatchObject({ error: { message: 'Requester User Not Found', code: 1008 } });
    const ro = await pagerDutyClient(sim.url, sim.readOnlyApiToken).put(`/incidents/${id}`, ack, 'carol@klaxon.test');
    expect(ro.status).toBe(403);
    expect(sim.control.incident(id)!.status).toBe('triggered');

    const ok = await pd.put<{ incident: Incident }>(`/incidents/${id}`, ack, 'klaxon@klaxon.test');
    expect(ok.status).toBe(200);
    expect(ok.body.incident.status).toBe('acknowledged');
    expect(ok.body.incident.acknowledgements.map((a) => a.acknowledger.id)).toEqual([DEMO_USERS.klaxon]);
    expect(ok.body.incident.assignments.map((a) => a.assignee.id)).toEqual([DEMO_USERS.klaxon]);
    expect(ok.body.incident.last_status_change_by).toMatchObject({ type: 'user_reference', id: DEMO_USERS.klaxon });
    const log = await pd.get<{ log_entries: { type: string; agent?: Ref }[] }>(`/incidents/${id}/log_entries`);
    expect(log.body.log_entries.map((e) => [e.type, e.agent?.summary])).toEqual([
      ['trigger_log_entry', 'SRE'],
      ['acknowledge_log_entry', 'Klaxon'],
    ]);
    // The request log keeps who the write acted as.
    expect(
      sim.control
        .requests()
        .filter((r) => r.method === 'PUT')
        .map((r) => [r.status, r.from ?? null]),
    ).toEqual([
      [400, null],
      [400, 'bob@klaxon.test'],
      [403, 'carol@klaxon.test'],
      [200, 'klaxon@klaxon.test'],
    ]);
  });

  it('escalates to a level, reassigns to another policy, resolves, and reopens a resolved incident by acknowledging it', async () => {
    const { pd, open } = await start();
    const id = await open('moves');
    const put = (incident: Record<string, unknown>) =>
      pd.put<{ incident: Incident }>(
        `/incidents/${id}`,
        { incident: { type: 'incident_reference', ...incident } },
        'carol@klaxon.test',
      );
    expect((await put({ escalation_level: 2 })).body.incident.assignments.map((a) => a.assignee.id)).toEqual([
      DEMO_USERS.priya,
    ]);
    expect((await put({ escalation_level: 3 })).body).toMatchObject({
      error: { code: 1006, message: 'Cannot Escalate' },
    });
    const delegated = (
      await put({ escalation_policy: { id: DEMO_POLICY_BATPHONE, type: 'escalation_policy_reference' } })
    ).body.incident;
    expect(delegated.escalation_policy.id).toBe(DEMO_POLICY_BATPHONE);
    expect(delegated.assignments.map((a) => a.assignee.id)).toEqual([DEMO_USERS.carol, DEMO_USERS.priya]);
    expect((await put({ status: 'resolved' })).body.incident).toMatchObject({ status: 'resolved', assignments: [] });
    expect((await put({ status: 'resolved' })).status).toBe(200);
    expect((await put({ status: 'acknowledged' })).body.incident.status).toBe('acknowledged');
    expect((await put({ status: 'closed' })).body).toMatchObject({ error: { code: 1003 } });
    expect((await pd.put('/incidents/PNOSUCH', ack, 'carol@klaxon.test')).status).toBe(404);
  });

  it('PUT /incidents updates several incidents at once, all or nothing, at most 250', async () => {
    const { sim, pd, open } = await start();
    const a = await open('bulk-a');
    const b = await open('bulk-b');
    const refused = await pd.put(
      '/incidents',
      {
        incidents: [
          { id: a, type: 'incident_reference', status: 'resolved' },
          { id: 'PNOSUCH', status: 'resolved' },
        ],
      },
      'carol@klaxon.test',
    );
    expect(refused.status).toBe(404);
    expect(sim.control.incident(a)!.status).toBe('triggered');
    const ok = await pd.put<Page>(
      '/incidents',
      { incidents: [a, b].map((id) => ({ id, type: 'incident_reference', status: 'resolved' })) },
      'carol@klaxon.test',
    );
    expect(ok.status).toBe(200);
    expect(ok.body.incidents.map((i) => i.status)).toEqual(['resolved', 'resolved']);
    const many = Array.from({ length: 251 }, () => ({ id: a, status: 'resolved' }));
    expect((await pd.put('/incidents', { incidents: many }, 'carol@klaxon.test')).status).toBe(413);
  });

  it('answers 429 with rate-limit headers when a token is over its limit', async () => {
    const { sim, pd } = await start();
    sim.control.setRateLimit({ restPerMinute: 2 });
    const first = await pd.get('/incidents');
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    await pd.get('/users');
    const third = await pd.get('/incidents');
    expect(third.status).toBe(429);
    expect(third.body).toEqual({ error: { message: 'Rate Limit Exceeded', code: 2020 } });
    expect(Number(third.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    // Another token has its own window.
    expect((await pagerDutyClient(sim.url, sim.readOnlyApiToken).get('/incidents')).status).toBe(200);
  });
});
