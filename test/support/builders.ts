/**
 * The one place tests build contract objects: a realistic, valid `Incident`, `Page`, snapshot,
 * client config and `Me`, each overridable per test. Suites that want other defaults (the
 * renderer's clock, the memory backend's numbering) pass overrides rather than copying the shape,
 * so a field added to the contract is added here once.
 */
import type { ClientConfig, Incident, IncidentSnapshot, Me, Page } from '#common/index.js';

export const incident = (over: Partial<Incident> = {}): Incident => ({
  number: '1042',
  title: 'Checkout latency above SLO',
  phase: 'UNACKED',
  startedAt: '2026-11-22T11:50:00.000Z',
  lastAlertAt: null,
  teams: [{ slug: 'team-sreKLX0000000001', name: 'SRE' }],
  pagedUsers: ['carol'],
  routingKey: 'sre',
  entityId: null,
  alertCount: 1,
  link: null,
  ackedBy: null,
  ackedAt: null,
  resolvedBy: null,
  resolvedAt: null,
  ...over,
});

export const page = (over: Partial<Page> = {}): Page => ({
  id: '3f1c2f52-8a43-4c53-9b8e-2f3b1d9f0a11',
  requester: { sub: 'alice', name: 'Alice Andersen', email: 'alice@klaxon.test' },
  summary: 'Checkout is down',
  details: '',
  target: { id: 'sre', label: 'SRE on call' },
  client: 'desktop',
  status: 'queued',
  attempts: 0,
  lastError: null,
  nextAttemptAt: null,
  gaveUpAt: null,
  incidentNumber: null,
  ackedBy: null,
  ackedAt: null,
  createdAt: '2026-11-22T12:00:00.000Z',
  updatedAt: '2026-11-22T12:00:00.000Z',
  deliveredAt: null,
  ...over,
});

export const snapshot = (incidents: Incident[], over: Partial<IncidentSnapshot> = {}): IncidentSnapshot => ({
  incidents,
  fetchedAt: '2026-11-22T12:00:00.000Z',
  ageSeconds: 0,
  stale: false,
  upstream: { ok: true, error: null },
  windowMinutes: 60,
  pollIntervalSeconds: 10,
  ...over,
});

export const me = (over: Partial<Me['permissions']> = {}, name = 'Alice Andersen', sub = 'alice'): Me => ({
  user: { sub, name, email: `${sub}@klaxon.test`, groups: ['sre'] },
  permissions: { view: true, page: true, acknowledge: true, ...over },
});

export const clientConfig = (over: Partial<ClientConfig> = {}): ClientConfig => ({
  serverName: 'Klaxon test',
  oidc: {
    issuer: 'https://idp.example.org',
    desktopClientId: 'klaxon-desktop',
    resource: 'https://klaxon.local/api',
    scopes: ['openid', 'offline_access'],
  },
  targets: [{ id: 'sre', label: 'SRE on call', description: null, teams: ['team-sreKLX0000000001'], isDefault: true }],
  fallbackContacts: [
    { kind: 'phone', label: 'SRE emergency line', href: 'tel:+15550100' },
    { kind: 'chat', label: '#sre', href: 'https://chat.example.org/sre' },
  ],
  ticketUrl: 'https://tickets.example.org/new?queue=sre',
  recentWindowMinutes: 60,
  pollIntervalSeconds: 10,
  groups: { page: ['staff', 'sre'], acknowledge: ['sre'] },
  pageRateLimit: { max: 3, windowSeconds: 600 },
  ...over,
});
