// A paging service kept in memory, and buildApp over it with SQLite in memory and test-header
// viewers (no port, requests go in with app.inject): for server tests that need the whole app
// but no On-Call simulator.
import { pageEntityId, type Incident, type OnCallNow, type Page } from '#common/index.js';
import { buildApp, type AppDeps, type KlaxonApp } from '#server/app.js';
import type {
  AckOutcome,
  ActiveMute,
  IncidentUpdate,
  PagingBackend,
  Person,
  PolicyRef,
  RerouteOutcome,
  SendAlertResult,
  TargetEscalation,
  WebhookCheck,
} from '#server/backends/paging-backend.js';
import { UpstreamError } from '#server/backends/upstream-error.js';
import { loadServerConfig, type ServerConfigOverrides } from '#server/config/index.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { viewerFromTestHeaders } from './live-stack.js';
import { incident } from './builders.js';

/**
 * An alert opens an incident at once, acks take effect at once. Set `down` to a reason and every
 * call fails as if the service were unreachable, until it is set back to null.
 */
export class MemoryBackend implements PagingBackend {
  incidents: Incident[] = [];
  sent: { pageId: string; routingKey: string; at: number }[] = [];
  /** Every sendAlert call, failed ones included. */
  attempts: { pageId: string; at: number; ok: boolean }[] = [];
  down: string | null = null;
  /** Set to a reason to make only alerts fail (the incident list keeps answering). */
  alertsFailing: string | null = null;

  private check(endpoint: string): void {
    if (this.down) throw new UpstreamError('network', this.down, endpoint, { retryable: true });
  }

  async listIncidents(): Promise<Incident[]> {
    this.check('incidents');
    return this.incidents;
  }
  async getIncident(number: string): Promise<Incident | null> {
    this.check('incident');
    return this.incidents.find((i) => i.number === number) ?? null;
  }
  async findPageIncident(page: Page): Promise<Incident | null> {
    this.check('incidents');
    return this.incidents.find((i) => i.entityId === pageEntityId(page.id)) ?? null;
  }
  accountOf(person: Person): string | null {
    return person.username;
  }
  async sendAlert(page: Page, routingKey: string): Promise<SendAlertResult> {
    const failing = this.down ?? this.alertsFailing;
    this.attempts.push({ pageId: page.id, at: Date.now(), ok: failing === null });
    if (failing) return { ok: false, retryable: true, error: failing };
    this.sent.push({ pageId: page.id, routingKey, at: Date.now() });
    const entityId = pageEntityId(page.id);
    if (!this.incidents.some((i) => i.entityId === entityId))
      this.incidents = [
        ...this.incidents,
        memoryIncident(String(100 + this.incidents.length), { entityId, title: page.summary }),
      ];
    return { ok: true, entityId };
  }
  async acknowledge(userName: string, number: string): Promise<AckOutcome> {
    this.check('ack');
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
  async escalationFor(routingKey: string): Promise<TargetEscalation> {
    this.check('routing_keys');
    const users = [{ username: 'carol', name: 'Carol', timeZone: null }];
    const step = { afterMinutes: 0, users, emptyRotations: [], also: [], via: null };
    const plan = { policy: { slug: 'primary', name: 'Primary' }, team: { slug: 'sre', name: 'SRE' }, steps: [step] };
    return { match: 'exact', routesAs: routingKey, policies: [plan] };
  }
  async activeMutes(): Promise<ActiveMute[]> {
    this.check('maintenance_mode');
    return [];
  }
  async userDisplayNames(): Promise<ReadonlyMap<string, string>> {
    return new Map([['carol', 'Carol Okafor']]);
  }
  async userExists(username: string): Promise<boolean | null> {
    if (this.down) return null;
    return username === 'carol';
  }
  async findPolicy(id: string): Promise<PolicyRef | null> {
    this.check('policy');
    return id === 'everyone' ? { id, name: 'Everyone' } : null;
  }
  /** Every reroute asked for, in order (the incidents themselves stay as they are). */
  rerouted: { userName: string; incidentNumber: string; policyId: string }[] = [];
  async reroute(userName: string, incidentNumber: string, policyId: string): Promise<RerouteOutcome> {
    this.check('reroute');
    this.rerouted.push({ userName, incidentNumber, policyId });
    return { accepted: true, reason: null };
  }
  readWebhook(): IncidentUpdate | null {
    return null;
  }
  checkWebhook(): WebhookCheck {
    return { ok: false, off: true, message: 'Webhooks are not enabled on this Klaxon server.' };
  }
}

export function memoryIncident(number: string, over: Partial<Incident> = {}): Incident {
  return incident({
    number,
    title: `Incident ${number}`,
    startedAt: new Date().toISOString(),
    teams: [{ slug: 'sre', name: 'SRE' }],
    ...over,
  });
}

export interface MemoryApp extends KlaxonApp {
  close(): Promise<void>;
}

/** buildApp over `backend`, started; `close()` also closes its in-memory storage. */
export async function startMemoryApp(
  backend: PagingBackend,
  overrides: ServerConfigOverrides = {},
  deps: Partial<Pick<AppDeps, 'eventStream' | 'logger'>> = {},
): Promise<MemoryApp> {
  const config = loadServerConfig({
    env: {},
    warn: () => {},
    overrides: {
      ...overrides,
      // Only the On-Call backend would use these; the in-memory one does not.
      oncall: { apiId: 'unused', apiKey: 'unused', restEndpointKey: 'unused', ...overrides.oncall },
      oidc: { issuer: 'http://127.0.0.1:9/', audience: 'klaxon-test', ...overrides.oidc },
      webUi: { dir: '/nonexistent/klaxon-ui', ...overrides.webUi },
    },
  });
  const store = new SqliteStore(':memory:');
  const klaxon = await buildApp({
    config,
    store,
    backend,
    authenticate: viewerFromTestHeaders,
    logger: false,
    ...deps,
  });
  klaxon.start();
  return {
    ...klaxon,
    async close() {
      await klaxon.close();
      await store.close();
    },
  };
}
