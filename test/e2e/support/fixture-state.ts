import type { ClientConfig, ClientState, Incident, OnCallNow, Page } from '#common/index.js';
import { clientConfig, incident, page } from '#test/support/builders.js';

/**
 * A hand-made ClientState for looking at screens that the real stack reaches only with effort
 * (signing-in with a copyable link, memory-only token storage). Shapes are checked against the
 * contract by the type checker.
 */
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

export const fixtureConfig: ClientConfig = clientConfig({
  serverName: 'Klaxon demo',
  oidc: {
    issuer: 'http://127.0.0.1:8788',
    desktopClientId: 'klaxon-desktop',
    resource: 'https://klaxon.local/api',
    scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
  },
  targets: [
    {
      id: 'sre',
      label: 'SRE on call',
      description: 'Wakes the SRE primary on-call.',
      teams: ['team-sreKLX0000000001'],
      isDefault: true,
    },
    {
      id: 'platform',
      label: 'Platform on call',
      description: null,
      teams: ['team-pltKLX0000000002'],
      isDefault: false,
    },
  ],
  fallbackContacts: [
    { kind: 'phone', label: 'SRE emergency line', href: 'tel:+15550100' },
    { kind: 'chat', label: '#sre-emergency chat', href: 'https://chat.example.org/sre-emergency' },
  ],
  ticketUrl: 'https://tickets.example.org/new',
});

export const fixtureIncidents: Incident[] = [
  incident({ number: '1001', startedAt: ago(12 * 60_000) }),
  incident({
    number: '1002',
    title: 'Elevated 5xx on edge cache',
    phase: 'ACKED',
    startedAt: ago(25 * 60_000),
    pagedUsers: [],
    ackedBy: 'dmitri',
    ackedAt: ago(20 * 60_000),
  }),
  incident({
    number: '1003',
    title: 'Search cluster red',
    startedAt: ago(3 * 60_000),
    teams: [{ slug: 'team-pltKLX0000000002', name: 'Platform' }],
    pagedUsers: [],
  }),
];

export const fixtureOnCall: OnCallNow = {
  fetchedAt: ago(5_000),
  stale: false,
  teams: [
    {
      team: { slug: 'team-sreKLX0000000001', name: 'SRE' },
      policies: [
        {
          policy: { slug: 'pol-sreprimary00001', name: 'SRE Primary' },
          users: [{ username: 'carol', name: 'Carol Okafor', timeZone: 'Europe/Berlin' }],
        },
      ],
    },
    {
      team: { slug: 'team-pltKLX0000000002', name: 'Platform' },
      policies: [
        {
          policy: { slug: 'pol-pltprimary00002', name: 'Platform Primary' },
          users: [{ username: 'priya', name: 'Priya Raman', timeZone: 'Asia/Kolkata' }],
        },
      ],
    },
  ],
};

export const fixturePages: Page[] = [
  page({
    id: '6f1c2a9e-8d4b-4c1e-9a7f-2b3c4d5e6f70',
    summary: 'Login fails for all users',
    status: 'failing',
    attempts: 3,
    lastError: 'On-Call answered 503 Service Unavailable.',
    nextAttemptAt: new Date(Date.now() + 20_000).toISOString(),
    createdAt: ago(90_000),
    updatedAt: ago(10_000),
  }),
];

export function fixtureState(over: Partial<ClientState> = {}): ClientState {
  return {
    serverUrl: 'http://127.0.0.1:8787',
    config: fixtureConfig,
    auth: {
      status: 'signed-in',
      me: {
        user: { sub: 'alice', name: 'Alice Andersen', email: 'alice@klaxon.test', groups: ['sre', 'staff'] },
        permissions: { view: true, page: true, acknowledge: true },
      },
    },
    link: { status: 'live', lastDataAt: ago(1000), error: null, retryAt: null },
    snapshot: {
      incidents: fixtureIncidents,
      fetchedAt: ago(3000),
      ageSeconds: 3,
      stale: false,
      upstream: { ok: true, error: null },
      windowMinutes: 60,
      pollIntervalSeconds: 10,
    },
    storage: { mode: 'encrypted', message: null },
    ...over,
  };
}
