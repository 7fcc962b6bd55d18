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
});
