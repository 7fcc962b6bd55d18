import { describe, expect, it } from 'vitest';
import type { EscalationStep, OnCallNow, PageTarget, TargetReach } from '#common/index.js';
import { minutesText, targetView } from '#renderer/model/target-reach.js';

const person = (username: string, name: string, timeZone: string | null = null) => ({ username, name, timeZone });
const carol = person('carol', 'Carol Okafor', 'Europe/Berlin');
const dmitri = person('dmitri', 'Dmitri Ivanov', 'America/New_York');
const priya = person('priya', 'Priya Raman');
const step = (afterMinutes: number, over: Partial<EscalationStep> = {}): EscalationStep => ({
  afterMinutes,
  users: [],
  emptyRotations: [],
  also: [],
  via: null,
  ...over,
});
const sreTarget: PageTarget = {
  id: 'sre',
  label: 'SRE on call',
  description: null,
  teams: ['team-sre'],
  isDefault: true,
};
const reach = (over: Partial<TargetReach> = {}): TargetReach => ({
  targetId: 'sre',
  certainty: 'exact',
  uncertainty: null,
  policies: [
    {
      policy: { slug: 'pol-sre', name: 'SRE Primary' },
      team: { slug: 'team-sre', name: 'SRE' },
      steps: [
        step(0, { users: [carol] }),
        step(15, { users: [dmitri] }),
        step(45, { users: [carol, dmitri], via: 'SRE Batphone' }),
      ],
    },
  ],
  muting: { state: 'off' },
  problem: null,
  ...over,
});
const oncall = (targets?: TargetReach[]): OnCallNow => ({
  fetchedAt: null,
  stale: false,
  teams: [
    {
      team: { slug: 'team-sre', name: 'SRE' },
      policies: [
        { policy: { slug: 'pol-sre', name: 'SRE Primary' }, users: [carol] },
        { policy: { slug: 'pol-bat', name: 'SRE Batphone' }, users: [carol, dmitri, priya] },
      ],
    },
  ],
  ...(targets ? { targets } : {}),
});
const names = (people: { user: { name: string | null } }[]) => people.map((p) => p.user.name);

describe('whom the confirm step says a page wakes', () => {
  it("names the first step's people now, and later steps by when they run", () => {
    const v = targetView(oncall([reach()]), sreTarget);
    expect(v).toMatchObject({ muted: null, mutingUnknown: null, problem: null });
    if (v.woken.kind !== 'exact') throw new Error('expected exact');
    expect(v.woken.policies).toEqual(['SRE Primary']);
    expect(names(v.woken.now.people)).toEqual(['Carol Okafor']);
    expect(v.woken.later.map((m) => [m.afterMinutes, names(m.people)])).toEqual([
      [15, ['Dmitri Ivanov']],
      [45, ['Carol Okafor', 'Dmitri Ivanov']],
    ]);
    expect(v.woken.later[1]!.people[0]!.policy).toBe('SRE Batphone');
  });

  it('merges several policies by moment and lists a person once per moment', () => {
    const both = reach({
      policies: [
        reach().policies[0]!,
        {
          policy: { slug: 'pol-plt', name: 'Platform Primary' },
          team: null,
          steps: [step(0, { users: [priya, carol] })],
        },
      ],
    });
    const v = targetView(oncall([both]), sreTarget);
    if (v.woken.kind !== 'exact') throw new Error('expected exact');
    expect(v.woken.policies).toEqual(['SRE Primary', 'Platform Primary']);
    expect(names(v.woken.now.people)).toEqual(['Carol Okafor', 'Priya Raman']);
  });

  it('says why nobody is named at once: an e-mail step, an empty rotation', () => {
    const tickets = reach({
      policies: [
        {
          policy: { slug: 'pol-t', name: 'SRE Tickets' },
          team: null,
          steps: [step(0, { also: ['sends an e-mail'] }), step(60, { users: [carol] })],
        },
        {
          policy: { slug: 'pol-h', name: 'Platform Business Hours' },
          team: null,
          steps: [step(0, { emptyRotations: ['Platform business hours'] })],
        },
      ],
      problem: { kind: 'nobody_at_once', message: 'Nobody is paged at once for this target.' },
    });
    const v = targetView(oncall([tickets]), sreTarget);
    if (v.woken.kind !== 'exact') throw new Error('expected exact');
    expect(v.woken.now.people).toEqual([]);
    expect(v.woken.now.notes).toEqual([
      'SRE Tickets sends an e-mail',
      'nobody is on call in Platform business hours (Platform Business Hours)',
    ]);
    expect(v.problem).toBe('Nobody is paged at once for this target.');
  });

  it('falls back to the team-wide view, labelled uncertain with the reason, when the look-up failed', () => {
    const v = targetView(
      oncall([reach({ certainty: 'uncertain', uncertainty: 'Klaxon could not look up X (HTTP 503).', policies: [] })]),
      sreTarget,
    );
    expect(v.woken).toEqual({
      kind: 'uncertain',
      reason:
        'Klaxon could not look up X (HTTP 503). Shown instead: everyone on call in its teams; a page may wake fewer of them.',
      people: expect.any(Array),
    });
    if (v.woken.kind === 'uncertain')
      expect(names(v.woken.people)).toEqual(['Carol Okafor', 'Dmitri Ivanov', 'Priya Raman']);
  });

  it('never says nobody will be woken: no data at all is "cannot see"', () => {
    expect(targetView(null, sreTarget).woken).toEqual({ kind: 'unknown' });
    const empty = { ...oncall([reach({ certainty: 'uncertain', policies: [] })]), teams: [] };
    expect(targetView(empty, sreTarget).woken).toEqual({ kind: 'unknown' });
  });

  it('labels the team-wide view of a server that does not describe targets as uncertain', () => {
    expect(targetView(oncall(), sreTarget).woken).toMatchObject({
      kind: 'uncertain',
      reason: expect.stringMatching(/does not say whom each target pages/),
    });
  });
});

describe('what the confirm step says before sending', () => {
  it('says plainly when the target or everything is muted, and what that means', () => {
    const muted = reach({
      muting: {
        state: 'muted',
        scope: 'target',
        since: '2026-11-22T14:02:00Z',
        by: 'dmitri',
        purpose: 'Failover test',
      },
    });
    expect(targetView(oncall([muted]), sreTarget, 'UTC').muted).toBe(
      'On-Call is in maintenance mode for SRE on call since 14:02, started by dmitri (Failover test): a page now opens an incident but wakes nobody until maintenance ends.',
    );
    const all = reach({ muting: { state: 'muted', scope: 'everything', since: null, by: null, purpose: null } });
    expect(targetView(oncall([all]), sreTarget).muted).toBe(
      'On-Call is in maintenance mode for everything: a page now opens an incident but wakes nobody until maintenance ends.',
    );
    const unknown = reach({ muting: { state: 'unknown', reason: 'Klaxon could not ask.' } });
    expect(targetView(oncall([unknown]), sreTarget)).toMatchObject({
      muted: null,
      mutingUnknown: 'Klaxon could not ask.',
    });
  });

  it('passes on what the check found wrong with the target', () => {
    const typo = reach({ problem: { kind: 'unknown_target', message: 'On-Call does not know this target.' } });
    expect(targetView(oncall([typo]), sreTarget).problem).toBe('On-Call does not know this target.');
  });
});

describe('minutes', () => {
  it('reads as minutes and hours', () => {
    expect([5, 15, 60, 90, 120].map(minutesText)).toEqual(['5 min', '15 min', '1 h', '1 h 30 min', '2 h']);
  });
});
