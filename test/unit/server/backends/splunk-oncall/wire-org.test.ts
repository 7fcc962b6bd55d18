import { describe, expect, it } from 'vitest';
import {
  readMaintenanceModes,
  readPolicy,
  readPolicyList,
  readRoutingKeys,
  readTeamSchedule,
  readUserNames,
} from '#server/backends/splunk-oncall/wire-org.js';

describe("readers of the organisation's set-up", () => {
  it('reads routing keys with their policies and the team in _teamUrl, skipping what it cannot use', () => {
    expect(
      readRoutingKeys({
        routingKeys: [
          {
            routingKey: 'sre',
            isDefault: false,
            targets: [{ policyName: 'SRE', policySlug: 'pol-1', _teamUrl: '/api-public/v1/team/team-a' }, {}],
          },
          { isDefault: true },
          { routingKey: 'routingdefault', isDefault: true, targets: [{ policySlug: 'pol-2' }] },
        ],
      }),
    ).toEqual([
      {
        routingKey: 'sre',
        isDefault: false,
        targets: [{ policySlug: 'pol-1', policyName: 'SRE', teamSlug: 'team-a' }],
      },
      {
        routingKey: 'routingdefault',
        isDefault: true,
        targets: [{ policySlug: 'pol-2', policyName: 'pol-2', teamSlug: null }],
      },
    ]);
    expect(readRoutingKeys([])).toBeNull();
  });

  it('reads the policy list in both documented forms', () => {
    expect(
      readPolicyList({
        policies: [
          { policy: { name: 'A', slug: 'pol-a' }, team: { name: 'SRE', slug: 'team-a' } },
          { name: 'B', slug: 'pol-b' },
        ],
      }),
    ).toEqual([
      { slug: 'pol-a', name: 'A', team: { slug: 'team-a', name: 'SRE' } },
      { slug: 'pol-b', name: 'B', team: null },
    ]);
  });

  it('reads steps and entries by executionType; unknown kinds stay visible as such', () => {
    expect(
      readPolicy({
        name: 'P',
        slug: 'pol-p',
        steps: [
          { timeout: 0, entries: [{ executionType: 'rotation_group_next', rotationGroup: { slug: 'rtg-1' } }] },
          { timeout: '5', entries: [{ executionType: 'user', user: { username: 'sam' } }, { executionType: 'sms' }] },
          { timeout: 10, entries: [{ executionType: 'policy_routing', targetPolicy: { policySlug: 'pol-q' } }] },
        ],
      }),
    ).toEqual({
      slug: 'pol-p',
      name: 'P',
      steps: [
        { timeout: 0, entries: [{ kind: 'rotation', type: 'rotation_group_next', rotationSlug: 'rtg-1' }] },
        {
          timeout: 0,
          entries: [
            { kind: 'user', username: 'sam' },
            { kind: 'other', type: 'sms' },
          ],
        },
        { timeout: 10, entries: [{ kind: 'policy', policySlug: 'pol-q' }] },
      ],
    });
    expect(readPolicy({ slug: 'x' })).toBeNull();
  });

  it('reads who is on call per rotation entry of a step, an override winning', () => {
    const schedule = readTeamSchedule({
      team: { slug: 'team-a' },
      schedules: [
        {
          policy: { slug: 'pol-a' },
          schedule: [
            { onCallType: 'rotation_group', rotationName: 'Primary', onCallUser: { username: 'carol' }, rolls: [] },
            {
              onCallType: 'rotation_group',
              rotationName: 'Primary',
              onCallUser: { username: 'dmitri' },
              overrideOnCallUser: { username: 'lars' },
              rolls: [],
            },
            { onCallType: 'rotation_group', rotationName: 'Nights', rolls: [] },
            { onCallType: 'user', onCallUser: { username: 'sam' }, rolls: [] },
          ],
        },
      ],
    });
    expect(schedule?.get('pol-a')).toEqual([
      { rotation: 'Primary', username: 'carol' },
      { rotation: 'Primary', username: 'lars' },
      { rotation: 'Nights', username: null },
    ]);
  });

  it('reads maintenance modes: a mode naming no keys is global', () => {
    expect(
      readMaintenanceModes({
        activeInstances: [
          { isGlobal: false, startedAt: 1_700_000_000_000, startedBy: 'PUBLICAPI', targets: [{ names: ['db'] }] },
          { isGlobal: false, targets: [{ names: [] }] },
        ],
      }),
    ).toEqual([
      {
        isGlobal: false,
        routingKeys: ['db'],
        startedAt: '2023-11-14T22:13:20.000Z',
        startedBy: 'PUBLICAPI',
        purpose: null,
      },
      { isGlobal: true, routingKeys: [], startedAt: null, startedBy: null, purpose: null },
    ]);
  });

  it('reads display names, falling back to first and last name', () => {
    const names = readUserNames({
      users: [
        { username: 'jo', firstName: 'Joanna', lastName: 'Kowalski', displayName: 'Jo Kowalski' },
        { username: 'sam', firstName: 'Sam', lastName: 'Lee' },
        { username: 'ghost' },
      ],
    });
    expect(Object.fromEntries(names!)).toEqual({ jo: 'Jo Kowalski', sam: 'Sam Lee' });
  });
});
