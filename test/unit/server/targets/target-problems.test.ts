import { describe, expect, it } from 'vitest';
import type { EscalationPlan, EscalationStep } from '#common/index.js';
import type { TargetEscalation } from '#server/backends/paging-backend.js';
import { isSetupProblem, mutingFor, targetProblem } from '#server/targets/target-problems.js';

const carol = { username: 'carol', name: 'Carol Okafor', timeZone: null };
const step = (afterMinutes: number, extra: Partial<EscalationStep> = {}): EscalationStep => ({
  afterMinutes,
  users: [],
  emptyRotations: [],
  also: [],
  via: null,
  ...extra,
});
const plan = (name: string, steps: EscalationStep[]): EscalationPlan => ({
  policy: { slug: `pol-${name.toLowerCase()}`, name },
  team: null,
  steps,
});
const esc = (e: Partial<TargetEscalation>): TargetEscalation => ({
  match: 'exact',
  routesAs: 'sre',
  policies: [plan('SRE Primary', [step(0, { users: [carol] })])],
  ...e,
});
const KEY = 'targets.0.routingKey';

describe('what the target check finds', () => {
  it('finds nothing wrong with a known lower-case key whose first step pages someone', () => {
    expect(targetProblem('sre', KEY, esc({}))).toBeNull();
  });

  it('says an unknown key pages the default route, naming the key to fix', () => {
    const p = targetProblem('srr', KEY, esc({ match: 'unknown', routesAs: 'routingdefault' }))!;
    expect(p).toMatchObject({ kind: 'unknown_target', configKey: KEY });
    expect(p.message).toBe(
      `On-Call does not know this target's routing key, so a page goes to On-Call's default route ("routingdefault") instead. Tell the Klaxon operator.`,
    );
    expect(p.detail).toMatch(/^targets\.0\.routingKey: On-Call has no routing key "srr"/);
  });

  it('reports a key that matches only in other capitals, and a key with capitals, whichever way On-Call compares', () => {
    expect(targetProblem('SRE', KEY, esc({ match: 'case_only', routesAs: 'sre' }))?.kind).toBe('case_mismatch');
    expect(targetProblem('SRE', KEY, esc({ routesAs: 'SRE' }))?.kind).toBe('not_lower_case');
  });

  it('reports a key with no policy, and first steps that page no person', () => {
    expect(targetProblem('sre', KEY, esc({ policies: [] }))?.kind).toBe('no_policy');
    const tickets = targetProblem(
      'tickets',
      KEY,
      esc({ policies: [plan('SRE Tickets', [step(0, { also: ['sends an e-mail'] }), step(60, { users: [carol] })])] }),
    )!;
    expect(tickets.kind).toBe('nobody_at_once');
    expect(tickets.message).toBe(
      'Nobody is paged at once for this target: SRE Tickets only sends an e-mail at first. Later steps are listed below. Tell the Klaxon operator.',
    );
  });

  it('tells an empty rotation now from a set-up problem: it never refuses a start', () => {
    const hours = targetProblem(
      'platform-hours',
      KEY,
      esc({ policies: [plan('Platform Business Hours', [step(0, { emptyRotations: ['Platform business hours'] })])] }),
    )!;
    expect(hours.kind).toBe('nobody_on_call_now');
    expect(hours.message).toBe(
      'Nobody is on call right now in "Platform business hours", so a page to this target wakes nobody at once.',
    );
    expect(isSetupProblem(hours)).toBe(false);
    expect(isSetupProblem({ kind: 'unknown_target', message: '' })).toBe(true);
  });

  it('is satisfied when any one of several policies pages someone at once', () => {
    const both = esc({
      policies: [
        plan('SRE Tickets', [step(0, { also: ['sends an e-mail'] })]),
        plan('SRE Primary', [step(0, { users: [carol] })]),
      ],
    });
    expect(targetProblem('sre-tickets', KEY, both)).toBeNull();
  });
});

describe('whether a target is muted', () => {
  const keyMode = {
    scope: 'routing_keys' as const,
    routingKeys: ['Platform'],
    since: null,
    by: 'priya',
    purpose: 'DB',
  };
  it('matches keys regardless of case, and a global mode mutes every target', () => {
    expect(mutingFor('platform', [keyMode])).toEqual({
      state: 'muted',
      scope: 'target',
      since: null,
      by: 'priya',
      purpose: 'DB',
    });
    expect(mutingFor('sre', [keyMode])).toEqual({ state: 'off' });
    expect(mutingFor('sre', [keyMode, { ...keyMode, scope: 'everything', routingKeys: [] }])).toMatchObject({
      state: 'muted',
      scope: 'everything',
    });
  });
});
