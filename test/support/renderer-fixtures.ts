import type { Incident, Page } from '#common/index.js';

export const T0 = Date.parse('2026-11-22T12:00:00.000Z');
export const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

export function incident(over: Partial<Incident> = {}): Incident {
  return {
    number: '101',
    title: 'Checkout latency above SLO',
    phase: 'UNACKED',
    startedAt: iso(-5 * 60_000),
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
  };
}

export function page(over: Partial<Page> = {}): Page {
  return {
    id: '6f1c2a9e-8d4b-4c1e-9a7f-2b3c4d5e6f70',
    requester: { sub: 'alice', name: 'Alice Andersen', email: 'alice@klaxon.test' },
    summary: 'Login broken for everyone',
    details: '',
    target: { id: 'sre', label: 'SRE on call' },
    client: 'web',
    status: 'queued',
    attempts: 0,
    lastError: null,
    nextAttemptAt: null,
    gaveUpAt: null,
    incidentNumber: null,
    ackedBy: null,
    ackedAt: null,
    createdAt: iso(-60_000),
    updatedAt: iso(-60_000),
    deliveredAt: null,
    ...over,
  };
}
