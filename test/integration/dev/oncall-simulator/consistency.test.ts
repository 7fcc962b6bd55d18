/**
 * Eventual consistency (docs/splunk-oncall.md#rest-endpoint-alert): accepted alerts show up in
 * list-incidents only after the delay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { alert, byEntity, vo } from '#test/support/vo-client.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('consistency delay', () => {
  it('accepts a REST alert at once but lists the incident only after consistencyDelayMs', async () => {
    sim = await startOnCallSimulator({ rateLimit: false, consistencyDelayMs: 400 });
    const r = await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'slow/1' });
    expect(r.body).toEqual({ result: 'success', entity_id: 'slow/1' });
    expect(await byEntity(sim, 'slow/1')).toEqual([]);
    await new Promise((res) => setTimeout(res, 500));
    expect(await byEntity(sim, 'slow/1')).toHaveLength(1);
  });

  it('returns the create-incident number at once; the incident appears after the delay', async () => {
    sim = await startOnCallSimulator({ rateLimit: false, consistencyDelayMs: 60_000 });
    const r = await vo(sim, 'POST', '/api-public/v1/incidents', {
      summary: 'Later',
      details: '',
      userName: 'carol',
      targets: [{ type: 'User', slug: 'carol' }],
    });
    const n = (r.body as { incidentNumber: string }).incidentNumber;
    expect((await vo(sim, 'GET', `/api-public/v1/incidents/${n}`)).status).toBe(404);
    // Advancing the simulated clock past the delay makes it due without waiting a minute.
    sim.control.advance(60_000);
    expect((await vo(sim, 'GET', `/api-public/v1/incidents/${n}`)).status).toBe(200);
  });

  it('keeps the order of alerts for one entity (CRITICAL then RECOVERY)', async () => {
    sim = await startOnCallSimulator({ rateLimit: false, consistencyDelayMs: 200 });
    await alert(sim, 'sre', { message_type: 'CRITICAL', entity_id: 'order/1' });
    await alert(sim, 'sre', { message_type: 'RECOVERY', entity_id: 'order/1' });
    await new Promise((res) => setTimeout(res, 300));
    expect((await byEntity(sim, 'order/1')).map((i) => i.currentPhase)).toEqual(['RESOLVED']);
  });
});
