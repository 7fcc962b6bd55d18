/**
 * Fault injection (dev/oncall-simulator/README.md, "Faults"): every kind, switchable at start and at run time, per
 * path, on the REST endpoint too, and a faulted request never changes state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { alert, byEntity, control, vo, voHeaders } from '#test/support/vo-client.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const start = async (faults = {}) => (sim = await startOnCallSimulator({ rateLimit: false, faults }));

describe('fault injection', () => {
  it('errorRate answers 503 text/plain "no healthy upstream" and 500, in turn unless errorStatus fixes it', async () => {
    const s = await start({ errorRate: 1 });
    const first = await vo(s, 'GET', '/api-public/v1/incidents');
    expect(first.status).toBe(503);
    expect(first.contentType).toMatch(/^text\/plain/);
    expect(first.text).toBe('no healthy upstream');
    expect((await vo(s, 'GET', '/api-public/v1/incidents')).status).toBe(500);
    s.control.setFaults({ errorRate: 1, errorStatus: 500 });
    expect((await vo(s, 'GET', '/api-public/v1/incidents')).status).toBe(500);
    expect((await vo(s, 'GET', '/api-public/v1/incidents')).status).toBe(500);
  });

  it('timeoutRate never answers: the client gives up, and close() still ends promptly', async () => {
    const s = await start({ timeoutRate: 1 });
    const t0 = Date.now();
    await expect(
      fetch(`${s.url}/api-public/v1/incidents`, { headers: voHeaders(s), signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow(/aborted|timeout/i);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    const hanging = fetch(`${s.url}/api-public/v1/incidents`, { headers: voHeaders(s) });
    await new Promise((r) => setTimeout(r, 100));
    const c0 = Date.now();
    await s.close();
    expect(Date.now() - c0).toBeLessThan(2000);
    await expect(hanging).rejects.toThrow();
  });

  it('resetRate drops the connection without an answer', async () => {
    const s = await start({ resetRate: 1 });
    await expect(fetch(`${s.url}/api-public/v1/incidents`, { headers: voHeaders(s) })).rejects.toThrow(/fetch failed/);
    expect(s.control.requests().at(-1)).toMatchObject({ status: 0, fault: 'reset' });
  });

  it('malformedRate answers 200 with a body that is not valid JSON', async () => {
    const s = await start({ malformedRate: 1 });
    const r = await vo(s, 'GET', '/api-public/v1/incidents');
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('rateLimitRate answers 429 {"message":"Too Many Requests"}', async () => {
    const s = await start({ rateLimitRate: 1 });
    const r = await vo(s, 'GET', '/api-public/v1/oncall/current');
    expect(r.status).toBe(429);
    expect(r.body).toEqual({ message: 'Too Many Requests' });
  });

  it('latencyMs delays answers', async () => {
    const s = await start({ latencyMs: 300 });
    const t0 = Date.now();
    expect((await vo(s, 'GET', '/api-public/v1/team')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('applies only to the listed paths (and below them)', async () => {
    const s = await start({ errorRate: 1, errorStatus: 503, paths: ['/api-public/v1/incidents'] });
    expect((await vo(s, 'GET', '/api-public/v1/incidents')).status).toBe(503);
    expect((await vo(s, 'GET', '/api-public/v1/incidents/1041')).status).toBe(503);
    expect((await vo(s, 'GET', '/api-public/v1/oncall/current')).status).toBe(200);
  });

  it('is switchable at run time over HTTP, and the control API itself is never faulted', async () => {
    const s = await start();
    expect((await vo(s, 'GET', '/api-public/v1/incidents')).status).toBe(200);
    const set = await control(s, 'POST', '/faults', { errorRate: 1, errorStatus: 503 });
    expect(set.status).toBe(200);
    expect((await vo(s, 'GET', '/api-public/v1/incidents')).status).toBe(503);
    expect((await control(s, 'GET', '/incidents')).status).toBe(200);
    expect((await control(s, 'POST', '/faults', { errorRate: 2 })).status).toBe(400);
    await control(s, 'POST', '/faults', {});
    expect((await vo(s, 'GET', '/api-public/v1/incidents')).status).toBe(200);
  });

  it('faults the REST endpoint too, and a faulted alert is not taken', async () => {
    const s = await start({ paths: ['/integrations/generic/20131114/alert'] });
    for (const f of [{ errorRate: 1 }, { resetRate: 1 }, { malformedRate: 1 }, { rateLimitRate: 1 }] as const) {
      s.control.setFaults({ ...f, paths: ['/integrations/generic/20131114/alert'] });
      const res = await alert(s, 'sre', { message_type: 'CRITICAL', entity_id: 'faulted/page' }).catch(() => null);
      if (res) expect(res.body).not.toEqual(expect.objectContaining({ result: 'success' }));
    }
    s.control.setFaults({ timeoutRate: 1, paths: ['/integrations/generic/20131114/alert'] });
    await expect(
      fetch(`${s.restEndpointBaseUrl}/${s.restEndpointKey}/sre`, {
        method: 'POST',
        body: JSON.stringify({ message_type: 'CRITICAL', entity_id: 'faulted/page' }),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    s.control.setFaults({});
    expect(await byEntity(s, 'faulted/page')).toEqual([]);
    const ok = await alert(s, 'sre', { message_type: 'CRITICAL', entity_id: 'faulted/page' });
    expect(ok.body).toEqual({ result: 'success', entity_id: 'faulted/page' });
    expect(await byEntity(s, 'faulted/page')).toHaveLength(1);
    expect((await byEntity(s, 'faulted/page'))[0]!.alertCount).toBe(1);
  });

  it('a faulted ack changes nothing', async () => {
    const s = await start();
    const unacked = s.control.incidents().find((i) => i.currentPhase === 'UNACKED')!;
    s.control.setFaults({ errorRate: 1, paths: ['/api-public/v1/incidents/ack'] });
    expect(
      (
        await vo(s, 'PATCH', '/api-public/v1/incidents/ack', {
          userName: 'carol',
          incidentNames: [unacked.incidentNumber],
        })
      ).status,
    ).toBeGreaterThanOrEqual(500);
    expect(s.control.incidents().find((i) => i.incidentNumber === unacked.incidentNumber)!.currentPhase).toBe(
      'UNACKED',
    );
  });
});
