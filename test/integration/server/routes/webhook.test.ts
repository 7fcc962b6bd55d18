import { afterEach, describe, expect, it } from 'vitest';
import { ErrorBody } from '#common/index.js';
import { openSse } from '#test/support/sse-test-client.js';
import { startLiveStack, viewerHeaders, type LiveStack } from '#test/support/live-stack.js';
import { waitFor } from '#test/support/wait-for.js';

let stack: LiveStack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${stack!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('POST /api/v1/webhooks/oncall', () => {
  it('is off (404) without a configured secret', async () => {
    stack = await startLiveStack();
    expect((await post('/api/v1/webhooks/oncall', {})).status).toBe(404);
  });

  it('needs the shared secret, and a good call triggers a refresh', async () => {
    stack = await startLiveStack({ webhookSecret: 's3cret-webhook', hub: { pollIntervalSeconds: 60 } });
    expect((await post('/api/v1/webhooks/oncall', {})).status).toBe(401);
    const wrong = await post('/api/v1/webhooks/oncall', {}, { 'x-klaxon-webhook-secret': 's3cret-webhooK' });
    expect(wrong.status).toBe(401);
    expect(ErrorBody.parse(await wrong.json()).error.code).toBe('unauthorized');
    await new Promise((r) => setTimeout(r, 1000));
    stack.sim.control.clearRequests();
    const form = await fetch(`${stack.url}/api/v1/webhooks/oncall`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-klaxon-webhook-secret': 's3cret-webhook' },
      body: 'incident=1042&phase=ACKED',
    });
    expect(form.status).toBe(204);
    await waitFor(
      'a poll of the incidents endpoint',
      () => stack!.sim.control.requests().some((r) => r.path === '/api-public/v1/incidents'),
      3000,
    );
  });

  it("turns the simulator's outgoing webhook into a live event without waiting for the poll", async () => {
    stack = await startLiveStack({ webhookSecret: 'hook', hub: { pollIntervalSeconds: 60 } });
    stack.sim.control.setWebhook({
      url: `${stack.url}/api/v1/webhooks/oncall`,
      headers: { 'x-klaxon-webhook-secret': 'hook' },
    });
    const sse = await openSse(`${stack.url}/api/v1/events`, viewerHeaders('alice'));
    try {
      const snap = await sse.next((e) => e.type === 'snapshot');
      const open = snap.type === 'snapshot' ? snap.data.incidents.incidents.find((i) => i.phase === 'UNACKED')! : null;
      const t0 = Date.now();
      stack.sim.control.ack(open!.number, 'dmitri');
      const ev = await sse.next((e) => e.type === 'incident', 5000);
      expect(ev).toMatchObject({
        data: { change: 'updated', incident: { number: open!.number, phase: 'ACKED', ackedBy: 'dmitri' } },
      });
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(sse.invalid).toEqual([]);
    } finally {
      sse.close();
    }
  });

  it('applies the state a webhook carries at once, before the poll it triggers has answered', async () => {
    stack = await startLiveStack({ webhookSecret: 'hook', hub: { pollIntervalSeconds: 60 } });
    stack.sim.control.setWebhook({
      url: `${stack.url}/api/v1/webhooks/oncall`,
      headers: { 'x-klaxon-webhook-secret': 'hook' },
    });
    const sse = await openSse(`${stack.url}/api/v1/events`, viewerHeaders('alice'));
    try {
      await sse.next((e) => e.type === 'snapshot');
      // Every poll of the list now takes 1.5 s (within the client's 2 s timeout): anything sooner came from the webhook itself.
      stack.sim.control.setFaults({ latencyMs: 1500, paths: ['/api-public/v1/incidents'] });
      const t0 = Date.now();
      stack.sim.control.ack('1042', 'carol');
      const ev = await sse.next((e) => e.type === 'incident' && e.data.incident.number === '1042', 2500);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(ev).toMatchObject({
        data: { change: 'updated', incident: { number: '1042', phase: 'ACKED', ackedBy: 'carol', pagedUsers: [] } },
      });
      expect(stack.hub.snapshot().incidents.find((i) => i.number === '1042')?.phase).toBe('ACKED');
      // A new incident shows at once too, provisionally; the poll then confirms it with who is paged.
      const n = stack.sim.control.createIncident({ title: 'Queue backlog', routingKey: 'sre' });
      const opened = await sse.next((e) => e.type === 'incident' && e.data.incident.number === n, 2500);
      expect(opened).toMatchObject({
        data: { change: 'opened', incident: { title: 'Queue backlog', provisional: true } },
      });
      const confirmed = await sse.next(
        (e) => e.type === 'incident' && e.data.incident.number === n && e.data.incident.provisional === undefined,
        10_000,
      );
      expect(confirmed).toMatchObject({ data: { change: 'updated', incident: { pagedUsers: ['carol'] } } });
      expect(sse.invalid).toEqual([]);
      const metrics = await (await fetch(`${stack.url}/metrics`)).text();
      expect(metrics).toMatch(/klaxon_webhook_updates_total\{outcome="applied"\} 2/);
    } finally {
      sse.close();
    }
  });

  it('never takes state back: an older webhook after a newer poll, or a wrong secret, changes nothing', async () => {
    stack = await startLiveStack({ webhookSecret: 'hook', hub: { pollIntervalSeconds: 60 } });
    const hook = (body: unknown, secret = 'hook') =>
      post('/api/v1/webhooks/oncall', body, { 'x-klaxon-webhook-secret': secret });
    const sse = await openSse(`${stack.url}/api/v1/events`, viewerHeaders('alice'));
    try {
      await sse.next((e) => e.type === 'snapshot');
      // 1042 is resolved in On-Call and a poll (triggered by a webhook without state) shows it.
      stack.sim.control.resolve('1042', 'carol');
      await new Promise((r) => setTimeout(r, 1000));
      expect((await hook({})).status).toBe(204);
      await sse.next((e) => e.type === 'incident' && e.data.incident.number === '1042');
      expect(stack.hub.snapshot().incidents.find((i) => i.number === '1042')?.phase).toBe('RESOLVED');
      // A webhook delayed from before the resolve arrives now: ignored.
      expect((await hook({ incident: '1042', phase: 'ACKED', ack_user: 'carol' })).status).toBe(204);
      // A wrong secret: refused before the body is looked at.
      expect((await hook({ incident: '1041', phase: 'RESOLVED', ack_user: 'dmitri' }, 'wrong')).status).toBe(401);
      const before = sse.events.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(sse.events.slice(before).filter((e) => e.type === 'incident')).toEqual([]);
      const phases = Object.fromEntries(stack.hub.snapshot().incidents.map((i) => [i.number, i.phase]));
      // 1043: the realistic demo's incident that pages nobody, untouched.
      expect(phases).toEqual({ '1041': 'ACKED', '1042': 'RESOLVED', '1043': 'UNACKED' });
      const metrics = await (await fetch(`${stack.url}/metrics`)).text();
      expect(metrics).toMatch(/klaxon_webhook_updates_total\{outcome="backwards"\} 1/);
      expect(metrics).toMatch(/klaxon_webhook_updates_total\{outcome="no_state"\} 1/);
    } finally {
      sse.close();
    }
  });
});
