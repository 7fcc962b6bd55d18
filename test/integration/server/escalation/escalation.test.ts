// Klaxon's escalations against the realistic On-Call org over HTTP: escalate-unpaged reroutes
// #1043 (Platform Business Hours, an empty rotation) to SRE Batphone as escalator_sysuser, once,
// across a restart; it stays still with a missing policy, in dry run and on stale data; the Batphone
// rule escalates Klaxon's own unacknowledged page; "Escalate now" is the requester's, once, limited.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientConfig, EscalatePageResult, ErrorBody, Page } from '#common/index.js';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import type { ServerConfigOverrides } from '#server/config/index.js';
import { startLiveStack, viewerHeaders, type LiveStack } from '#test/support/live-stack.js';
import { waitFor } from '#test/support/wait-for.js';

const BATPHONE = 'pol-srebatphone00003';
const REROUTE = '/api-public/v1/incidents/reroute';
const alice = viewerHeaders('alice-sub', { 'x-test-username': 'alice', 'x-test-name': 'Alice Andersen' });

const stacks: LiveStack[] = [];
const sims: RunningSimulator[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.close();
  for (const s of sims.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function escalation(extra: Record<string, unknown> = {}): ServerConfigOverrides {
  return {
    escalation: {
      policy: BATPHONE,
      asUser: 'escalator_sysuser',
      ...extra,
      unpaged: { enabled: true, intervalSeconds: 1, graceSeconds: 0, ...(extra.unpaged as object) },
    },
  };
}

async function start(config: ServerConfigOverrides, more: Parameters<typeof startLiveStack>[0] = {}) {
  const s = await startLiveStack({ sim: { org: 'realistic' }, hub: { pollIntervalSeconds: 2 }, config, ...more });
  stacks.push(s);
  return s;
}

const reroutes = (s: LiveStack) => s.sim.control.requests().filter((r) => r.path === REROUTE);
const metrics = async (s: LiveStack) => (await fetch(`${s.url}/metrics`)).text();
const post = async (s: LiveStack, p: string, body: unknown, headers: Record<string, string>) => {
  const res = await fetch(`${s.url}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
};

async function eventually<T>(ask: () => Promise<T>, ok: (t: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const t = await ask();
    if (ok(t)) return t;
    if (Date.now() > end) throw new Error(`not as expected in time: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A page by alice, followed until On-Call opened its incident. */
async function pageWithIncident(s: LiveStack, key: string): Promise<Page> {
  const sent = await post(s, '/api/v1/pages', { summary: 'Login broken', idempotencyKey: key }, alice);
  expect(sent.status).toBe(202);
  const id = Page.parse(sent.body).id;
  return eventually(
    async () => Page.parse(await (await fetch(`${s.url}/api/v1/pages/${id}`, { headers: alice })).json()),
    (p) => p.incidentNumber !== null && p.status === 'delivered',
  );
}

describe('escalate-unpaged', () => {
  it('reroutes an incident paging nobody to the fallback policy as the system user, once, shown on the incident, surviving a restart', async () => {
    const sim = await startOnCallSimulator({ log: false, org: 'realistic' });
    sims.push(sim);
    const dir = mkdtempSync(path.join(tmpdir(), 'klaxon-escalation-'));
    dirs.push(dir);
    const sqlitePath = path.join(dir, 'klaxon.db');
    const first = await start(escalation(), { simulator: sim, sqlitePath });

    await waitFor('a reroute request', () => reroutes(first).length > 0, 15_000);
    // The body Wikimedia's escalate_unpaged sends: incidentNumber as a string, an EscalationPolicy target.
    expect(reroutes(first)[0]!.body).toEqual({
      userName: 'escalator_sysuser',
      reroutes: [{ incidentNumber: '1043', targets: [{ type: 'EscalationPolicy', slug: BATPHONE }] }],
    });
    await waitFor('the escalation on #1043', () => first.hub.findIncident('1043')?.escalation != null, 10_000);
    expect(first.hub.findIncident('1043')!.escalation).toMatchObject({
      to: 'SRE Batphone',
      reason: 'nobody_paged',
      requestedBy: null,
    });
    // Batphone pages everybody now; nothing else paging nobody was touched.
    await waitFor('#1043 to page someone', () => (first.hub.findIncident('1043')?.pagedUsers.length ?? 0) > 0, 10_000);
    expect(
      reroutes(first).map((r) => (r.body as { reroutes: { incidentNumber: string }[] }).reroutes[0]!.incidentNumber),
    ).toEqual(['1043']);
    expect(await metrics(first)).toMatch(
      /klaxon_escalations_total\{service="oncall",reason="nobody_paged",outcome="rerouted"\} 1/,
    );
    expect(await metrics(first)).toMatch(/klaxon_escalator_up\{service="oncall"\} 1/);

    // A restart on the same database: the note is still there, nothing is sent again.
    await first.close();
    stacks.splice(stacks.indexOf(first), 1);
    sim.control.clearRequests();
    const second = await start(escalation(), { simulator: sim, sqlitePath });
    await waitFor(
      'the escalation on #1043 on the second server',
      () => second.hub.findIncident('1043')?.escalation != null,
      10_000,
    );
    await new Promise((r) => setTimeout(r, 2500));
    expect(reroutes(second)).toEqual([]);
  });

  it('stops (and sends nothing, offers nothing) when its policy does not exist', async () => {
    const s = await start(escalation({ policy: 'pol-doesnotexist0000', manualAfterMinutes: 0 }));
    await eventually(
      () => metrics(s),
      (m) => /klaxon_escalator_up\{service="oncall"\} 0/.test(m),
    );
    await new Promise((r) => setTimeout(r, 2500));
    expect(reroutes(s)).toEqual([]);
    const config = ClientConfig.parse(await (await fetch(`${s.url}/api/v1/client-config`)).json());
    expect(config.escalation).toBeUndefined();
  });

  it('dry run: counts what it would do and sends nothing', async () => {
    const s = await start(escalation({ dryRun: true }));
    await eventually(
      () => metrics(s),
      (m) => /klaxon_escalations_total\{service="oncall",reason="nobody_paged",outcome="dry_run"\} 1/.test(m),
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(reroutes(s)).toEqual([]);
    expect(await metrics(s)).toMatch(/outcome="dry_run"\} 1\n/);
  });

  it('never acts on stale data: while On-Call cannot be polled, the grace period ends without a reroute', async () => {
    const s = await start(escalation({ unpaged: { graceSeconds: 5 } }));
    s.sim.control.setFaults({ errorRate: 1, paths: ['/api-public/v1/incidents'] });
    await new Promise((r) => setTimeout(r, 7000));
    expect(s.hub.snapshot().stale).toBe(true);
    expect(reroutes(s)).toEqual([]);
    expect(await metrics(s)).toMatch(/klaxon_escalator_skipped_runs_total\{service="oncall",reason="stale"\} [1-9]/);
  });
});

describe('the Batphone rule for Klaxon pages', () => {
  it("escalates a page's incident still unacknowledged after N minutes", async () => {
    const s = await start(escalation({ unpaged: { enabled: false }, pageUnackedMinutes: 0.05 }));
    const page = await pageWithIncident(s, 'batphone-rule-0001');
    await waitFor('a reroute request', () => reroutes(s).length > 0, 15_000);
    expect(reroutes(s)[0]!.body).toMatchObject({ reroutes: [{ incidentNumber: page.incidentNumber }] });
    await waitFor(
      "the escalation on the page's incident",
      () => s.hub.findIncident(page.incidentNumber!)?.escalation != null,
      10_000,
    );
    expect(s.hub.findIncident(page.incidentNumber!)!.escalation).toMatchObject({
      to: 'SRE Batphone',
      reason: 'page_unacknowledged',
      afterMinutes: 0.05,
    });
  });
});

describe('Escalate now', () => {
  it('the requester escalates their own unacknowledged page once; others cannot; presses are limited', async () => {
    const s = await start(escalation({ unpaged: { enabled: false }, manualAfterMinutes: 0, manualPerHour: 1 }));
    const config = ClientConfig.parse(await (await fetch(`${s.url}/api/v1/client-config`)).json());
    expect(config.escalation).toEqual({ policyName: 'SRE Batphone', manualAfterMinutes: 0 });
    const page = await pageWithIncident(s, 'escalate-now-0001');

    const bob = viewerHeaders('bob-sub', { 'x-test-name': 'Bob Brown' });
    expect((await post(s, `/api/v1/pages/${page.id}/escalate`, {}, bob)).status).toBe(404);
    expect((await post(s, `/api/v1/pages/${page.id}/escalate`, { now: true }, alice)).status).toBe(400);

    const done = await post(s, `/api/v1/pages/${page.id}/escalate`, {}, alice);
    expect(done.status).toBe(200);
    const result = EscalatePageResult.parse(done.body);
    expect(result.escalation).toMatchObject({ to: 'SRE Batphone', reason: 'requested', requestedBy: 'Alice Andersen' });
    expect(result.message).toBe(
      `Incident #${page.incidentNumber} is escalated to SRE Batphone: they are being paged now.`,
    );
    expect(reroutes(s)).toHaveLength(1);
    expect(s.hub.findIncident(page.incidentNumber!)?.escalation).toMatchObject({ reason: 'requested' });

    const again = await post(s, `/api/v1/pages/${page.id}/escalate`, {}, alice);
    expect(again.status).toBe(409);
    expect(ErrorBody.parse(again.body).error.message).toMatch(/already escalated to SRE Batphone/);

    // Another page of hers: one press per hour is the limit here.
    const other = await pageWithIncident(s, 'escalate-now-0002');
    const limited = await post(s, `/api/v1/pages/${other.id}/escalate`, {}, alice);
    expect(limited.status).toBe(429);
    expect(ErrorBody.parse(limited.body).error.retryAfterSeconds).toBeGreaterThan(0);
    expect(reroutes(s)).toHaveLength(1);
    expect(await metrics(s)).toMatch(
      /klaxon_escalations_total\{service="oncall",reason="requested",outcome="rerouted"\} 1/,
    );
  });

  it('is refused before the wait is over, saying when', async () => {
    const s = await start(escalation({ unpaged: { enabled: false }, manualAfterMinutes: 5 }));
    const page = await pageWithIncident(s, 'escalate-now-0003');
    const early = await post(s, `/api/v1/pages/${page.id}/escalate`, {}, alice);
    expect(early.status).toBe(409);
    const err = ErrorBody.parse(early.body).error;
    expect(err.message).toMatch(
      /^Escalate now is possible 5 minutes after your page was delivered: in (5|4) minutes\.$/,
    );
    expect(err.retryAfterSeconds).toBeGreaterThan(240);
    expect(reroutes(s)).toEqual([]);
  });
});
