import { describe, expect, it } from 'vitest';
import type { OnCallNow } from '#common/index.js';
import { peopleOnCall, whoWillBeWoken } from '#renderer/model/who-is-woken.js';

const oncall: OnCallNow = {
  fetchedAt: null,
  stale: false,
  teams: [
    {
      team: { slug: 'team-sre', name: 'SRE' },
      policies: [
        {
          policy: { slug: 'p1', name: 'SRE Primary' },
          users: [{ username: 'carol', name: 'Carol Okafor', timeZone: 'Europe/Berlin' }],
        },
        {
          policy: { slug: 'p1b', name: 'SRE Backup' },
          users: [{ username: 'carol', name: 'Carol Okafor', timeZone: 'Europe/Berlin' }],
        },
      ],
    },
    {
      team: { slug: 'team-plt', name: 'Platform' },
      policies: [
        {
          policy: { slug: 'p2', name: 'Platform Primary' },
          users: [{ username: 'priya', name: 'Priya Raman', timeZone: 'Asia/Kolkata' }],
        },
      ],
    },
  ],
};

describe('who will be woken', () => {
  it("lists the on-call people of the target's teams, once each", () => {
    expect(whoWillBeWoken(oncall, { teams: ['team-sre'] }).map((p) => p.user.username)).toEqual(['carol']);
  });
  it('a target without teams wakes every listed team', () => {
    expect(whoWillBeWoken(oncall, { teams: [] }).map((p) => p.user.username)).toEqual(['carol', 'priya']);
  });
  it('unknown on-call data gives nobody (the UI says it cannot see)', () => {
    expect(whoWillBeWoken(null, { teams: ['team-sre'] })).toEqual([]);
  });
});

describe('who is on call', () => {
  it('lists everyone of a team policy by policy, someone on two policies under each', () => {
    expect(peopleOnCall(oncall.teams[0]!).map((p) => `${p.policy}: ${p.user.username}`)).toEqual([
      'SRE Primary: carol',
      'SRE Backup: carol',
    ]);
  });
});
