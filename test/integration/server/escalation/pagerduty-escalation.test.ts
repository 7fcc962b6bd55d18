// Klaxon's escalations of PagerDuty incidents, on a server with one On-Call and two PagerDuty targets,
// against both real simulators over HTTP. PagerDuty has its own fallback policy (`pagerduty.escalation`,
// the demo account's Batphone) and user (pagerduty.fromEmail); On-Call has none. A page to a PagerDuty
// service whose policy has nobody on call is rerouted by escalate-unpaged, as PagerDuty documents it
// (`PUT /incidents/{id}` with `escalation_policy` and `From`), once, and shown on the incident;
// "Escalate now" sends a PagerDuty page's incident to PagerDuty's fallback, and On-Call is never touched.
// Where PagerDuty opens no incident at all for a policy with nobody on call (the other answer its
// documents give), the page is unconfirmed and there is nothing to escalate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientConfig, EscalatePageResult, pageEntityId, type Incident, type Page } from '#common/index.js';
import { DEMO_POLICY_BATPHONE } from '#dev/pagerduty-simulator/index.js';
import { api, PD_TARGET, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';

const NIGHTS_KEY = 'n1ghtsn1ghtsn1ghtsn1ghtsn1ghts00';
const ONCALL_REROUTE = '/api-public/v1/incidents/reroute';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: string;
const pd = () => stack.pd!;

/**
 * The stack with a third target, "Nights": a PagerDuty service whose only rule targets a schedule
 * nobody is on. `nobodyOnCall`: what PagerDuty does with a trigger there (the simulator models both
 * answers its documents give: an unassigned incident, or none).
 */
async function startWithNights(nobodyOnCall: 'unassigned' | 'drop'): Promise<void> {
  stack = await startStack({ pagerduty: { nobodyOnCall } });
  const nights = pd().control.addSchedule({ name: 'Nights', userIds: [] });
  const policy = pd().control.addEscalationPolicy({
    name: 'Nights',
    rules: [{ delayMinutes: 30, targets: [{ type: 'schedule_reference', id: nights.id }] }],
  });
  const service = pd().control.addService({
    name: 'Nights',
    escalationPolicyId: String(policy.id),
    integrationKey: NIGHTS_KEY,
  });
  server = await startServer(stack, {
    pageRateLimit: { max: 100, windowSeconds: 600 },
    targets: [
      { id: 'sre', label: 'SRE on call', backend: 'oncall', routingKey: 'sre', teams: [], default: true },
      { ...PD_TARGET },
      { id: 'pd-nights', label: 'Nights', backend: 'pagerduty', routingKey: NIGHTS_KEY, service: service.id },
    ],
    pagerduty: { escalation: { policy: DEMO_POLICY_BATPHONE } },
    escalation: { unpaged: { enabled: true, intervalSeconds: 1, graceSeconds: 0 }, manualAfterMinutes: 0 },
    delivery: { unconfirmedAfterSeconds: 3 },
    groups: { audit: ['sre'] },
  });
  alice = await stack.token('alice');
}
const stop = async () => {
  await server?.close();
  await stack?.close();
};

const page = async (target: string, summary: string): Promise<Page> => {
  const r = await api(`${server.url}/api/v1/pages`, {
    token: alice,
    body: { summary, target, idempotencyKey: randomKey() },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return waitFor(`page "${summary}" delivered with its incident`, async () => {
    const p = (await api(`${server.url}/api/v1/pages/${(r.body as Page).id}`, { token: alice })).body as Page;
    return p.incidentNumber && p.status === 'delivered' ? p : null;
  });
};
const incident = async (key: string): Promise<Incident | null> => {
  const r = await api(`${server.url}/api/v1/incidents`, { token: alice });
  return ((r.body as { incidents: Incident[] }).incidents ?? []).find((i) => `pagerduty:${i.number}` === key) ?? null;
};
const pdIncidentOf = (pageId: string) =>
  pd()
    .control.incidents()
    .find((i) => i.incident_key === pageEntityId(pageId)) as
    { id: string; escalation_policy: { id: string }; assignments: unknown[] } | undefined;
const updatesOf = (id: string) =>
  pd()
    .control.requests()
    .filter((r) => r.method === 'PUT' && r.path === `/incidents/${id}`);
const metrics = async () => (await fetch(`${server.url}/metrics`)).text();

describe('escalations of PagerDuty incidents', () => {
  beforeAll(() => startWithNights('unassigned'));
  afterAll(stop);

  it('offers "Escalate now" per service: for PagerDuty pages, not for On-Call ones (no policy there)', async () => {
    const config = ClientConfig.parse((await api(`${server.url}/api/v1/client-config`)).body);
    expect(config.escalation).toBeUndefined();
    expect(config.escalationsByService).toEqual({ pagerduty: { policyName: 'Batphone', manualAfterMinutes: 0 } });
  });

  it('reroutes an incident PagerDuty assigned to nobody to the fallback policy, as the PagerDuty user, once', async () => {
    const p = await page('pd-nights', 'Night batch stuck');
    const key = `pagerduty:${p.incidentNumber}`;
    const before = pdIncidentOf(p.id)!;
    expect(before.assignments).toEqual([]);

    const shown = await waitFor('the escalation shown on the incident', async () => {
      const i = await incident(key);
      return i?.escalation ? i : null;
    });
    expect(shown.escalation).toMatchObject({ to: 'Batphone', reason: 'nobody_paged', requestedBy: null });
    // As PagerDuty documents the reassignment, sent once, as the configured user.
    const updates = updatesOf(before.id);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      from: 'klaxon@klaxon.test',
      body: { incident: { type: 'incident_reference', escalation_policy: { id: DEMO_POLICY_BATPHONE } } },
    });
    // Batphone's first rule pages both on-call schedules now.
    const after = await waitFor('Batphone paging people', async () => {
      const i = await incident(key);
      return i && i.pagedUsers.length > 0 ? i : null;
    });
    expect(after.pagedUsers.length).toBeGreaterThanOrEqual(2);
    expect(pdIncidentOf(p.id)!.escalation_policy.id).toBe(DEMO_POLICY_BATPHONE);
    // Later runs leave it alone; On-Call, which has no fallback policy, is never asked.
    await new Promise((r) => setTimeout(r, 2500));
    expect(updatesOf(before.id)).toHaveLength(1);
    expect(stack.sim.control.requests().filter((r) => r.path === ONCALL_REROUTE)).toEqual([]);
    const m = await metrics();
    expect(m).toMatch(/klaxon_escalations_total\{service="pagerduty",reason="nobody_paged",outcome="rerouted"\} 1/);
    expect(m).toMatch(/klaxon_escalator_up\{service="pagerduty"\} 1/);
    expect(m).not.toMatch(/klaxon_escalator_up\{service="oncall"\}/);
  });

  it('"Escalate now" sends a PagerDuty page to PagerDuty\'s fallback once; an On-Call page is refused, saying why', async () => {
    const p = await page(PD_TARGET.id, 'Checkout down, nobody answering');
    const pdIncident = pdIncidentOf(p.id)!;
    const press = (id: string) => api(`${server.url}/api/v1/pages/${id}/escalate`, { token: alice, body: {} });

    const first = await press(p.id);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const result = EscalatePageResult.parse(first.body);
    expect(result.message).toBe(`Incident #${p.incidentNumber} is escalated to Batphone: they are being paged now.`);
    expect(result.escalation).toMatchObject({ to: 'Batphone', reason: 'requested', requestedBy: 'Alice Andersen' });
    expect(updatesOf(pdIncident.id)).toHaveLength(1);
    expect(pdIncidentOf(p.id)!.escalation_policy.id).toBe(DEMO_POLICY_BATPHONE);
    // Audited with the person and the groups on their token, as pages are (the access review shows them).
    const audit = await api(`${server.url}/api/v1/audit?action=escalation.claimed`, { token: alice });
    expect(audit.body.entries[0]).toMatchObject({
      actor: { sub: 'alice', name: 'Alice Andersen' },
      groups: ['sre', 'staff'],
      detail: { incident: `pagerduty:${p.incidentNumber}`, reason: 'requested' },
    });

    const again = await press(p.id);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already escalated to Batphone; Klaxon escalates an incident only once/);
    expect(updatesOf(pdIncident.id)).toHaveLength(1);

    const onCall = await page('sre', 'On-Call page');
    const refused = await press(onCall.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/does not escalate pages/);
    expect(stack.sim.control.requests().filter((r) => r.path === ONCALL_REROUTE)).toEqual([]);
  });
});

describe('when PagerDuty opens no incident because nobody is on call', () => {
  beforeAll(() => startWithNights('drop'));
  afterAll(stop);

  it('the page is said to be unconfirmed (PagerDuty took the event and opened no incident), and nothing is escalated', async () => {
    const sent = await api(`${server.url}/api/v1/pages`, {
      token: alice,
      body: { summary: 'Night batch stuck', target: 'pd-nights', idempotencyKey: randomKey() },
    });
    expect(sent.status).toBe(202);
    const id = (sent.body as Page).id;
    const unconfirmed = await waitFor('the page marked unconfirmed', async () => {
      const p = (await api(`${server.url}/api/v1/pages/${id}`, { token: alice })).body as Page;
      return p.unconfirmedAt ? p : null;
    });
    // PagerDuty took the event (202) but has no incident for it: Klaxon does not pretend it is paging.
    expect(unconfirmed).toMatchObject({ status: 'delivered', incidentNumber: null, backend: 'pagerduty' });
    expect(pd().control.eventCounts(pageEntityId(id))).toMatchObject({ trigger: 1, incidents: 0 });
    expect(
      pd()
        .control.requests()
        .filter((r) => r.method === 'PUT'),
    ).toEqual([]);
  });
});
