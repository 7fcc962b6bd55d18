// What escalate-unpaged, "Escalate now" and webhook updates will ask of PagerDuty, against the real
// simulator over HTTP: users by e-mail, policies by id, rerouting an incident, and reading signed
// v3 webhook deliveries into incident updates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_POLICY_BATPHONE,
  DEMO_POLICY_SRE,
  DEMO_ROUTING_KEYS,
  DEMO_SERVICE_SRE,
  DEMO_USERS,
  startPagerDutySimulator,
  type RunningPagerDutySimulator,
} from '#dev/pagerduty-simulator/index.js';
import { PagerDutyBackend } from '#server/backends/pagerduty/backend.js';
import { PagerDutyClient } from '#server/backends/pagerduty/client.js';
import { startWebhookReceiver, type WebhookReceiver } from '#test/support/pagerduty-webhook-receiver.js';
import { waitFor } from '#test/support/wait-for.js';

let sim: RunningPagerDutySimulator;
let receiver: WebhookReceiver;

const backendFor = (url: string) =>
  new PagerDutyBackend({
    client: new PagerDutyClient({
      apiBaseUrl: url,
      eventsUrl: `${url}/v2/enqueue`,
      apiToken: sim.apiToken,
      timeoutMs: 1000,
      eventTimeoutMs: 1000,
      restPerMinute: 960,
    }),
    targets: [{ routingKey: DEMO_ROUTING_KEYS.sre, serviceId: DEMO_SERVICE_SRE }],
    serviceIds: [],
    recentWindowMinutes: 60,
    webhookSecrets: [],
    klaxonUrl: () => null,
  });

beforeAll(async () => {
  sim = await startPagerDutySimulator({ rateLimit: false });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await Promise.all([sim?.close(), receiver?.close()]);
});

describe('PagerDuty: people and policies', () => {
  it('knows users by e-mail, in any letter case, and says "cannot tell" when PagerDuty does not answer', async () => {
    const backend = backendFor(sim.url);
    expect(await backend.userExists('carol@klaxon.test')).toBe(true);
    expect(await backend.userExists(' Klaxon@Klaxon.test ')).toBe(true);
    expect(await backend.userExists('mallory@klaxon.test')).toBe(false);
    expect((await backend.userDisplayNames()).get('dmitri@klaxon.test')).toBe('Dmitri Ivanov');
    expect(await backendFor('http://127.0.0.1:9').userExists('carol@klaxon.test')).toBeNull();
  });

  it('finds an escalation policy by id, and none for an id PagerDuty does not have', async () => {
    const backend = backendFor(sim.url);
    expect(await backend.findPolicy(DEMO_POLICY_BATPHONE)).toEqual({
      id: DEMO_POLICY_BATPHONE,
      name: expect.any(String),
    });
    expect(await backend.findPolicy('PNOSUCH')).toBeNull();
  });

  it('reroutes an open incident to another policy as a named user, which PagerDuty records', async () => {
    const backend = backendFor(sim.url);
    sim.control.trigger({ routingKey: DEMO_ROUTING_KEYS.sre, summary: 'Disk full on db-3', dedupKey: 'reroute-1' });
    const id = sim.control.events({ dedupKey: 'reroute-1' })[0]!.incidentId!;
    const number = String((sim.control.incident(id) as { incident_number: number }).incident_number);
    expect(await backend.reroute('carol@klaxon.test', number, DEMO_POLICY_BATPHONE)).toEqual({
      accepted: true,
      reason: null,
    });
    expect(sim.control.incident(id)).toMatchObject({ escalation_policy: { id: DEMO_POLICY_BATPHONE } });
    expect(
      sim.control
        .requests()
        .filter((r) => r.method === 'PUT')
        .at(-1)!.from,
    ).toBe('carol@klaxon.test');
    await expect(backend.reroute('mallory@klaxon.test', number, DEMO_POLICY_SRE)).rejects.toMatchObject({
      kind: 'not_found',
    });
  });

  it('reads signed v3 webhook deliveries into incident updates: triggered with who is paged, then acknowledged by whom', async () => {
    const backend = backendFor(sim.url);
    sim.control.addWebhookSubscription({ url: receiver.url, secrets: ['s3cret'] });
    sim.control.trigger({ routingKey: DEMO_ROUTING_KEYS.sre, summary: 'Cert expires today', dedupKey: 'hook-1' });
    const id = sim.control.events({ dedupKey: 'hook-1' })[0]!.incidentId!;
    sim.control.acknowledge(id, DEMO_USERS.dmitri);
    await sim.control.webhooksSettled();
    const mine = await waitFor('both deliveries', () => {
      const got = receiver.received.filter((w) => w.rawBody.includes('hook-1'));
      return got.length >= 2 ? got : null;
    });
    const updates = mine.map((w) => backend.readWebhook(JSON.parse(w.rawBody)));
    expect(updates[0]).toMatchObject({
      phase: 'UNACKED',
      sequence: null,
      incident: {
        title: 'Cert expires today',
        backend: 'pagerduty',
        entityId: 'hook-1',
        routingKey: DEMO_ROUTING_KEYS.sre,
        ackedBy: null,
      },
    });
    expect(updates[0]!.incident.pagedUsers.length).toBeGreaterThan(0);
    expect(updates[1]).toMatchObject({ phase: 'ACKED', incident: { ackedBy: 'Dmitri Ivanov', pagedUsers: [] } });
    expect(updates[1]!.at).toBeGreaterThanOrEqual(updates[0]!.at!);
    // Anything that is not an incident event is only a reason to poll.
    expect(backend.readWebhook({ event: { resource_type: 'service', data: {} } })).toBeNull();
    expect(backend.readWebhook('not json')).toBeNull();
  });
});
