import { afterEach, describe, expect, it } from 'vitest';
import { ErrorBody, OnCallNow } from '#common/index.js';
import { startLiveStack, viewerHeaders, type LiveStack } from '#test/support/live-stack.js';

let stack: LiveStack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${stack!.url}${path}`, { headers });

describe('GET /api/v1/oncall', () => {
  it('says who is on call with names and time zones, cached', async () => {
    stack = await startLiveStack();
    stack.sim.control.clearRequests();
    const body = OnCallNow.parse(await (await get('/api/v1/oncall', viewerHeaders('alice'))).json());
    expect(body.stale).toBe(false);
    // Every policy of the team, each with its people: display names, and time zones where configured.
    const person = (username: string, name: string, timeZone: string | null = null) => ({ username, name, timeZone });
    const carol = person('carol', 'Carol Okafor', 'Europe/Berlin');
    expect(body.teams[0]).toEqual({
      team: { slug: 'team-sreKLX0000000001', name: 'SRE' },
      policies: [
        { policy: { slug: 'pol-sreprimary00001', name: 'SRE Primary' }, users: [carol] },
        {
          policy: { slug: 'pol-srebatphone00003', name: 'SRE Batphone' },
          users: [
            carol,
            person('dmitri', 'Dmitri Ivanov', 'America/New_York'),
            person('ana', 'Ana Souza'),
            person('lars', 'Lars Nilsson'),
            person('jo', 'Jo Kowalski'),
          ],
        },
        { policy: { slug: 'pol-sretickets000006', name: 'SRE Tickets' }, users: [] },
      ],
    });
    await Promise.all(Array.from({ length: 20 }, () => get('/api/v1/oncall', viewerHeaders('alice'))));
    expect(stack.sim.control.requests().filter((r) => r.path === '/api-public/v1/oncall/current')).toHaveLength(1);
  });

  it('answers 503 with a plain message when On-Call fails before any answer', async () => {
    stack = await startLiveStack();
    stack.sim.control.setFaults({ errorRate: 1, errorStatus: 503, paths: ['/api-public/v1/oncall'] });
    const res = await get('/api/v1/oncall', viewerHeaders('alice'));
    expect(res.status).toBe(503);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.code).toBe('upstream_unavailable');
    expect(body.error.message).toMatch(/cannot tell who is on call right now.*HTTP 503.*Paging still works/);
  });
});
