// Paging end to end against the real simulator: validation, idempotency, rate limit, delivery
// through faults and timeouts (exactly one incident per page), and the page following its incident.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pageEntityId, type Page } from '#common/index.js';
import { api, incidentsFor, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';

const REST = '/integrations/*';
let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: string;
let bob: string;

beforeAll(async () => {
  stack = await startStack();
  server = await startServer(stack, { pageRateLimit: { max: 100, windowSeconds: 600 } });
  alice = await stack.token('alice');
  bob = await stack.token('bob');
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});
beforeEach(() => stack.sim.control.setFaults({}));

const post = (body: unknown, token = alice, headers: Record<string, string> = {}) =>
  api(`${server.url}/api/v1/pages`, { token, body, headers });
const getPage = async (id: string, token = alice): Promise<Page> =>
  (await api(`${server.url}/api/v1/pages/${id}`, { token })).body as Page;
const restRequests = () => stack.sim.control.requests().filter((r) => r.path.startsWith('/integrations/'));

async function delivered(id: string): Promise<Page> {
  return waitFor(`page ${id} delivered with an incident`, async () => {
    const p = await getPage(id);
    return p.incidentNumber && p.status !== 'queued' && p.status !== 'failing' && p.status !== 'delivering' ? p : null;
  });
}

describe('accepting a page', () => {
  it('answers 202 with the queued page, quickly', async () => {
    const key = randomKey();
    const t0 = performance.now();
    const r = await post(
      { summary: '  Checkout returns 500s  ', details: 'Since 11:58 UTC', idempotencyKey: key },
      alice,
      { 'x-klaxon-client': 'desktop' },
    );
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.status).toBe(202);
    expect(r.headers.get('location')).toBe(`/api/v1/pages/${r.body.id}`);
    // The server's own share of the round trip, for dev tools and benchmarks.
    expect(r.headers.get('server-timing')).toMatch(/^app;dur=\d+\.\d\d$/);
    expect(r.body).toMatchObject({
      summary: 'Checkout returns 500s',
      details: 'Since 11:58 UTC',
      target: { id: 'sre', label: 'SRE on call' },
      client: 'desktop',
      status: 'queued',
      requester: { sub: 'alice', name: 'Alice Andersen', email: 'alice@klaxon.test' },
    });
  });

  it.each([
    [{ summary: '   ', idempotencyKey: 'k'.repeat(20) }, 'summary', /summary must not be empty/],
    [{ summary: 'x'.repeat(121), idempotencyKey: 'k'.repeat(20) }, 'summary', /summary must be at most 120 characters/],
    [
      { summary: 'ok', details: 'd'.repeat(4001), idempotencyKey: 'k'.repeat(20) },
      'details',
      /details must be at most 4000/,
    ],
    [{ summary: 'ok', idempotencyKey: 'k'.repeat(20), priority: 'high' }, 'priority', /Unknown field "priority"/],
    [{ summary: 'ok', idempotencyKey: 'short' }, 'idempotencyKey', /16-128/],
    [
      { summary: 'ok', idempotencyKey: 'k'.repeat(20), target: 'dba' },
      'target',
      /not a page target of this server.*sre, platform/,
    ],
    [{ summary: 'line\nbreak', idempotencyKey: 'k'.repeat(20) }, 'summary', /line breaks/],
  ])('refuses %j with 400 naming the field', async (body, field, message) => {
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
    expect(r.body.error.field).toBe(field);
    expect(r.body.error.message).toMatch(message);
  });

  it('refuses a body that is not JSON, and a header key that differs from the body key', async () => {
    const bad = await api(`${server.url}/api/v1/pages`, { token: alice, body: '{"summary":', headers: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not valid JSON/);
    const differ = await post({ summary: 'ok', idempotencyKey: randomKey() }, alice, {
      'idempotency-key': randomKey(),
    });
    expect(differ.status).toBe(400);
    expect(differ.body.error.field).toBe('idempotencyKey');
    const headerOnly = await post({ summary: 'Key in the header only' }, alice, { 'idempotency-key': randomKey() });
    expect(headerOnly.status).toBe(202);
  });

  it('asks for an Idempotency-Key when neither the header nor the body has one', async () => {
    const r = await post({ summary: 'No key anywhere' });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('idempotencyKey');
    expect(r.body.error.message).toBe(
      'Send an Idempotency-Key header (16–128 letters, digits, - or _, e.g. a UUID); reuse it when retrying the same page.',
    );
  });

  it('replays the same key to the same page (one incident), and refuses the key with a different body', async () => {
    const key = randomKey();
    const first = await post({ summary: 'Payments API down', idempotencyKey: key });
    const again = await post({ summary: 'Payments API down', idempotencyKey: key }, alice, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    const other = await post({ summary: 'Something else', idempotencyKey: key });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('conflict');
    // The same key from another person is their own page.
    const bobs = await post({ summary: 'Payments API down', idempotencyKey: key }, bob);
    expect(bobs.status).toBe(202);
    expect(bobs.body.id).not.toBe(first.body.id);
    await delivered(first.body.id);
    expect(incidentsFor(stack.sim, pageEntityId(first.body.id))).toHaveLength(1);
    const mine = (await api(`${server.url}/api/v1/pages/mine`, { token: alice })).body.pages as Page[];
    expect(mine.filter((p) => p.id === first.body.id)).toHaveLength(1);
  });
});

describe('delivery', { timeout: 45_000 }, () => {
  it('sends the page to On-Call as CRITICAL with who asked, and follows the incident to acknowledgement', async () => {
    const r = await post(
      { summary: 'Search is down', details: 'All queries time out.', idempotencyKey: randomKey() },
      bob,
      { 'x-klaxon-client': 'web' },
    );
    const page = await waitFor('incident number', async () => {
      const p = await getPage(r.body.id, bob);
      return p.incidentNumber ? p : null;
    });
    expect(page.status).toBe('delivered');
    expect(page.deliveredAt).not.toBeNull();
    const [incident] = incidentsFor(stack.sim, pageEntityId(page.id)) as Record<string, unknown>[];
    expect(incident).toMatchObject({
      entityDisplayName: 'Manual page by Bob Brown: Search is down',
      currentPhase: 'UNACKED',
    });
    expect(String(incident!.incidentNumber)).toBe(page.incidentNumber);
    stack.sim.control.ack(page.incidentNumber!, 'carol', 'on it');
    const acked = await waitFor('acknowledged', async () => {
      const p = await getPage(page.id, bob);
      return p.status === 'acknowledged' ? p : null;
    });
    expect(acked.ackedBy).toBe('carol');
    expect(acked.ackedAt).not.toBeNull();
    stack.sim.control.resolve(page.incidentNumber!, 'carol');
    await waitFor('resolved', async () => (await getPage(page.id, bob)).status === 'resolved');
  });

  it('retries through errors with a plain-language reason and delivers exactly once', async () => {
    stack.sim.control.setFaults({ errorRate: 1, paths: [REST] });
    stack.sim.control.clearRequests();
    const r = await post({ summary: 'Retries through 503s', idempotencyKey: randomKey() });
    const failing = await waitFor('failing page', async () => {
      const p = await getPage(r.body.id);
      return p.status === 'failing' && p.attempts >= 1 ? p : null;
    });
    expect(failing.lastError).toMatch(/On-Call is having problems \(HTTP 50[03]/);
    expect(failing.nextAttemptAt).not.toBeNull();
    await waitFor('three failed attempts', () => restRequests().length >= 3);
    stack.sim.control.setFaults({});
    const p = await delivered(r.body.id);
    expect(p.attempts).toBeGreaterThanOrEqual(4);
    expect(p.lastError).toBeNull();
    expect(incidentsFor(stack.sim, pageEntityId(p.id))).toHaveLength(1);
  });

  it('retries after timeouts and delivers exactly once', async () => {
    stack.sim.control.setFaults({ timeoutRate: 1, paths: [REST] });
    stack.sim.control.clearRequests();
    const r = await post({ summary: 'Retries through timeouts', idempotencyKey: randomKey() });
    await waitFor('two timed-out attempts', () => restRequests().length >= 2);
    const failing = await waitFor('failing', async () => {
      const p = await getPage(r.body.id);
      return p.status === 'failing' ? p : null;
    });
    expect(failing.lastError).toMatch(/time|answer/i);
    stack.sim.control.setFaults({});
    const p = await delivered(r.body.id);
    expect(incidentsFor(stack.sim, pageEntityId(p.id))).toHaveLength(1);
  });

  it("delivers to the chosen target's routing key", async () => {
    stack.sim.control.clearRequests();
    const r = await post({ summary: 'Platform page', target: 'platform', idempotencyKey: randomKey() });
    await delivered(r.body.id);
    expect(restRequests().some((q) => q.path.endsWith('/platform'))).toBe(true);
  });

  it('shows pages only to their requester, and to people who may acknowledge', async () => {
    const r = await post({ summary: 'Bob private page', idempotencyKey: randomKey() }, bob);
    const carol = await stack.token('carol');
    expect((await api(`${server.url}/api/v1/pages/${r.body.id}`, { token: carol })).status).toBe(200);
    const mine = await post({ summary: 'Alice page', idempotencyKey: randomKey() });
    const asBob = await api(`${server.url}/api/v1/pages/${mine.body.id}`, { token: bob });
    expect(asBob.status).toBe(404);
    expect(asBob.body.error.code).toBe('not_found');
    const bobsList = (await api(`${server.url}/api/v1/pages/mine`, { token: bob })).body.pages as Page[];
    expect(bobsList.every((p) => p.requester.sub === 'bob')).toBe(true);
    expect(bobsList[0]!.id).toBe(r.body.id);
  });
});

describe('rate limit and give-up (own server)', { timeout: 45_000 }, () => {
  it('refuses the 4th page in 10 minutes with 429 and a way to reach SRE; replays still work', async () => {
    const s = await startServer(stack, { storage: { sqlitePath: `${stack.dir}/rate.db` } });
    try {
      const keys = [randomKey(), randomKey(), randomKey()];
      for (const k of keys)
        expect(
          (await api(`${s.url}/api/v1/pages`, { token: bob, body: { summary: `Page ${k}`, idempotencyKey: k } }))
            .status,
        ).toBe(202);
      const fourth = await api(`${s.url}/api/v1/pages`, {
        token: bob,
        body: { summary: 'One more', idempotencyKey: randomKey() },
      });
      expect(fourth.status).toBe(429);
      expect(fourth.body.error.code).toBe('rate_limited');
      expect(fourth.body.error.message).toBe(
        'You have sent 3 pages in the last 10 minutes. If this is a new emergency, call the SRE emergency line (+1 555 0100).',
      );
      expect(fourth.body.error.retryAfterSeconds).toBeGreaterThan(590);
      expect(fourth.headers.get('retry-after')).toBe(String(fourth.body.error.retryAfterSeconds));
      const replay = await api(`${s.url}/api/v1/pages`, {
        token: bob,
        body: { summary: `Page ${keys[0]}`, idempotencyKey: keys[0] },
      });
      expect(replay.status).toBe(202);
      // Limits are per person.
      expect(
        (
          await api(`${s.url}/api/v1/pages`, {
            token: alice,
            body: { summary: 'Alice is fine', idempotencyKey: randomKey() },
          })
        ).status,
      ).toBe(202);
    } finally {
      await s.close();
    }
  });

  it('gives up after giveUpAfterMinutes: status stays failing with gaveUpAt, counted as gave_up', async () => {
    stack.sim.control.setFaults({ errorRate: 1, paths: [REST] });
    const s = await startServer(stack, {
      storage: { sqlitePath: `${stack.dir}/giveup.db` },
      delivery: { giveUpAfterMinutes: 0.02, baseDelayMs: 100, maxDelayMs: 300 },
    });
    try {
      const r = await api(`${s.url}/api/v1/pages`, {
        token: alice,
        body: { summary: 'Will give up', idempotencyKey: randomKey() },
      });
      const p = await waitFor('gave up', async () => {
        const x = (await api(`${s.url}/api/v1/pages/${r.body.id}`, { token: alice })).body as Page;
        return x.gaveUpAt ? x : null;
      });
      expect(p.status).toBe('failing');
      expect(p.nextAttemptAt).toBeNull();
      expect(p.lastError).toMatch(/stopped retrying after 0.02 minutes.*fallback contact/);
      const metrics = (await api(`${s.url}/metrics`)).body as string;
      expect(metrics).toMatch(/klaxon_pages\{status="gave_up"\} 1/);
      expect(metrics).toMatch(/klaxon_delivery_attempts_total\{outcome="retryable_error"\} [1-9]/);
    } finally {
      await s.close();
    }
  });
});
