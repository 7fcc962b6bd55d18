/** Webhooks v3: signed incident events to a real loopback receiver, secret rotation, filters, retries. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_ROUTING_KEYS,
  DEMO_SERVICE_BATPHONE,
  DEMO_USERS,
  startPagerDutySimulator,
  type RunningPagerDutySimulator,
} from '#dev/pagerduty-simulator/index.js';
import { pagerDutyClient } from '#test/support/pagerduty-client.js';
import {
  startWebhookReceiver,
  verifyPagerDutySignature,
  type WebhookReceiver,
} from '#test/support/pagerduty-webhook-receiver.js';

let sim: RunningPagerDutySimulator | undefined;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await sim?.close();
  await receiver?.close();
  sim = undefined;
  receiver = undefined;
});

async function start(opts = {}) {
  sim = await startPagerDutySimulator({ seed: 'demo', rateLimit: false, webhookRetryDelayMs: 10, ...opts });
  receiver = await startWebhookReceiver();
  const pd = pagerDutyClient(sim.url, sim.apiToken);
  const event = (event_action: string, dedup_key: string, routing_key: string = DEMO_ROUTING_KEYS.sre) =>
    pd.enqueue({
      routing_key,
      event_action,
      dedup_key,
      payload: { summary: dedup_key, source: 'test', severity: 'critical' },
      client: 'Klaxon',
    });
  return { sim, receiver, pd, event };
}

describe('webhooks v3', () => {
  it('POSTs the documented payload for triggered, acknowledged, escalated and resolved, signed v1=HMAC-SHA256 of the raw body', async () => {
    const { sim, receiver, pd, event } = await start();
    const sub = sim.control.addWebhookSubscription({ url: receiver.url, secrets: ['s3cret'] });
    await event('trigger', 'hooked');
    const id = sim.control.events({ dedupKey: 'hooked' })[0]!.incidentId!;
    await pd.put(
      `/incidents/${id}`,
      { incident: { type: 'incident_reference', escalation_level: 2 } },
      'carol@klaxon.test',
    );
    await pd.put(
      `/incidents/${id}`,
      { incident: { type: 'incident_reference', status: 'acknowledged' } },
      'priya@klaxon.test',
    );
    await event('resolve', 'hooked');
    const got = await receiver.next(4);
    expect(got.map((w) => w.body.event.event_type)).toEqual([
      'incident.triggered',
      'incident.escalated',
      'incident.acknowledged',
      'incident.resolved',
    ]);
    for (const w of got) {
      expect(verifyPagerDutySignature(w.rawBody, w.headers['x-pagerduty-signature'] as string, 's3cret')).toBe(true);
      expect(verifyPagerDutySignature(w.rawBody, w.headers['x-pagerduty-signature'] as string, 'wrong')).toBe(false);
      expect(w.headers['x-webhook-subscription']).toBe(sub.id);
      expect(w.headers['x-webhook-id']).toBe(w.body.event.id);
      expect(w.body.event).toMatchObject({
        resource_type: 'incident',
        data: { id, type: 'incident', incident_key: 'hooked' },
      });
    }
    const [triggered, , acked, resolved] = got.map((w) => w.body.event);
    expect(triggered).toMatchObject({
      agent: { type: 'service_reference' },
      client: { name: 'Klaxon' },
      data: { status: 'triggered' },
    });
    expect(acked).toMatchObject({
      agent: { type: 'user_reference', id: DEMO_USERS.priya },
      data: { status: 'acknowledged', assignees: [{ id: DEMO_USERS.priya }] },
    });
    expect(resolved).toMatchObject({ agent: { type: 'service_reference' }, data: { status: 'resolved' } });
    expect(Date.parse(String(triggered!.occurred_at))).not.toBeNaN();
  });

  it('signs with every secret during a rotation: two comma-separated v1= signatures, either verifies', async () => {
    const { sim, receiver, event } = await start();
    const sub = sim.control.addWebhookSubscription({ url: receiver.url, secrets: ['old-secret'] });
    sim.control.rotateWebhookSecrets(sub.id, ['new-secret', 'old-secret']);
    await event('trigger', 'rotating');
    const [w] = await receiver.next(1);
    const header = w!.headers['x-pagerduty-signature'] as string;
    expect(header).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(verifyPagerDutySignature(w!.rawBody, header, 'new-secret')).toBe(true);
    expect(verifyPagerDutySignature(w!.rawBody, header, 'old-secret')).toBe(true);
    expect(verifyPagerDutySignature(`${w!.rawBody} `, header, 'new-secret')).toBe(false);
  });

  it('delivers only the subscribed event types for the filtered service, with custom headers', async () => {
    const { sim, receiver, event } = await start();
    sim.control.addWebhookSubscription({
      url: receiver.url,
      events: ['incident.triggered'],
      filter: { type: 'service_reference', id: DEMO_SERVICE_BATPHONE },
      customHeaders: [{ name: 'X-Klaxon', value: 'yes' }],
    });
    await event('trigger', 'sre-only');
    await event('trigger', 'bat', DEMO_ROUTING_KEYS.batphone);
    await event('resolve', 'bat', DEMO_ROUTING_KEYS.batphone);
    await sim.control.webhooksSettled();
    expect(receiver.received.map((w) => [w.body.event.event_type, w.body.event.data.incident_key])).toEqual([
      ['incident.triggered', 'bat'],
    ]);
    expect(receiver.received[0]!.headers['x-klaxon']).toBe('yes');
  });

  it('escalation by the clock is announced with no agent', async () => {
    const { sim, receiver, event } = await start();
    sim.control.freeze();
    sim.control.addWebhookSubscription({ url: receiver.url, events: ['incident.escalated'] });
    await event('trigger', 'timer');
    sim.control.advance(15 * 60_000);
    const [w] = await receiver.next(1);
    expect(w!.body.event).toMatchObject({
      event_type: 'incident.escalated',
      agent: null,
      data: { assignees: [{ id: DEMO_USERS.priya }] },
    });
  });

  it('retries 5xx and 429 with the same X-Webhook-Id, and gives up on other 4xx', async () => {
    const { sim, receiver, event } = await start();
    sim.control.addWebhookSubscription({ url: receiver.url });
    receiver.answerWith([503, 429]);
    await event('trigger', 'retried');
    await sim.control.webhooksSettled();
    const [d] = sim.control.webhookDeliveries();
    expect(d).toMatchObject({ attempts: 3, status: 202, eventType: 'incident.triggered' });
    expect(receiver.received).toHaveLength(1);
    receiver.answerWith([410]);
    await event('resolve', 'retried');
    await sim.control.webhooksSettled();
    expect(sim.control.webhookDeliveries()[1]).toMatchObject({ attempts: 1, status: 410 });
    expect(receiver.received).toHaveLength(1);
  });
});
