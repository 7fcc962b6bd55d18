/**
 * Throttling (docs/splunk-oncall.md#rate-limits-and-throttling): 2 req/s per endpoint per API key,
 * 429 {"message":"Too Many Requests"}.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { control, vo, voHeaders } from '#test/support/vo-client.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('rate limiting', () => {
  it('answers the 3rd request within a second with 429 and the documented body; other endpoints and keys are unaffected', async () => {
    sim = await startOnCallSimulator();
    await control(sim, 'GET', '/clock'); // warm the connection so the three calls arrive well within a second
    expect((await vo(sim, 'GET', '/api-public/v1/incidents')).status).toBe(200);
    expect((await vo(sim, 'GET', '/api-public/v1/incidents')).status).toBe(200);
    const third = await vo(sim, 'GET', '/api-public/v1/incidents');
    expect(third.status).toBe(429);
    expect(third.body).toEqual({ message: 'Too Many Requests' });
    expect((await vo(sim, 'GET', '/api-public/v1/oncall/current')).status).toBe(200);
    expect(
      (await vo(sim, 'GET', '/api-public/v1/incidents', undefined, voHeaders(sim, sim.readOnlyApiKey))).status,
    ).toBe(200);
    // The log shows the throttled call too, so a client's call budget can be audited.
    expect(
      sim.control
        .requests()
        .filter((r) => r.path === '/api-public/v1/incidents')
        .map((r) => r.status),
    ).toEqual([200, 200, 429, 200]);
  });

  it('refills at the configured rate', async () => {
    sim = await startOnCallSimulator({ rateLimit: { perSecond: 2 } });
    await control(sim, 'GET', '/clock');
    await vo(sim, 'GET', '/api-public/v1/team');
    await vo(sim, 'GET', '/api-public/v1/team');
    expect((await vo(sim, 'GET', '/api-public/v1/team')).status).toBe(429);
    await new Promise((r) => setTimeout(r, 600));
    expect((await vo(sim, 'GET', '/api-public/v1/team')).status).toBe(200);
  });

  it('counts /incidents/{n} as one endpoint whatever the number', async () => {
    sim = await startOnCallSimulator();
    await control(sim, 'GET', '/clock');
    expect((await vo(sim, 'GET', '/api-public/v1/incidents/1041')).status).toBe(200);
    expect((await vo(sim, 'GET', '/api-public/v1/incidents/1042')).status).toBe(200);
    expect((await vo(sim, 'GET', '/api-public/v1/incidents/1041')).status).toBe(429);
  });

  it('can be switched off at start and at run time', async () => {
    sim = await startOnCallSimulator({ rateLimit: false });
    for (let k = 0; k < 10; k++) expect((await vo(sim, 'GET', '/api-public/v1/incidents')).status).toBe(200);
    sim.control.setRateLimit({ perSecond: 1 });
    expect((await vo(sim, 'GET', '/api-public/v1/incidents')).status).toBe(200);
    expect((await vo(sim, 'GET', '/api-public/v1/incidents')).status).toBe(429);
  });
});
