/** The simulated clock drives timestamps and how long resolved incidents stay listed (docs/splunk-oncall.md#phases). */
import { afterEach, describe, expect, it } from 'vitest';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { alert, byEntity, control, vo } from '#test/support/vo-client.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('clock and retention', () => {
  it('keeps a resolved incident listed for resolvedRetentionMinutes, then only get-incident finds it', async () => {
    const s = (sim = await startOnCallSimulator({ rateLimit: false, resolvedRetentionMinutes: 60 }));
    await alert(s, 'sre', { message_type: 'CRITICAL', entity_id: 'retention/1' });
    await alert(s, 'sre', { message_type: 'RECOVERY', entity_id: 'retention/1' });
    const [inc] = await byEntity(s, 'retention/1');
    expect(inc!.currentPhase).toBe('RESOLVED');
    s.control.advance(59 * 60_000);
    expect(await byEntity(s, 'retention/1')).toHaveLength(1);
    s.control.advance(2 * 60_000);
    expect(await byEntity(s, 'retention/1')).toEqual([]);
    const e2 = await vo(s, 'GET', `/api-public/v1/incidents/${inc!.incidentNumber}`);
    expect(e2.status).toBe(200);
    expect((e2.body as { currentPhase: string }).currentPhase).toBe('RESOLVED');
  });

  it('stamps times from the simulated clock, frozen or advanced', async () => {
    const s = (sim = await startOnCallSimulator({ rateLimit: false, seed: 'empty' }));
    s.control.freeze();
    const frozenAt = s.control.now();
    await new Promise((r) => setTimeout(r, 1100));
    expect(s.control.now()).toBe(frozenAt);
    s.control.advance(3 * 3600_000);
    await alert(s, 'sre', { message_type: 'CRITICAL', entity_id: 'clock/1' });
    const [inc] = await byEntity(s, 'clock/1');
    expect(Date.parse(inc!.startTime as string)).toBe(Math.floor((frozenAt + 3 * 3600_000) / 1000) * 1000);
    s.control.unfreeze();
    expect(s.control.now()).toBeGreaterThanOrEqual(frozenAt + 3 * 3600_000);
  });

  it('is controllable over HTTP: freeze, advance, unfreeze', async () => {
    const s = (sim = await startOnCallSimulator({ rateLimit: false }));
    const frozen = await control(s, 'POST', '/clock', { freeze: true });
    expect(frozen.body).toMatchObject({ frozen: true });
    const t0 = Date.parse((frozen.body as { now: string }).now);
    const advanced = await control(s, 'POST', '/clock', { advanceMs: 90_000 });
    expect(Date.parse((advanced.body as { now: string }).now)).toBe(t0 + 90_000);
    expect((await control(s, 'POST', '/clock', { freeze: false })).body).toMatchObject({ frozen: false });
  });
});
