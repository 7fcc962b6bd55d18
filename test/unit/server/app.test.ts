// buildApp with a paging backend that is not On-Call: a page goes from `POST /api/v1/pages` to the
// backend, to its incident, to "acknowledged", through the PagingBackend interface alone. Requests
// go in with app.inject (no port), storage is SQLite in memory.
import { afterEach, describe, expect, it } from 'vitest';
import { AckResult, pageEntityId, type Incident, type OnCallNow, type Page } from '#common/index.js';
import { buildApp, type KlaxonApp } from '#server/app.js';
import type {
  AckOutcome,
  IncidentUpdate,
  PagingBackend,
  PolicyRef,
  RerouteOutcome,
  SendAlertResult,
} from '#server/backends/paging-backend.js';
import { UpstreamError } from '#server/backends/upstream-error.js';
import { loadServerConfig } from '#server/config/index.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { viewerFromTestHeaders } from '#test/support/live-stack.js';

/** A paging service kept in memory: an alert opens an incident at once, acks take effect at once. */
class InMemoryBackend implements PagingBackend {
  incidents: Incident[] = [];
  sent: { pageId: string; routingKey: string }[] = [];

  async listIncidents(): Promise<Incident[]> {
    return this.incidents;
  }
  async getIncident(number: string): Promise<Incident | null> {
    return this.incidents.find((i) => i.number === number) ?? null;
  }
  async sendAlert(page: Page, routingKey: string): Promise<SendAlertResult> {
    this.sent.push({ pageId: page.id, routingKey });
    const entityId = pageEntityId(page.id);
    if (!this.incidents.some((i) => i.entityId === entityId))
      this.incidents = [...this.incidents, incident(String(100 + this.incidents.length), entityId, page.summary)];
    return { ok: true, entityId };
  }
  async acknowledge(userName: string, number: string): Promise<AckOutcome> {
    if (userName !== 'carol') throw new UpstreamError('not_found', 'User not found', 'ack', { retryable: false });
    const now = new Date().toISOString();
    this.incidents = this.incidents.map((i) =>
      i.number === number ? { ...i, phase: 'ACKED', ackedBy: userName, ackedAt: now, pagedUsers: [] } : i,
    );
    return { accepted: true, reason: null };
  }
  async onCallNow(): Promise<OnCallNow> {
    const policy = { slug: 'primary', name: 'Primary' };
    const users = [{ username: 'carol', name: 'Carol', timeZone: null }];
    return {
      teams: [{ team: { slug: 'sre', name: 'SRE' }, policies: [{ policy, users }] }],
      fetchedAt: null,
      stale: false,
    };
  }
  async knowsUser(username: string): Promise<boolean> {
    return username === 'carol';
  }
  async userDisplayNames(): Promise<ReadonlyMap<string, string>> {
    return new Map([['carol', 'Carol Okafor']]);
  }
  async userExists(username: string): Promise<boolean> {
    return username === 'carol';
  }
  async findPolicy(id: string): Promise<PolicyRef | null> {
    return id === 'everyone' ? { id, name: 'Everyone' } : null;
  }
  async reroute(): Promise<RerouteOutcome> {
    return { accepted: true, reason: null };
  }
  readWebhook(): IncidentUpdate | null {
    return null;
  }
}

function incident(number: string, entityId: string, title: string): Incident {
  return {
    number,
    title,
    phase: 'UNACKED',
    startedAt: new Date().toISOString(),
    lastAlertAt: null,
    teams: [{ slug: 'sre', name: 'SRE' }],
    pagedUsers: ['carol'],
    routingKey: 'sre',
    entityId,
    alertCount: 1,
    link: null,
    ackedBy: null,
    ackedAt: null,
    resolvedBy: null,
    resolvedAt: null,
  };
}

let klaxon: KlaxonApp | null = null;
let store: SqliteStore | null = null;
afterEach(async () => {
  await klaxon?.close();
  await store?.close();
  klaxon = null;
  store = null;
});

async function start(backend: PagingBackend): Promise<KlaxonApp> {
  const config = loadServerConfig({
    env: {},
    warn: () => {},
    overrides: {
      // Only the backend would use these; the in-memory one does not.
      oncall: { apiId: 'unused', apiKey: 'unused', restEndpointKey: 'unused' },
      oidc: { issuer: 'http://127.0.0.1:9/', audience: 'klaxon-test' },
      webUi: { dir: '/nonexistent/klaxon-ui' },
    },
  });
  store = new SqliteStore(':memory:');
  klaxon = await buildApp({ config, store, backend, authenticate: viewerFromTestHeaders, logger: false });
  klaxon.start();
  return klaxon;
}

async function eventually<T>(what: string, fn: () => Promise<T | null>): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the app over another paging backend', () => {
  it('accepts a page, sends it, follows its incident and its acknowledgement', async () => {
    const backend = new InMemoryBackend();
    const { app } = await start(backend);
    const alice = { 'x-test-sub': 'alice', 'x-test-name': 'Alice' };

    const accepted = await app.inject({
      method: 'POST',
      url: '/api/v1/pages',
      headers: alice,
      payload: { summary: 'Checkout is down', idempotencyKey: 'key-0123456789abcdef' },
    });
    expect(accepted.statusCode).toBe(202);
    const page = accepted.json<Page>();
    expect(accepted.headers.location).toBe(`/api/v1/pages/${page.id}`);
    expect(page).toMatchObject({ status: 'queued', target: { id: 'sre' } });

    const getPage = async () => (await app.inject({ url: `/api/v1/pages/${page.id}`, headers: alice })).json<Page>();
    const delivered = await eventually('the page to find its incident', async () => {
      const p = await getPage();
      return p.incidentNumber ? p : null;
    });
    expect(delivered.status).toBe('delivered');
    expect(backend.sent).toEqual([{ pageId: page.id, routingKey: 'sre' }]);

    const ack = await app.inject({
      method: 'POST',
      url: `/api/v1/incidents/${delivered.incidentNumber}/ack`,
      headers: { 'x-test-sub': 'carol-sub', 'x-test-username': 'carol', 'x-test-name': 'Carol' },
      payload: {},
    });
    expect(ack.statusCode).toBe(200);
    expect(AckResult.parse(ack.json())).toMatchObject({
      accepted: true,
      incident: { phase: 'ACKED', ackedBy: 'carol' },
    });
    const acked = await eventually('the page to be acknowledged', async () => {
      const p = await getPage();
      return p.status === 'acknowledged' ? p : null;
    });
    expect(acked.ackedBy).toBe('carol');
  });

  it('answers who is on call from the backend, and 409 when nobody the backend knows can acknowledge', async () => {
    const { app } = await start(new InMemoryBackend());
    const oncall = await app.inject({ url: '/api/v1/oncall', headers: { 'x-test-sub': 'alice' } });
    expect(oncall.statusCode).toBe(200);
    expect(oncall.json<OnCallNow>().teams[0]?.policies[0]?.users[0]?.username).toBe('carol');
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/incidents/100/ack',
      headers: { 'x-test-sub': 'bob', 'x-test-username': 'bob' },
      payload: {},
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: { code: 'conflict' } });
  });
});
