/** The paging engine on its own (dev/oncall-simulator/paging.ts): steps by time, entries by kind, loops. */
import { describe, expect, it } from 'vitest';
import { OrgDirectory, type Org, type OrgPolicy } from '#dev/oncall-simulator/org.js';
import { advanceRuns, beingPaged, startRuns } from '#dev/oncall-simulator/paging.js';
import { demoOrg } from '#dev/oncall-simulator/seed.js';

const MIN = 60_000;

function orgWith(policies: OrgPolicy[]): OrgDirectory {
  const org: Org = demoOrg('realistic');
  return new OrgDirectory({ ...org, policies: [...org.policies, ...policies] });
}

describe('advanceRuns', () => {
  it('runs each step when its timeout since the previous step has passed, and no sooner', () => {
    const org = orgWith([]);
    const runs = startRuns({ policies: ['pol-sreprimary00001'], users: [] }, 0);
    advanceRuns(org, runs, 0);
    expect(beingPaged(runs)).toEqual(['carol']);
    advanceRuns(org, runs, 15 * MIN - 1);
    expect(beingPaged(runs)).toEqual(['carol']);
    advanceRuns(org, runs, 45 * MIN);
    // Step 3 (policy_routing after 30 more minutes) starts the batphone, whose first step runs at once.
    expect(runs.map((r) => r.policySlug)).toEqual(['pol-sreprimary00001', 'pol-srebatphone00003']);
    expect(beingPaged(runs)).toEqual(['carol', 'dmitri', 'ana', 'lars', 'jo']);
  });

  it('catches up several due steps in one call, timing each from the one before', () => {
    const org = orgWith([]);
    const runs = startRuns({ policies: ['pol-sreprimary00001'], users: [] }, 0);
    advanceRuns(org, runs, 50 * MIN);
    expect(runs[0]!.lastStepAt).toBe(45 * MIN);
    expect(runs[1]!.lastStepAt).toBe(45 * MIN);
  });

  it('pages a directly targeted user at once; e-mail entries page nobody; a policy loop runs once', () => {
    const loop: OrgPolicy[] = [
      {
        name: 'A',
        slug: 'pol-a',
        teamSlug: 'team-sreKLX0000000001',
        steps: [{ timeout: 0, entries: [{ executionType: 'policy_routing', policySlug: 'pol-b' }] }],
      },
      {
        name: 'B',
        slug: 'pol-b',
        teamSlug: 'team-sreKLX0000000001',
        steps: [
          { timeout: 0, entries: [{ executionType: 'email', address: 'x@klaxon.test' }] },
          {
            timeout: 1,
            entries: [
              { executionType: 'policy_routing', policySlug: 'pol-a' },
              { executionType: 'user', username: 'lars' },
            ],
          },
        ],
      },
    ];
    const org = orgWith(loop);
    const runs = startRuns({ policies: ['pol-a'], users: ['mei'] }, 0);
    advanceRuns(org, runs, 10 * MIN);
    expect(runs.map((r) => [r.responder, r.policySlug])).toEqual([
      ['pol-a', 'pol-a'],
      ['directUserPolicySlug-mei', null],
      ['pol-a', 'pol-b'],
    ]);
    expect(beingPaged(runs)).toEqual(['mei', 'lars']);
  });

  it('leaves stopped runs out of who is being paged', () => {
    const org = orgWith([]);
    const runs = startRuns({ policies: ['pol-sreprimary00001', 'pol-pltprimary00002'], users: [] }, 0);
    advanceRuns(org, runs, 0);
    runs[0]!.stopped = true;
    advanceRuns(org, runs, 60 * MIN);
    expect(beingPaged(runs)).toEqual(['priya', 'sam']);
    expect(runs[0]!.nextStep).toBe(1);
  });
});
