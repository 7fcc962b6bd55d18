/** Events API v2 over HTTP: dedup keys, acknowledge/resolve events, validation, unknown keys, maintenance, throttling. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_MAINTENANCE_BILLING,
  DEMO_ROUTING_KEYS,
  DEMO_SERVICE_BILLING,
  DEMO_SERVICE_SRE,
  startPagerDutySimulator,
  type RunningPagerDutySimulator,
} from '#dev/pagerduty-simulator/index.js';
import { pagerDutyClient } from '#test/support/pagerduty-client.js';

let sim: RunningPagerDutySimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const trigger = (dedup_key?: string, routing_key: string = DEMO_ROUTING_KEYS.sre) => ({
  routing_key,
  event_action: 'trigger',
  ...(dedup_key ? { dedup_key } : {}),
  payload: {
    summary: 'Checkout latency above SLO',
    source: 'klaxon',
    severity: 'critical',
    custom_details: { by: 'alice' },
  },
  client: 'Klaxon',
  client_url: 'https://klaxon.example.org/pages/7',
  links: [{ href: 'https://klaxon.example.org/pages/7', text: 'Page in Klaxon' }],
});

async function start(opts = {}) {
  sim = await startPagerDutySimulator({ seed: 'demo', rateLimit: false, ...opts });
  return { sim, pd: pagerDutyClient(sim.url, sim.apiToken) };
}

type Incident = { id: string; status: string; incident_key: string; incident_number: number };

describe('POST /v2/enqueue', () => {
  it('a trigger on an open dedup key adds to that incident; after it is resolved, the same key opens a new one', async () => {
    const { sim, pd } = await start();
    for (let k = 0; k < 3; k++) {
      const r = await pd.enqueue(trigger('page-42'));
      expect(r.status).toBe(202);
      expect(r.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'page-42' });
    }
    expect(sim.control.eventCounts('page-42')).toEqual({ trigger: 3, acknowledge: 0, resolve: 0, incidents: 1 });
    expect(sim.control.events({ dedupKey: 'page-42' }).map((e) => e.outcome)).toEqual([
      'created',
      'deduplicated',
      'deduplicated',
    ]);

    expect(
      (await pd.enqueue({ routing_key: DEMO_ROUTING_KEYS.sre, event_action: 'resolve', dedup_key: 'page-42' })).status,
    ).toBe(202);
    await pd.enqueue(trigger('page-42'));
    const list = await pd.get<{ incidents: Incident[] }>('/incidents?incident_key=page-42');
    expect(list.body.incidents.map((i) => i.status)).toEqual(['resolved', 'triggered']);
    expect(sim.control.eventCounts('page-42').incidents).toBe(2);
  });

  it('acknowledge and resolve events act on the open incident, by the service; with nothing open they are dropped', async () => {
    const { sim, pd } = await start();
    const none = await pd.enqueue({
      routing_key: DEMO_ROUTING_KEYS.sre,
      event_action: 'acknowledge',
      dedup_key: 'nothing-open',
    });
    expect(none.status).toBe(202);
    expect(sim.control.events({ dedupKey: 'nothing-open' })[0]!.outcome).toBe('dropped: no open incident');

    await pd.enqueue(trigger('ack-me'));
    await pd.enqueue({ routing_key: DEMO_ROUTING_KEYS.sre, event_action: 'acknowledge', dedup_key: 'ack-me' });
    const [i] = (
      await pd.get<{
        incidents: (Incident & { acknowledgements: { acknowledger: { type: string; id: string } }[] })[];
      }>('/incidents?incident_key=ack-me')
    ).body.incidents;
    expect(i!.status).toBe('acknowledged');
    expect(i!.acknowledgements[0]!.acknowledger).toMatchObject({ type: 'service_reference', id: DEMO_SERVICE_SRE });
    // Another routing key never touches it (dedup keys are per integration).
    await pd.enqueue({ routing_key: DEMO_ROUTING_KEYS.batphone, event_action: 'resolve', dedup_key: 'ack-me' });
    expect(sim.control.incident(i!.id)!.status).toBe('acknowledged');
  });

  it('a trigger without a dedup key always opens a new incident and answers with the generated key', async () => {
    const { sim, pd } = await start();
    const a = await pd.enqueue<{ dedup_key: string }>(trigger());
    const b = await pd.enqueue<{ dedup_key: string }>(trigger());
    expect(a.body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
    expect(a.body.dedup_key).not.toBe(b.body.dedup_key);
    expect(sim.control.eventCounts(a.body.dedup_key).incidents).toBe(1);
  });

  it('keeps summary, source, severity, custom details, client and links on the trigger log entry', async () => {
    const { pd } = await start();
    await pd.enqueue(trigger('details'));
    const [i] = (await pd.get<{ incidents: (Incident & { title: string })[] }>('/incidents?incident_key=details')).body
      .incidents;
    expect(i!.title).toBe('Checkout latency above SLO');
    const log = await pd.get<{ log_entries: { type: string; channel: Record<string, unknown> }[] }>(
      `/incidents/${i!.id}/log_entries`,
    );
    expect(log.body.log_entries[0]).toMatchObject({
      type: 'trigger_log_entry',
      channel: {
        type: 'api',
        summary: 'Checkout latency above SLO',
        details: { by: 'alice' },
        client: 'Klaxon',
        client_url: 'https://klaxon.example.org/pages/7',
      },
    });
  });

  it('answers 400 with the documented body for invalid events and unparseable JSON, and changes nothing', async () => {
    const { sim, pd } = await start();
    const before = sim.control.incidents().length;
    const bad = await pd.enqueue({
      routing_key: 'e+23rschqsESqk9Q6_-g',
      event_action: 'trigger',
      payload: { summary: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: [
        "Length of 'routing_key' is incorrect (should be 32 characters)",
        "'routing_key' cannot contain non-alphanumeric characters.",
        "'payload.source' is missing or blank",
        "'payload.severity' is missing or blank, or not one of critical, error, warning, info",
      ],
    });
    const noKey = await pd.enqueue({ routing_key: DEMO_ROUTING_KEYS.sre, event_action: 'resolve' });
    expect(noKey.body).toMatchObject({ errors: ["'dedup_key' is missing or blank"] });
    const garbage = await pd.enqueue('{"routing_key":');
    expect(garbage.status).toBe(400);
    expect(garbage.body).toEqual({
      status: 'Unrecognized object',
      message: 'Event object format is unrecognized',
      errors: ['JSON parse error'],
    });
    expect(sim.control.incidents().length).toBe(before);
    expect(sim.control.events()).toEqual([]);
  });

  it('a well-formed unknown routing key is accepted and dropped, or refused when the simulator is told to', async () => {
    const unknown = 'abcdefabcdefabcdefabcdefabcdef12';
    const { sim, pd } = await start();
    expect((await pd.enqueue(trigger('lost', unknown))).status).toBe(202);
    expect(sim.control.events({ dedupKey: 'lost' })[0]!.outcome).toBe('dropped: unknown routing key');
    await sim.close();
    const strict = await start({ unknownRoutingKey: 'reject' });
    const r = await strict.pd.enqueue(trigger('lost', unknown));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: 'invalid event', errors: ['Invalid routing key'] });
  });

  it('in maintenance a service opens no incident and the Events API cannot resolve one; after the window it can', async () => {
    const { sim, pd } = await start();
    expect(
      (await pd.get<{ service: { status: string } }>(`/services/${DEMO_SERVICE_BILLING}`)).body.service.status,
    ).toBe('maintenance');
    expect((await pd.enqueue(trigger('billing-down', DEMO_ROUTING_KEYS.billing))).status).toBe(202);
    expect(sim.control.eventCounts('billing-down')).toMatchObject({ trigger: 1, incidents: 0 });
    expect(sim.control.events({ dedupKey: 'billing-down' })[0]!.outcome).toBe('dropped: service in maintenance');
    // An incident opened before the window stays open: the Events API cannot resolve it during maintenance.
    sim.control.endMaintenanceWindow(DEMO_MAINTENANCE_BILLING);
    await pd.enqueue(trigger('opened-before', DEMO_ROUTING_KEYS.billing));
    sim.control.addMaintenanceWindow({ serviceIds: [DEMO_SERVICE_BILLING], durationMinutes: 30 });
    await pd.enqueue({ routing_key: DEMO_ROUTING_KEYS.billing, event_action: 'resolve', dedup_key: 'opened-before' });
    expect(sim.control.events({ dedupKey: 'opened-before', action: 'resolve' })[0]!.outcome).toBe(
      'dropped: service in maintenance',
    );
    expect(
      (await pd.get<{ incidents: Incident[] }>('/incidents?incident_key=opened-before')).body.incidents[0]!.status,
    ).toBe('triggered');
    sim.control.advance(30 * 60_000);
    await pd.enqueue(trigger('billing-down', DEMO_ROUTING_KEYS.billing));
    expect(sim.control.eventCounts('billing-down').incidents).toBe(1);
    expect(
      (await pd.get<{ service: { status: string } }>(`/services/${DEMO_SERVICE_BILLING}`)).body.service.status,
    ).toBe('critical');
  });

  it('throttles per routing key with 429 and ingests nothing while throttled', async () => {
    const { sim, pd } = await start({ rateLimit: { eventsPerMinute: 2 } });
    const statuses = [];
    for (let k = 0; k < 3; k++) statuses.push((await pd.enqueue(trigger(`burst-${k}`))).status);
    expect(statuses).toEqual([202, 202, 429]);
    expect(sim.control.eventCounts('burst-2')).toMatchObject({ trigger: 0, incidents: 0 });
    // Another integration key has its own budget.
    expect((await pd.enqueue(trigger('other', DEMO_ROUTING_KEYS.batphone))).status).toBe(202);
  });
});
