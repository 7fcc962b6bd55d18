import { describe, expect, it } from 'vitest';
import {
  Incident,
  ServerEvent,
  ManagedPolicy,
  UserSettings,
  countIncidents,
  describeCounts,
  routePath,
  ClientConfig,
  ipcRequests,
  type Incident as IncidentT,
} from '#common/index.js';
import * as build from '#test/support/builders.js';

const incident = (over: Partial<IncidentT> = {}): IncidentT =>
  build.incident({
    title: 'API 5xx spike',
    startedAt: '2024-05-01T12:00:03Z',
    teams: [{ slug: 'team-sre', name: 'SRE' }],
    pagedUsers: ['bob'],
    ...over,
  });

describe('Incident', () => {
  it('accepts a normalised incident', () => expect(Incident.safeParse(incident()).success).toBe(true));
  it('refuses lower-case phases and numeric incident numbers', () => {
    expect(Incident.safeParse(incident({ phase: 'triggered' as never })).success).toBe(false);
    expect(Incident.safeParse({ ...incident(), number: 1042 }).success).toBe(false);
  });
  it('refuses unknown keys', () => expect(Incident.safeParse({ ...incident(), extra: 1 }).success).toBe(false));
  it('only carries http(s) links, since the UI renders them as clickable', () => {
    expect(
      Incident.safeParse(incident({ link: 'https://portal.victorops.com/client/x/popoutIncident?incidentName=1' }))
        .success,
    ).toBe(true);
    expect(Incident.safeParse(incident({ link: 'javascript:alert(1)' })).success).toBe(false);
  });
});

describe('badge counts and words', () => {
  it('counts open, unacknowledged and unpaged incidents; resolved ones do not count', () => {
    const c = countIncidents([
      incident(),
      incident({ number: '2', pagedUsers: [] }),
      incident({ number: '3', phase: 'ACKED' }),
      incident({ number: '4', phase: 'RESOLVED' }),
    ]);
    expect(c).toEqual({ open: 3, unacked: 2, acked: 1, unackedNobodyPaged: 1 });
  });
  it('describes the counts in words', () => {
    expect(describeCounts(countIncidents([]))).toBe('All quiet');
    expect(describeCounts(countIncidents([incident(), incident({ number: '2', phase: 'ACKED' })]))).toBe(
      '2 open incidents, 1 not acknowledged',
    );
    expect(describeCounts(countIncidents([incident({ phase: 'ACKED' })]))).toBe('1 open incident, acknowledged');
    expect(describeCounts(countIncidents([incident(), incident({ number: '2' })]))).toBe(
      '2 open incidents, none acknowledged',
    );
  });
});

describe('SSE events', () => {
  it('parses a heartbeat and refuses an unknown event type', () => {
    const hb = {
      type: 'heartbeat',
      id: '7',
      data: {
        at: '2024-05-01T12:00:03.000Z',
        fetchedAt: null,
        ageSeconds: null,
        stale: true,
        upstream: { ok: false, error: 'timeout' },
      },
    };
    expect(ServerEvent.safeParse(hb).success).toBe(true);
    expect(ServerEvent.safeParse({ ...hb, type: 'gossip' }).success).toBe(false);
  });
});

describe('settings and policy', () => {
  it('accepts a partial policy and names unknown keys', () => {
    expect(ManagedPolicy.safeParse({ serverUrl: 'https://klaxon.example.org', autoUpdate: false }).success).toBe(true);
    const r = ManagedPolicy.safeParse({ serverURL: 'https://x' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('serverURL');
  });
  it('serverUrl and issuer: https, or plain http only to this machine (bearer tokens travel over it)', () => {
    for (const schema of [ManagedPolicy, UserSettings])
      for (const key of ['serverUrl', 'issuer'] as const) {
        for (const url of ['http://klaxon.example.org', 'http://10.0.0.5:8787', 'http://127.0.0.1.evil.example/']) {
          const r = schema.safeParse({ [key]: url });
          expect(r.success, `${key} ${url}`).toBe(false);
          expect(r.error?.issues[0]?.path).toEqual([key]);
          expect(r.error?.issues[0]?.message).toMatch(new RegExp(`^${key} must be an https URL`));
        }
        for (const url of [
          'https://klaxon.example.org',
          'http://127.0.0.1:8787',
          'http://[::1]:8787',
          'http://localhost:8787',
        ])
          expect(schema.safeParse({ [key]: url }).success, `${key} ${url}`).toBe(true);
      }
  });
  it('refuses a non-https update feed and lets users not set it at all', () => {
    expect(ManagedPolicy.safeParse({ updateFeedUrl: 'http://updates.example.org' }).success).toBe(false);
    expect(UserSettings.safeParse({ updateFeedUrl: 'https://updates.example.org' }).success).toBe(false);
  });
});

describe('routes and IPC map', () => {
  it('fills and encodes route parameters', () => {
    expect(routePath('ackIncident', { number: '42' })).toBe('/api/v1/incidents/42/ack');
    expect(routePath('getPage', { id: 'a/b' })).toBe('/api/v1/pages/a%2Fb');
    expect(() => routePath('getPage')).toThrow(/missing route parameter id/);
  });
  it('validates IPC payloads with the contract schemas', () => {
    expect(ipcRequests['incidents:ack'].request.safeParse({ number: '12' }).success).toBe(true);
    expect(ipcRequests['incidents:ack'].request.safeParse({ number: '12; rm -rf' }).success).toBe(false);
    expect(ipcRequests['shell:open-external'].request.safeParse({ url: 'not a url' }).success).toBe(false);
  });
  it('refuses fallback contacts that are not tel:, https: or mailto:', () => {
    const base = {
      serverName: 'K',
      oidc: {
        issuer: 'https://id.example.org',
        desktopClientId: 'klaxon-desktop',
        resource: 'https://klaxon.example.org/api',
        scopes: ['openid'],
      },
      targets: [],
      ticketUrl: null,
      recentWindowMinutes: 60,
      pollIntervalSeconds: 10,
      groups: { page: ['staff'], acknowledge: ['sre'] },
      pageRateLimit: { max: 3, windowSeconds: 600 },
    };
    expect(
      ClientConfig.safeParse({
        ...base,
        fallbackContacts: [{ kind: 'phone', label: 'SRE hotline', href: 'tel:+15550100' }],
      }).success,
    ).toBe(true);
    expect(
      ClientConfig.safeParse({ ...base, fallbackContacts: [{ kind: 'chat', label: 'x', href: 'javascript:alert(1)' }] })
        .success,
    ).toBe(false);
  });
});
