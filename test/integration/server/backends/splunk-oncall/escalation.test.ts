/**
 * Who a page to a routing key wakes, now and later, read from the realistic simulator org over HTTP:
 * routing key → escalation policies → steps in time → who is on call in each step now
 * (docs/splunk-oncall.md#routing-keys, #policies, #team-schedule), and the active maintenance modes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EscalationPlan } from '#common/index.js';
import {
  DEMO_POLICY_PLATFORM,
  DEMO_POLICY_SRE,
  demoTimeZones,
  startOnCallSimulator,
  type RunningSimulator,
} from '#dev/oncall-simulator/index.js';
import { UpstreamError } from '#server/backends/upstream-error.js';
import { ManualClock } from '#test/support/manual-clock.js';
import { simulatorBackend } from '#test/support/oncall-backend.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ log: false, org: 'realistic', rateLimit: false });
});
beforeEach(() => {
  sim.control.reset('demo', 'realistic');
  sim.control.setFaults({});
  sim.control.setSwitches({ routingKeyCase: 'insensitive' });
  sim.control.clearRequests();
});
afterAll(async () => {
  await sim.close();
});

// The simulator does not throttle here; a faster limiter keeps cold lookups (eight requests) quick.
const backend = (clock?: ManualClock) =>
  simulatorBackend(sim, {
    timeZones: demoTimeZones('realistic'),
    ratePerSecond: 50,
    ...(clock ? { cacheClock: clock } : {}),
  });

/** Each step as "minutes: people | empty rotations | also (via)", for readable expectations. */
const steps = (plan: EscalationPlan) =>
  plan.steps.map((s) =>
    [
      `${s.afterMinutes}:`,
      s.users.map((u) => u.name ?? u.username).join(', '),
      s.emptyRotations.length ? `| empty: ${s.emptyRotations.join(', ')}` : '',
      s.also.length ? `| ${s.also.join(', ')}` : '',
      s.via ? `(via ${s.via})` : '',
    ]
      .filter(Boolean)
      .join(' '),
  );

describe('escalationFor', () => {
  it('names who the first step pages now, and who later steps page if nobody acknowledges', async () => {
    const sre = await backend().escalationFor('sre');
    expect(sre.match).toBe('exact');
    expect(sre.routesAs).toBe('sre');
    expect(sre.policies.map((p) => [p.policy, p.team])).toEqual([
      [
        { slug: DEMO_POLICY_SRE, name: 'SRE Primary' },
        { slug: 'team-sreKLX0000000001', name: 'SRE' },
      ],
    ]);
    expect(steps(sre.policies[0]!)).toEqual([
      '0: Carol Okafor',
      '15: Dmitri Ivanov',
      // The third step hands over to the batphone policy: its people, 15 + 30 minutes after the page.
      '45: Carol Okafor, Dmitri Ivanov, Ana Souza, Lars Nilsson, Jo Kowalski (via SRE Batphone)',
    ]);
    // Display names (Jo's differs from her first name) and configured time zones (the API has none).
    expect(sre.policies[0]!.steps[2]!.users.find((u) => u.username === 'jo')).toEqual({
      username: 'jo',
      name: 'Jo Kowalski',
      timeZone: 'Europe/Warsaw',
    });

    const platform = await backend().escalationFor('platform');
    expect(steps(platform.policies[0]!)).toEqual(['0: Priya Raman', '10: Sam Lee']);
  });

  it('lists every policy of a key with several targets', async () => {
    const both = await backend().escalationFor('sre-platform');
    expect(both.policies.map((p) => p.policy.slug)).toEqual([DEMO_POLICY_SRE, DEMO_POLICY_PLATFORM]);
    expect(both.policies.map((p) => p.steps[0]!.users.map((u) => u.username))).toEqual([['carol'], ['priya']]);
  });

  it('shows a first step that pages nobody: e-mail only, or a rotation nobody is on now', async () => {
    const tickets = await backend().escalationFor('tickets');
    expect(steps(tickets.policies[0]!)).toEqual(['0: | sends an e-mail', '60: Carol Okafor']);
    const hours = await backend().escalationFor('platform-hours');
    expect(steps(hours.policies[0]!)).toEqual(['0: | empty: Platform business hours']);
  });

  it('follows who is on call now: a new person in the secondary rotation is named after a minute', async () => {
    const clock = new ManualClock(Date.now());
    const b = backend(clock);
    expect(steps((await b.escalationFor('sre')).policies[0]!)[1]).toBe('15: Dmitri Ivanov');
    sim.control.setOnCall('rtg-sresecondary0004', ['lars']);
    expect(steps((await b.escalationFor('sre')).policies[0]!)[1]).toBe('15: Dmitri Ivanov');
    await clock.advance(61_000);
    expect(steps((await b.escalationFor('sre')).policies[0]!)[1]).toBe('15: Lars Nilsson');
  });

  it('says an unknown key goes to the default route, and a key in other capitals matches only in case', async () => {
    const typo = await backend().escalationFor('srr');
    expect(typo).toMatchObject({ match: 'unknown', routesAs: 'routingdefault' });
    expect(typo.policies.map((p) => p.policy.name)).toEqual(['SRE Primary']);
    // Under both documented answers: the lookup itself never trusts a match in another case.
    for (const routingKeyCase of ['insensitive', 'sensitive'] as const) {
      sim.control.setSwitches({ routingKeyCase });
      const upper = await backend().escalationFor('SRE');
      expect(upper).toMatchObject({ match: 'case_only', routesAs: 'sre' });
    }
  });

  it('asks On-Call little: the second look costs no request, however many ask at once', async () => {
    const b = backend();
    await Promise.all([b.escalationFor('sre'), b.escalationFor('sre'), b.escalationFor('platform')]);
    const first = sim.control.requests().length;
    // routing keys, policies, names, two policies, SRE steps 0 and 1 (step 2 hands over), batphone, Platform step 0.
    expect(first).toBeLessThanOrEqual(9);
    await b.escalationFor('sre');
    await b.escalationFor('platform');
    expect(sim.control.requests()).toHaveLength(first);
  });

  it('fails with an UpstreamError when On-Call cannot tell, and serves what it knew for a while after', async () => {
    sim.control.setFaults({ errorRate: 1, errorStatus: 503, paths: ['/api-public/v1/org/routing-keys'] });
    await expect(backend().escalationFor('sre')).rejects.toBeInstanceOf(UpstreamError);
    sim.control.setFaults({});
    const clock = new ManualClock(Date.now());
    const b = backend(clock);
    await b.escalationFor('sre');
    sim.control.setFaults({ errorRate: 1, errorStatus: 503 });
    await clock.advance(2 * 60_000);
    expect(steps((await b.escalationFor('sre')).policies[0]!)[0]).toBe('0: Carol Okafor');
  });
});

describe('escalationFor in the tidy org (one policy per key, one step)', () => {
  it('names who is woken at once and nobody later', async () => {
    const tidy = await startOnCallSimulator({ log: false, org: 'tidy', rateLimit: false });
    try {
      const sre = await simulatorBackend(tidy, { ratePerSecond: 50 }).escalationFor('sre');
      expect(sre).toMatchObject({ match: 'exact', routesAs: 'sre' });
      expect(sre.policies.map(steps)).toEqual([['0: Carol Okafor']]);
    } finally {
      await tidy.close();
    }
  });
});

describe('activeMutes', () => {
  it('lists maintenance modes for routing keys and for everything, cached for seconds', async () => {
    const clock = new ManualClock(Date.now());
    const b = backend(clock);
    expect(await b.activeMutes()).toEqual([]);
    sim.control.startMaintenance({ routingKeys: ['platform'], purpose: 'Database upgrade', startedBy: 'priya' });
    expect(await b.activeMutes()).toEqual([]);
    await clock.advance(16_000);
    expect(await b.activeMutes()).toEqual([
      {
        scope: 'routing_keys',
        routingKeys: ['platform'],
        since: expect.any(String),
        by: 'priya',
        purpose: 'Database upgrade',
      },
    ]);
    sim.control.startMaintenance({});
    await clock.advance(16_000);
    expect((await b.activeMutes()).map((m) => m.scope)).toEqual(['routing_keys', 'everything']);
  });
});
