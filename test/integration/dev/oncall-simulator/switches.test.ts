/**
 * Switches for answers the real service may give but no source settles (docs/splunk-oncall.md,
 * "Unknown without a live account"): routing-key case and what a read-only key gets for a write, at
 * start and changed later over HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startOnCallSimulator, type RunningSimulator, type SimulatorOptions } from '#dev/oncall-simulator/index.js';
import { alert, byEntity, control, listIncidents, vo, voHeaders } from '#test/support/vo-client.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  sim = await startOnCallSimulator({ rateLimit: false, seed: 'empty', ...opts });
  return sim;
}

describe('routingKeyCase', () => {
  it('insensitive (default, current docs): PLATFORM is platform, recorded in lower case', async () => {
    const s = await start();
    await alert(s, 'PLATFORM', { message_type: 'CRITICAL', entity_id: 'case/1' });
    expect((await byEntity(s, 'case/1'))[0]).toMatchObject({ routingKey: 'platform', pagedUsers: ['priya'] });
  });

  it('sensitive (2017 help page): PLATFORM matches no key and takes the default route, recorded as sent', async () => {
    const s = await start({ routingKeyCase: 'sensitive' });
    await alert(s, 'PLATFORM', { message_type: 'CRITICAL', entity_id: 'case/2' });
    await alert(s, 'platform', { message_type: 'CRITICAL', entity_id: 'case/3' });
    expect((await byEntity(s, 'case/2'))[0]).toMatchObject({
      routingKey: 'PLATFORM',
      pagedUsers: ['carol'],
      pagedTeams: ['team-sreKLX0000000001'],
    });
    expect((await byEntity(s, 'case/3'))[0]).toMatchObject({ routingKey: 'platform', pagedUsers: ['priya'] });
  });

  it('applies to maintenance mode too', async () => {
    const s = await start({ routingKeyCase: 'sensitive' });
    s.control.startMaintenance({ routingKeys: ['PLATFORM'] });
    await alert(s, 'platform', { message_type: 'CRITICAL', entity_id: 'case/mm' });
    expect((await byEntity(s, 'case/mm'))[0]!.pagedUsers).toEqual(['priya']);
  });
});

describe('readOnlyRefusal', () => {
  const write = (s: RunningSimulator) =>
    vo(
      s,
      'PATCH',
      '/api-public/v1/incidents/ack',
      { userName: 'carol', incidentNames: ['1'] },
      voHeaders(s, s.readOnlyApiKey),
    );

  it('auth-failed (default): 403 with the same body as a wrong key, so the two cannot be told apart', async () => {
    const s = await start();
    const ro = await write(s);
    const wrong = await vo(s, 'PATCH', '/api-public/v1/incidents/ack', {}, voHeaders(s, 'not-a-key'));
    expect([ro.status, ro.body]).toEqual([403, { error: 'Authentication failed' }]);
    expect([wrong.status, wrong.body]).toEqual([ro.status, ro.body]);
  });

  it('read-only: 403 naming the read-only key; unauthorized: 401', async () => {
    const s = await start({ readOnlyRefusal: 'read-only' });
    const ro = await write(s);
    expect(ro.status).toBe(403);
    expect((ro.body as { error: string }).error).toMatch(/read-only/);
    s.control.setSwitches({ readOnlyRefusal: 'unauthorized' });
    expect((await write(s)).status).toBe(401);
    // Reads stay allowed whatever the switch says.
    expect((await vo(s, 'GET', '/api-public/v1/incidents', undefined, voHeaders(s, s.readOnlyApiKey))).status).toBe(
      200,
    );
  });
});

describe('/_sim/switches', () => {
  it('reports every switch and changes some, refusing unknown names and values', async () => {
    const s = await start({ oncallFieldStyle: 'spec' });
    const all = (await control(s, 'GET', '/switches')).body as { switches: Record<string, unknown> };
    expect(all.switches).toEqual({
      oncallFieldStyle: 'spec',
      warningOpensIncident: true,
      restFailureStatus: 400,
      routingKeyCase: 'insensitive',
      readOnlyRefusal: 'auth-failed',
      oncallCurrentSteps: 'first',
      userListV1: 'nested',
      pagedUsersAfterAck: 'empty',
      multiResponderOutsiderAck: 'ignored',
      mutedPagedTeams: 'empty',
      maintenanceModeLimit: null,
    });
    const changed = await control(s, 'POST', '/switches', { warningOpensIncident: false, restFailureStatus: 200 });
    expect(changed.body).toMatchObject({ switches: { warningOpensIncident: false, restFailureStatus: 200 } });
    await alert(s, 'sre', { message_type: 'WARNING', entity_id: 'sw/warn' });
    expect(await listIncidents(s)).toEqual([]);
    expect((await alert(s, 'sre', { entity_id: 'no-type' })).status).toBe(200);
    for (const bad of [
      { routingKeyCase: 'upper' },
      { nope: 1 },
      { maintenanceModeLimit: -1 },
      { warningOpensIncident: 'no' },
    ]) {
      const r = await control(s, 'POST', '/switches', bad);
      expect(r.status).toBe(400);
      expect((r.body as { error: string }).error).toMatch(/[Ss]witch/);
    }
  });

  it('refuses a bad switch at start with a message naming it', async () => {
    await expect(startOnCallSimulator({ routingKeyCase: 'upper' as never })).rejects.toThrow(/routingKeyCase/);
  });
});
