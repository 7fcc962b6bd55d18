/** The simulator's parts on their own: rotations, faults, rate windows, signatures, pagination, escalation timing. */
import { describe, expect, it } from 'vitest';
import { SimClock } from '#dev/simulator-kit/clock.js';
import { FaultInjector, validateFaults } from '#dev/pagerduty-simulator/faults.js';
import { IncidentStore } from '#dev/pagerduty-simulator/incidents.js';
import { OrgDirectory } from '#dev/pagerduty-simulator/org.js';
import { RateLimiter } from '#dev/pagerduty-simulator/rate-limiter.js';
import { paginate } from '#dev/pagerduty-simulator/rest-common.js';
import {
  DEMO_POLICY_BATPHONE,
  DEMO_SCHEDULE_PRIMARY,
  DEMO_SERVICE_SRE,
  DEMO_USERS,
  demoOrg,
} from '#dev/pagerduty-simulator/seed.js';
import { signatureHeader } from '#dev/pagerduty-simulator/webhook.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T00:00:00Z');

describe('OrgDirectory', () => {
  const dir = new OrgDirectory(demoOrg(T0 + 10 * HOUR));
  const primary = dir.schedule(DEMO_SCHEDULE_PRIMARY)!;

  it('works out whose shift covers a time, before and after the rotation start', () => {
    expect(dir.shiftAt(primary, T0 + 10 * HOUR)).toEqual({
      userId: DEMO_USERS.carol,
      startMs: T0,
      endMs: T0 + 24 * HOUR,
    });
    expect(dir.shiftAt(primary, T0 + 30 * HOUR)!.userId).toBe(DEMO_USERS.dmitri);
    expect(dir.shiftAt(primary, T0 - 1)!.userId).toBe(DEMO_USERS.dmitri);
    expect(dir.shiftsBetween(primary, T0, T0 + 48 * HOUR).map((s) => s.userId)).toEqual([
      DEMO_USERS.carol,
      DEMO_USERS.dmitri,
      DEMO_USERS.carol,
    ]);
  });

  it('pages direct users and each schedule’s current on-call, once each', () => {
    const [first, second] = dir.policy(DEMO_POLICY_BATPHONE)!.rules;
    expect(dir.usersForRule(first!, T0 + HOUR)).toEqual([DEMO_USERS.carol, DEMO_USERS.priya]);
    expect(dir.usersForRule(second!, T0 + HOUR)).toEqual([DEMO_USERS.mara]);
  });

  it('finds users by e-mail case-insensitively and knows when a service is in maintenance', () => {
    expect(dir.userByEmail(' Carol@Klaxon.TEST ')!.id).toBe(DEMO_USERS.carol);
    expect(dir.inMaintenance('PSVBILL', T0 + 10 * HOUR)).toBeDefined();
    expect(dir.inMaintenance('PSVBILL', T0 + 13 * HOUR)).toBeUndefined();
  });
});

describe('faults', () => {
  it('validates knobs with messages a person can act on', () => {
    expect(() => validateFaults({ errorRate: 1.5 })).toThrow('errorRate must be a number from 0 to 1');
    expect(() => validateFaults({ teapotRate: 1 })).toThrow(/Unknown fault setting "teapotRate"/);
    expect(() => validateFaults({ errorStatus: 418 })).toThrow('errorStatus must be 500, 502 or 503');
    expect(validateFaults({ errorRate: 0.5, paths: ['/incidents'] })).toEqual({
      errorRate: 0.5,
      paths: ['/incidents'],
    });
  });

  it('rolls stacked rates in order and limits them to the given paths', () => {
    const rolls = [0.05, 0.3, 0.9];
    const f = new FaultInjector({ timeoutRate: 0.1, errorRate: 0.3, paths: ['/incidents', '/users*'] }, () =>
      rolls.shift()!,
    );
    expect(f.roll('/incidents/P1')).toBe('timeout');
    expect(f.roll('/usersX')).toBe('error');
    expect(f.roll('/incidents')).toBeNull();
    expect(f.roll('/oncalls')).toBeNull();
  });
});

describe('RateLimiter', () => {
  it('counts per surface and key within a minute, and can be turned off', () => {
    const r = new RateLimiter({ restPerMinute: 2, eventsPerMinute: 1 });
    expect([1, 2, 3].map(() => r.take('rest', 'token-a')!.allowed)).toEqual([true, true, false]);
    expect(r.take('rest', 'token-b')!.remaining).toBe(1);
    expect(r.take('events', 'key')!.allowed).toBe(true);
    expect(r.take('events', 'key')).toMatchObject({ allowed: false, limit: 1, remaining: 0 });
    r.set(false);
    expect(r.take('rest', 'token-a')).toBeNull();
  });
});

describe('signatureHeader', () => {
  it('is v1= and the hex HMAC-SHA256 of the raw body, one per secret, comma-separated', () => {
    const body = 'The quick brown fox jumps over the lazy dog';
    const known = 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8';
    expect(signatureHeader(body, ['key'])).toBe(`v1=${known}`);
    expect(signatureHeader(body, ['other', 'key']).split(',')).toEqual([
      expect.stringMatching(/^v1=[0-9a-f]{64}$/),
      `v1=${known}`,
    ]);
  });
});

describe('paginate', () => {
  const req = (q: string) => ({
    method: 'GET',
    path: '/x',
    query: new URLSearchParams(q),
    headers: {},
    rawBody: '',
    body: undefined,
    jsonError: false,
  });
  const items = Array.from({ length: 30 }, (_, k) => k);

  it('defaults to 25, caps at 100, echoes what it used and counts total only on request', () => {
    expect(paginate(req(''), items)).toMatchObject({ fields: { limit: 25, offset: 0, more: true, total: null } });
    expect(paginate(req('limit=1000&offset=20&total=true'), items)).toMatchObject({
      page: items.slice(20),
      fields: { limit: 100, offset: 20, more: false, total: 30 },
    });
    expect(paginate(req('limit=-1'), items)).toMatchObject({ status: 400 });
  });
});

describe('IncidentStore escalation', () => {
  it('escalates when a rule’s delay runs out, loops num_loops times, then stays on the last rule', () => {
    const clock = new SimClock();
    clock.freeze();
    const dir = new OrgDirectory(demoOrg(clock.now()));
    const store = new IncidentStore(clock, dir);
    const events: string[] = [];
    store.onChange((type, i) => events.push(`${type} ${i.level}`));
    const batphone = { ...dir.service(DEMO_SERVICE_SRE)!, policyId: DEMO_POLICY_BATPHONE };
    const i = store.open(batphone, { title: 't', dedupKey: 'd' }, { type: 'service_reference', id: DEMO_SERVICE_SRE });
    expect(store.escalationDue(i)).toBe(clock.now() + 5 * 60_000);
    clock.advance(60 * 60_000);
    store.tick();
    expect(events).toEqual([
      'incident.triggered 1',
      'incident.escalated 2',
      'incident.escalated 1',
      'incident.escalated 2',
      'incident.escalated 1',
      'incident.escalated 2',
    ]);
    expect(store.escalationDue(i)).toBeNull();
  });
});
