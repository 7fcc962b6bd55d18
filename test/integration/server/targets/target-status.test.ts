/**
 * The configured page targets checked against the realistic simulator org: at start and again while
 * running, reported on /readyz, in metrics and to the page dialog (GET /api/v1/oncall), with whom a page
 * wakes now and later, whether paging is muted, and the uncertain fallback when On-Call cannot tell.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OnCallNow, type TargetReach } from '#common/index.js';
import { startOnCallSimulator } from '#dev/oncall-simulator/index.js';
import { ConfigError, loadServerConfig } from '#server/config/index.js';
import { createMetrics } from '#server/http/metrics.js';
import { TargetStatus } from '#server/targets/target-status.js';
import { ManualClock } from '#test/support/manual-clock.js';
import { simulatorBackend } from '#test/support/oncall-backend.js';
import { startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { startLiveStack, viewerHeaders, type LiveStack } from '#test/support/live-stack.js';
import { waitFor } from '#test/support/wait-for.js';

let live: LiveStack | null = null;
let stack: Stack | null = null;
afterEach(async () => {
  await live?.close();
  await stack?.close();
  live = null;
  stack = null;
});

const TARGETS = [
  { id: 'sre', label: 'SRE on call', routingKey: 'sre', teams: ['team-sreKLX0000000001'], default: true },
  { id: 'platform-hours', label: 'Platform (business hours)', routingKey: 'platform-hours' },
  { id: 'typo', label: 'Mistyped', routingKey: 'srr' },
  { id: 'capitals', label: 'In capitals', routingKey: 'SRE' },
  { id: 'tickets', label: 'Tickets', routingKey: 'tickets' },
];

async function reach(): Promise<Record<string, TargetReach>> {
  const res = await fetch(`${live!.url}/api/v1/oncall`, { headers: viewerHeaders('alice') });
  expect(res.status).toBe(200);
  const body = OnCallNow.parse(await res.json());
  return Object.fromEntries((body.targets ?? []).map((t) => [t.targetId, t]));
}

const names = (t: TargetReach, minutes: number) =>
  t.policies.flatMap((p) =>
    p.steps.filter((s) => s.afterMinutes === minutes).flatMap((s) => s.users.map((u) => u.name)),
  );

async function checked(): Promise<void> {
  await live!.targets.checkAll();
}

describe('the target check', () => {
  for (const routingKeyCase of ['insensitive', 'sensitive'] as const) {
    it(`finds each problem once the server runs, whichever way On-Call compares key case (${routingKeyCase})`, async () => {
      live = await startLiveStack({ sim: { org: 'realistic', rateLimit: false, routingKeyCase }, targets: TARGETS });
      await checked();
      const ready = await (await fetch(`${live.url}/readyz`)).json();
      expect(ready.status).toBe('ready');
      expect(ready.targets.ok).toBe(false);
      expect(ready.targets.problems).toEqual([
        {
          target: 'platform-hours',
          kind: 'nobody_on_call_now',
          detail: expect.stringMatching(/^targets\.1\.routingKey: /),
        },
        {
          target: 'typo',
          kind: 'unknown_target',
          detail: expect.stringMatching(/^targets\.2\.routingKey: On-Call has no routing key "srr"/),
        },
        { target: 'capitals', kind: 'case_mismatch', detail: expect.stringMatching(/^targets\.3\.routingKey: /) },
        { target: 'tickets', kind: 'nobody_at_once', detail: expect.stringMatching(/^targets\.4\.routingKey: /) },
      ]);
      const metrics = await (await fetch(`${live.url}/metrics`)).text();
      expect(metrics).toContain('klaxon_target_problem{target="typo",problem="unknown_target"} 1');
      expect(metrics).toContain('klaxon_target_problem{target="tickets",problem="nobody_at_once"} 1');
      expect(metrics).not.toMatch(/klaxon_target_problem\{target="sre"/);
      expect(metrics).toMatch(/klaxon_target_checks_total\{outcome="problem"\} [1-9]/);
    });
  }

  it('checks again on its interval: an emptied rotation is reported, and cleared when someone is back', async () => {
    const sim = await startOnCallSimulator({ org: 'realistic', rateLimit: false });
    const clock = new ManualClock(Date.now());
    const metrics = createMetrics();
    const targets = new TargetStatus({
      backend: simulatorBackend(sim, { ratePerSecond: 50, cacheClock: clock }),
      targets: loadServerConfig({
        env: {},
        warn: () => {},
        overrides: {
          oidc: { issuer: 'http://127.0.0.1:9/', audience: 'x' },
          oncall: { apiId: 'a', apiKey: 'b', restEndpointKey: 'c' },
          targets: [TARGETS[0]!],
        },
      }).targets,
      intervalMs: 300_000,
      metrics,
      clock,
    });
    const problem = () => targets.checks()[0]!.problem?.kind ?? null;
    const settle = async () => {
      for (let i = 0; i < 100 && targets.checks()[0]!.checkedAt === checkedAt; i++)
        await new Promise((r) => setTimeout(r, 20));
    };
    let checkedAt: string | null = null;
    try {
      targets.start();
      await clock.advance(0);
      await settle();
      expect(targets.checks()[0]!.error).toBeNull();
      expect(problem()).toBeNull();
      sim.control.setOnCall('rtg-sreprimary00001', []);
      checkedAt = targets.checks()[0]!.checkedAt;
      await clock.advance(300_000);
      await settle();
      expect(problem()).toBe('nobody_on_call_now');
      expect(await metrics.registry.metrics()).toContain(
        'klaxon_target_problem{target="sre",problem="nobody_on_call_now"} 1',
      );
      sim.control.setOnCall('rtg-sreprimary00001', ['carol']);
      checkedAt = targets.checks()[0]!.checkedAt;
      await clock.advance(300_000);
      await settle();
      expect(problem()).toBeNull();
      expect(await metrics.registry.metrics()).not.toContain('klaxon_target_problem{');
    } finally {
      targets.stop();
      await sim.close();
    }
  });
});

describe('error reports from the target check', () => {
  it('reports a check that failed for another reason than On-Call, never one On-Call failed (readyz and metrics show that)', async () => {
    const sim = await startOnCallSimulator({
      org: 'realistic',
      rateLimit: false,
      faults: { errorRate: 1, errorStatus: 503, paths: ['/api-public/v1/org/routing-keys'] },
    });
    const real = simulatorBackend(sim, { ratePerSecond: 50 });
    const reports: { error: string; where: string; extra: unknown }[] = [];
    const targets = new TargetStatus({
      backend: {
        // The first target's look-up fails inside Klaxon (a bug); the second's at On-Call (503).
        escalationFor: (key) =>
          key === 'sre' ? Promise.reject(new TypeError('escalation is undefined')) : real.escalationFor(key),
        activeMutes: () => real.activeMutes(),
      },
      targets: [
        {
          id: 'sre',
          label: 'SRE on call',
          description: null,
          backend: 'oncall',
          routingKey: 'sre',
          service: null,
          default: true,
          teams: [],
        },
        {
          id: 'platform',
          label: 'Platform',
          description: null,
          backend: 'oncall',
          routingKey: 'platform',
          service: null,
          default: false,
          teams: [],
        },
      ],
      intervalMs: 300_000,
      errorReports: {
        exception: (e, ctx) => reports.push({ error: (e as Error).message, where: ctx.where, extra: ctx.extra }),
      },
    });
    try {
      const checks = await targets.checkAll();
      expect(checks.map((c) => [c.targetId, c.error !== null])).toEqual([
        ['sre', true],
        ['platform', true],
      ]);
      expect(reports).toEqual([{ error: 'escalation is undefined', where: 'target-status', extra: { target: 'sre' } }]);
    } finally {
      await sim.close();
    }
  });
});

describe('refusing to start (targetChecks.atStart: refuse)', () => {
  it('stops the start naming the key of a routing key On-Call does not know', async () => {
    stack = await startStack({ sim: { org: 'realistic', rateLimit: false } });
    const start = startServer(stack, {
      targets: [{ id: 'sre', label: 'SRE', routingKey: 'srr', teams: [], default: true }],
      targetChecks: { atStart: 'refuse' },
    });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toMatchObject({ key: 'targets.0.routingKey' });
  });

  it('stops the start for a first step that pages nobody, but not for an empty rotation at night', async () => {
    stack = await startStack({ sim: { org: 'realistic', rateLimit: false } });
    await expect(
      startServer(stack, {
        targets: [{ id: 'tickets', label: 'Tickets', routingKey: 'tickets', teams: [], default: true }],
        targetChecks: { atStart: 'refuse' },
      }),
    ).rejects.toThrow(/targets\.0\.routingKey: no escalation policy of routing key "tickets" pages a person/);
    const server = await startServer(stack, {
      targets: [{ id: 'hours', label: 'Hours', routingKey: 'platform-hours', teams: [], default: true }],
      targetChecks: { atStart: 'refuse' },
    });
    await server.close();
  });

  it('starts anyway when On-Call cannot be asked (an outage must not keep Klaxon down)', async () => {
    stack = await startStack({ sim: { org: 'realistic', rateLimit: false } });
    stack.sim.control.setFaults({ errorRate: 1, errorStatus: 503, paths: ['/api-public/v1/org/routing-keys'] });
    const server = await startServer(stack, {
      targets: [{ id: 'sre', label: 'SRE', routingKey: 'srr', teams: [], default: true }],
      targetChecks: { atStart: 'refuse' },
    });
    const ready = await (await fetch(`${server.url}/readyz`)).json();
    expect(ready.targets.unchecked).toEqual([{ target: 'sre', error: expect.stringMatching(/HTTP 503/) }]);
    await server.close();
  });
});

describe('what the page dialog is told (GET /api/v1/oncall)', () => {
  it('who the first step wakes now, and who later steps wake, per target', async () => {
    live = await startLiveStack({ sim: { org: 'realistic', rateLimit: false }, targets: TARGETS });
    // Right after a start the look-ups are under way (a few requests a second): the dialog hears so.
    const early = await reach();
    if (early.tickets!.certainty === 'uncertain')
      expect(early.tickets!.uncertainty).toBe('Klaxon is still looking up whom this target pages.');
    await checked();
    const t = await reach();
    expect(t.sre).toMatchObject({ certainty: 'exact', uncertainty: null, problem: null, muting: { state: 'off' } });
    expect(names(t.sre!, 0)).toEqual(['Carol Okafor']);
    expect(names(t.sre!, 15)).toEqual(['Dmitri Ivanov']);
    expect(names(t.sre!, 45)).toEqual(['Carol Okafor', 'Dmitri Ivanov', 'Ana Souza', 'Lars Nilsson', 'Jo Kowalski']);
    expect(t.sre!.policies[0]!.steps[0]!.users[0]).toEqual({
      username: 'carol',
      name: 'Carol Okafor',
      timeZone: 'Europe/Berlin',
    });
    expect(t.typo!.problem?.message).toMatch(/^On-Call does not know this target's routing key/);
    // What a mistyped key really wakes: the default route's policy.
    expect(names(t.typo!, 0)).toEqual(['Carol Okafor']);
  });

  it('says when the target or everything is muted (maintenance mode), and when it is over', async () => {
    live = await startLiveStack({ sim: { org: 'realistic', rateLimit: false }, targets: TARGETS.slice(0, 2) });
    const id = live.sim.control.startMaintenance({
      routingKeys: ['sre'],
      purpose: 'Failover test',
      startedBy: 'dmitri',
    });
    // Maintenance mode is looked at again at most every 15 s.
    await waitForMuting('sre', 'muted');
    const t = await reach();
    expect(t.sre!.muting).toEqual({
      state: 'muted',
      scope: 'target',
      since: expect.any(String),
      by: 'dmitri',
      purpose: 'Failover test',
    });
    expect(t['platform-hours']!.muting).toEqual({ state: 'off' });
    live.sim.control.endMaintenance(id);
    live.sim.control.startMaintenance({});
    await waitForMuting('platform-hours', 'muted');
    expect((await reach())['platform-hours']!.muting).toMatchObject({ state: 'muted', scope: 'everything' });
  }, 60_000);

  it('falls back to uncertain, never to an empty answer, when the look-ups fail', async () => {
    live = await startLiveStack({
      sim: {
        org: 'realistic',
        rateLimit: false,
        faults: {
          errorRate: 1,
          errorStatus: 503,
          paths: ['/api-public/v1/org/routing-keys', '/api-public/v1/maintenancemode'],
        },
      },
      targets: [TARGETS[0]!],
    });
    const t = await reach();
    expect(t.sre).toMatchObject({
      certainty: 'uncertain',
      uncertainty: expect.stringMatching(/could not look up this target's escalation policy.*HTTP 503/),
      policies: [],
      muting: { state: 'unknown', reason: expect.stringMatching(/maintenance mode/) },
    });
  });
});

async function waitForMuting(target: string, state: string): Promise<void> {
  await waitFor(
    `${target} to become ${state}`,
    async () => (await reach())[target]!.muting.state === state,
    30_000,
    500,
  );
}
