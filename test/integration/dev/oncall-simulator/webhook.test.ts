/** Outgoing "Any-Incident" webhook (docs/splunk-oncall.md#outgoing-webhooks), received by a real node:http listener. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { alert, vo } from '#test/support/vo-client.js';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, string>;
}

let sim: RunningSimulator | undefined;
let listener: Server | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  if (listener) await new Promise((r) => listener!.close(r));
  listener = undefined;
});

async function startListener(
  status = 204,
): Promise<{ url: string; received: Received[]; next(count: number): Promise<Received[]> }> {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  listener = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(raw) as Record<string, string> });
      res.writeHead(status).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((r) => listener!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/hook`;
  const next = async (count: number) => {
    const deadline = Date.now() + 5000;
    while (received.length < count && Date.now() < deadline)
      await new Promise<void>((r) => (waiters.push(r), setTimeout(r, 100)));
    return received;
  };
  return { url, received, next };
}

describe('outgoing webhook', () => {
  it('POSTs the incident, phase, entity, title, ack user, count, routing key and time on each state change', async () => {
    const hook = await startListener();
    sim = await startOnCallSimulator({
      rateLimit: false,
      seed: 'empty',
      webhook: { url: hook.url, headers: { 'x-klaxon-webhook-secret': 's3cret' } },
    });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'hook/1', entity_display_name: 'Hooked' });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'hook/1', entity_display_name: 'Hooked' }); // roll-up: no state change
    const n = sim.control.incidents()[0]!.incidentNumber;
    await vo(sim, 'PATCH', '/api-public/v1/incidents/ack', { userName: 'carol', incidentNames: [n] });
    await alert(sim, 'sre', { message_type: 'RECOVERY', entity_id: 'hook/1' });
    const got = await hook.next(3);
    expect(got.map((r) => r.body.phase)).toEqual(['UNACKED', 'ACKED', 'RESOLVED']);
    expect(got[0]!.headers['x-klaxon-webhook-secret']).toBe('s3cret');
    expect(got[0]!.headers['content-type']).toBe('application/json');
    expect(got[1]!.body).toEqual({
      incident: n,
      phase: 'ACKED',
      alert_phase: 'ACKED',
      entity_id: 'hook/1',
      title: 'Hooked',
      ack_user: 'carol',
      alert_count: '2',
      routing_key: 'sre',
      team: 'team-sreKLX0000000001',
      started_at: expect.stringMatching(/^\d{13}$/),
      sequence: '2',
      ts: expect.stringMatching(/^\d{13}$/),
    });
  });

  it('survives a receiver that is down or failing, and records the failures', async () => {
    sim = await startOnCallSimulator({
      rateLimit: false,
      seed: 'empty',
      webhook: { url: 'http://127.0.0.1:9/unreachable' },
    });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'hook/down' });
    const deadline = Date.now() + 5000;
    while (!sim.control.webhookDeliveries()[0]?.error && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(sim.control.webhookDeliveries()[0]).toMatchObject({ status: 0, error: expect.any(String) });
    expect((await vo(sim, 'GET', '/api-public/v1/incidents')).status).toBe(200);
  });
});
