// The escalator's faults, with a scripted paging service, the real SQLite store (a file, so a
// "restart" opens it again) and a clock moved by hand: a missing system user or policy, stale data,
// a refused or unanswered reroute, throttling, a restart between claim and answer, dry run, leadership.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident, IncidentSnapshot } from '#common/index.js';
import type { PagingBackend, RerouteOutcome } from '#server/backends/paging-backend.js';
import { UpstreamError } from '#server/backends/upstream-error.js';
import { EscalationTarget } from '#server/escalation/escalation-target.js';
import { Escalator, type EscalatorConfig } from '#server/escalation/escalator.js';
import { Rerouter } from '#server/escalation/rerouter.js';
import { createMetrics } from '#server/http/metrics.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { RecordingLogger } from '#test/support/live-stack.js';
import { ManualClock } from '#test/support/manual-clock.js';
import { incident } from '#test/support/renderer-fixtures.js';

const POLICY = 'pol-srebatphone00003';
const USER = 'escalator_sysuser';

/** A paging service with the escalator's calls scripted. */
class FakeService implements Pick<PagingBackend, 'userExists' | 'findPolicy' | 'reroute'> {
  users = new Set([USER]);
  policies = new Map([[POLICY, 'SRE Batphone']]);
  reroutes: { userName: string; incidentNumber: string; policyId: string }[] = [];
  answer: () => Promise<RerouteOutcome> = async () => ({ accepted: true, reason: null });
  checks = 0;
  async userExists(u: string): Promise<boolean | null> {
    this.checks++;
    return this.users.has(u);
  }
  async findPolicy(id: string) {
    const name = this.policies.get(id);
    return name ? { id, name } : null;
  }
  async reroute(userName: string, incidentNumber: string, policyId: string) {
    this.reroutes.push({ userName, incidentNumber, policyId });
    return this.answer();
  }
}

let dir: string;
let stores: SqliteStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'klaxon-escalator-'));
});
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
  rmSync(dir, { recursive: true, force: true });
});

const unpaged = (n: string): Incident => incident({ number: n, pagedUsers: [], teams: [] });

function setup(
  opts: {
    service?: FakeService;
    /** The paging service escalated (default On-Call). */
    on?: { id: 'oncall' | 'pagerduty'; name: string };
    clock?: ManualClock;
    config?: Partial<EscalatorConfig>;
    incidents?: Incident[];
    leader?: boolean;
  } = {},
) {
  const clock = opts.clock ?? new ManualClock();
  const service = opts.service ?? new FakeService();
  const store = new SqliteStore(path.join(dir, 'klaxon.db'));
  stores.push(store);
  const logger = new RecordingLogger();
  const metrics = createMetrics();
  const view = { incidents: opts.incidents ?? [unpaged('1043')], fetchedAt: clock.now() as number | null };
  const hub = {
    snapshot: (): IncidentSnapshot => ({
      incidents: view.incidents,
      fetchedAt: view.fetchedAt === null ? null : new Date(view.fetchedAt).toISOString(),
      ageSeconds: view.fetchedAt === null ? null : (clock.now() - view.fetchedAt) / 1000,
      stale: view.fetchedAt === null || clock.now() - view.fetchedAt > 20_000,
      upstream: { ok: true, error: null },
      windowMinutes: 60,
      pollIntervalSeconds: 10,
    }),
    allIncidents: () => view.incidents,
  };
  const on = opts.on ?? { id: 'oncall' as const, name: 'On-Call' };
  const keys =
    on.id === 'oncall'
      ? { policyKey: 'escalation.policy', asUserKey: 'escalation.asUser' }
      : { policyKey: 'pagerduty.escalation.policy', asUserKey: 'pagerduty.escalation.asUser' };
  const target = new EscalationTarget({
    config: { manualAfterMinutes: null },
    settings: { policy: POLICY, asUser: USER, ...keys },
    service: on,
    backend: service,
    metrics,
    logger,
  });
  const rerouter = new Rerouter({
    store,
    backend: service,
    service: on,
    metrics,
    logger,
    clock,
    onTrouble: () => void target.check(),
  });
  const escalator = new Escalator({
    config: {
      dryRun: false,
      unpaged: { enabled: true, teams: [], intervalSeconds: 15, graceSeconds: 0 },
      pageUnackedMinutes: null,
      ...opts.config,
    },
    service: on,
    hub,
    store,
    target,
    rerouter,
    leadership: { runsHere: () => opts.leader ?? true, fence: () => null, stepDown: () => undefined },
    metrics,
    clock,
    logger,
  });
  /** A fresh poll now, with these incidents. */
  const poll = (incidents = view.incidents) => {
    view.incidents = incidents;
    view.fetchedAt = clock.now();
  };
  return { clock, service, store, logger, metrics, escalator, target, view, poll };
}

function audit(): { action: string; detail: Record<string, unknown> }[] {
  const db = new DatabaseSync(path.join(dir, 'klaxon.db'), { readOnly: true });
  try {
    return (
      db.prepare('SELECT action, detail FROM audit_log ORDER BY id').all() as { action: string; detail: string }[]
    ).map((r) => ({ action: r.action, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

const metric = async (m: ReturnType<typeof createMetrics>, name: string) =>
  (await m.registry.metrics()).split('\n').filter((l) => l.startsWith(name));

describe('Escalator', () => {
  it('reroutes an incident paging nobody, as the system user, to the policy, once; audited and counted', async () => {
    const s = setup();
    await s.escalator.runOnce();
    expect(s.service.reroutes).toEqual([{ userName: USER, incidentNumber: '1043', policyId: POLICY }]);
    await s.escalator.runOnce();
    expect(s.service.reroutes).toHaveLength(1);
    expect(audit().map((a) => a.action)).toEqual(['escalation.claimed', 'escalation.done']);
    expect(await s.store.escalationsSince(new Date(0))).toMatchObject([
      { incidentNumber: '1043', reason: 'nobody_paged', status: 'done', policyName: 'SRE Batphone', asUser: USER },
    ]);
    expect(await metric(s.metrics, 'klaxon_escalations_total')).toEqual([
      'klaxon_escalations_total{service="oncall",reason="nobody_paged",outcome="rerouted"} 1',
    ]);
    expect(await metric(s.metrics, 'klaxon_escalator_up')).toEqual(['klaxon_escalator_up{service="oncall"} 1']);
  });

  it('waits the grace period, measured from the first fresh poll that saw nobody paged', async () => {
    const s = setup({ config: { unpaged: { enabled: true, teams: [], intervalSeconds: 15, graceSeconds: 60 } } });
    await s.escalator.runOnce();
    await s.clock.advance(45_000);
    s.poll();
    await s.escalator.runOnce();
    expect(s.service.reroutes).toHaveLength(0);
    await s.clock.advance(15_000);
    s.poll();
    await s.escalator.runOnce();
    expect(s.service.reroutes).toHaveLength(1);
  });

  it('stops with one clear error line when its system user does not exist, and sends nothing', async () => {
    const service = new FakeService();
    service.users.clear();
    const s = setup({ service });
    await s.escalator.runOnce();
    await s.escalator.runOnce();
    expect(service.reroutes).toEqual([]);
    const errors = s.logger.lines.filter((l) => l.level === 'error').map((l) => l.msg);
    expect(errors).toEqual([
      `Klaxon's escalations are stopped: the On-Call user "${USER}" (escalation.asUser) does not exist; create it or set escalation.asUser to an existing user.`,
    ]);
    expect(s.target.state().kind).toBe('stopped');
    expect(await metric(s.metrics, 'klaxon_escalator_up')).toEqual(['klaxon_escalator_up{service="oncall"} 0']);
  });

  it('stops when its policy does not exist', async () => {
    const service = new FakeService();
    service.policies.clear();
    const s = setup({ service });
    await s.escalator.runOnce();
    expect(service.reroutes).toEqual([]);
    expect(s.logger.lines.find((l) => l.level === 'error')?.msg).toMatch(
      /stopped: the On-Call escalation policy "pol-srebatphone00003" \(escalation.policy\) does not exist/,
    );
  });

  it('waits while the service cannot say whether the user exists, then acts', async () => {
    const service = new FakeService();
    const exists = service.userExists.bind(service);
    service.userExists = async () => null;
    const s = setup({ service });
    await s.escalator.runOnce();
    expect(service.reroutes).toEqual([]);
    expect(s.target.state().kind).toBe('checking');
    service.userExists = exists;
    await s.escalator.runOnce();
    expect(service.reroutes).toHaveLength(1);
  });

  it('never acts on stale data (a poll older than two intervals), and says so once', async () => {
    const s = setup();
    await s.clock.advance(21_000);
    await s.escalator.runOnce();
    await s.escalator.runOnce();
    expect(s.service.reroutes).toEqual([]);
    expect(s.logger.warnings().filter((w) => w.includes('older than two poll intervals'))).toHaveLength(1);
    expect(await metric(s.metrics, 'klaxon_escalator_skipped_runs_total')).toEqual([
      'klaxon_escalator_skipped_runs_total{service="oncall",reason="stale"} 2',
    ]);
    s.poll();
    await s.escalator.runOnce();
    expect(s.service.reroutes).toHaveLength(1);
  });

  it('a refused reroute is recorded, checked again, and never retried; a vanished policy then stops it', async () => {
    const service = new FakeService();
    service.answer = async () => {
      service.policies.clear();
      return { accepted: false, reason: 'Target not found' };
    };
    const s = setup({ service, incidents: [unpaged('1043'), unpaged('1044')] });
    await s.escalator.runOnce();
    // 1043 refused; the check that follows finds the policy gone, so 1044 is not tried.
    expect(service.reroutes.map((r) => r.incidentNumber)).toEqual(['1043']);
    expect(s.target.state().kind).toBe('stopped');
    expect((await s.store.escalationsSince(new Date(0)))[0]).toMatchObject({
      status: 'refused',
      message: 'Target not found',
    });
    service.policies.set(POLICY, 'SRE Batphone');
    service.answer = async () => ({ accepted: true, reason: null });
    await s.target.check();
    await s.escalator.runOnce();
    expect(service.reroutes.map((r) => r.incidentNumber)).toEqual(['1043', '1044']);
    expect(audit().map((a) => a.action)).toEqual([
      'escalation.claimed',
      'escalation.refused',
      'escalation.claimed',
      'escalation.done',
    ]);
  });

  it('no answer (timeout): recorded as failed, not sent again', async () => {
    const service = new FakeService();
    service.answer = async () => {
      throw new UpstreamError('timeout', 'On-Call did not answer within 5 s.', 'reroute', { retryable: true });
    };
    const s = setup({ service });
    await s.escalator.runOnce();
    await s.escalator.runOnce();
    expect(service.reroutes).toHaveLength(1);
    expect((await s.store.escalationsSince(new Date(0)))[0]?.status).toBe('failed');
  });

  it('throttled (429, not processed): released and tried again on the next run', async () => {
    const service = new FakeService();
    service.answer = async () => {
      throw new UpstreamError('rate_limited', 'limited', 'reroute', { retryable: true, status: 429 });
    };
    const s = setup({ service });
    await s.escalator.runOnce();
    expect(await s.store.escalationsSince(new Date(0))).toEqual([]);
    service.answer = async () => ({ accepted: true, reason: null });
    await s.escalator.runOnce();
    expect(service.reroutes).toHaveLength(2);
    expect((await s.store.escalationsSince(new Date(0)))[0]?.status).toBe('done');
  });

  it('restart between the claim and the answer: the next process never sends it again', async () => {
    const service = new FakeService();
    // The process dies while the request is out: the answer never comes back to it.
    service.answer = () => new Promise<RerouteOutcome>(() => undefined);
    const first = setup({ service });
    void first.escalator.runOnce();
    await first.clock.advance(10);
    expect(service.reroutes).toHaveLength(1);
    await first.store.close();

    const again = new FakeService();
    const second = setup({ service: again });
    await second.escalator.runOnce();
    await second.escalator.runOnce();
    expect(again.reroutes).toEqual([]);
    expect((await second.store.escalationsSince(new Date(0)))[0]).toMatchObject({
      incidentNumber: '1043',
      status: 'sending',
    });
  });

  it('a done escalation survives a restart', async () => {
    const first = setup();
    await first.escalator.runOnce();
    await first.store.close();
    const service = new FakeService();
    const second = setup({ service });
    await second.escalator.runOnce();
    expect(service.reroutes).toEqual([]);
  });

  it('dry run: logs and audits what it would do, once per incident, and sends nothing', async () => {
    const s = setup({ config: { dryRun: true } });
    await s.escalator.runOnce();
    await s.escalator.runOnce();
    expect(s.service.reroutes).toEqual([]);
    expect(audit()).toEqual([
      {
        action: 'escalation.dry_run',
        detail: { incident: '1043', reason: 'nobody_paged', policy: POLICY, asUser: USER },
      },
    ]);
    expect(s.logger.lines.filter((l) => l.msg.startsWith('dry run: would escalate incident #1043'))).toHaveLength(1);
    expect(await metric(s.metrics, 'klaxon_escalations_total')).toEqual([
      'klaxon_escalations_total{service="oncall",reason="nobody_paged",outcome="dry_run"} 1',
    ]);
  });

  it('does nothing where it is not the leader', async () => {
    const s = setup({ leader: false });
    await s.escalator.runOnce();
    expect(s.service.reroutes).toEqual([]);
    expect(s.service.checks).toBe(0);
    expect(await metric(s.metrics, 'klaxon_escalator_skipped_runs_total')).toEqual([
      'klaxon_escalator_skipped_runs_total{service="oncall",reason="not_leader"} 1',
    ]);
  });

  it('two escalators on one store (two replicas in a leadership overlap) send it once', async () => {
    const service = new FakeService();
    const a = setup({ service });
    const b = setup({ service });
    await Promise.all([a.escalator.runOnce(), b.escalator.runOnce()]);
    expect(service.reroutes).toHaveLength(1);
  });

  it("escalates a PagerDuty incident by its key: PagerDuty's own number is sent, and On-Call's #7 escalated before does not stand for it", async () => {
    const onCall = setup({ incidents: [unpaged('7')] });
    await onCall.escalator.runOnce();
    expect(onCall.service.reroutes.map((r) => r.incidentNumber)).toEqual(['7']);

    const pd = setup({
      on: { id: 'pagerduty', name: 'PagerDuty' },
      incidents: [incident({ number: '7', backend: 'pagerduty', pagedUsers: [], teams: [] })],
    });
    await pd.escalator.runOnce();
    expect(pd.service.reroutes).toEqual([{ userName: USER, incidentNumber: '7', policyId: POLICY }]);
    await pd.escalator.runOnce();
    expect(pd.service.reroutes).toHaveLength(1);
    expect((await pd.store.escalationsSince(new Date(0))).map((e) => e.incidentNumber).sort()).toEqual([
      '7',
      'pagerduty:7',
    ]);
    expect(await metric(pd.metrics, 'klaxon_escalations_total')).toEqual([
      'klaxon_escalations_total{service="pagerduty",reason="nobody_paged",outcome="rerouted"} 1',
    ]);
  });

  it("names the PagerDuty key when PagerDuty's escalation user does not exist", async () => {
    const service = new FakeService();
    service.users.clear();
    const s = setup({ service, on: { id: 'pagerduty', name: 'PagerDuty' } });
    await s.escalator.runOnce();
    expect(service.reroutes).toEqual([]);
    expect(s.logger.lines.find((l) => l.level === 'error')?.msg).toBe(
      `Klaxon's escalations are stopped: the PagerDuty user "${USER}" (pagerduty.escalation.asUser) does not exist; create it or set pagerduty.escalation.asUser to an existing user.`,
    );
    expect(await metric(s.metrics, 'klaxon_escalator_up')).toEqual(['klaxon_escalator_up{service="pagerduty"} 0']);
  });
});
