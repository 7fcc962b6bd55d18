import { describe, expect, it } from 'vitest';
import type { Incident, Page } from '#common/index.js';
import { pagePatchFor } from '#server/pages/page-tracker.js';

const page: Page = {
  id: '4f6c1d7e-1b0e-4c59-9d8c-6d9f0c2a9b11',
  requester: { sub: 'alice', name: 'Alice Andersen', email: 'alice@klaxon.test' },
  summary: 'API 5xx spike',
  details: 'Error rate at 12%.',
  target: { id: 'sre', label: 'SRE on call' },
  client: 'desktop',
  status: 'delivered',
  attempts: 1,
  lastError: null,
  nextAttemptAt: null,
  gaveUpAt: null,
  incidentNumber: null,
  ackedBy: null,
  ackedAt: null,
  createdAt: '2026-11-22T12:00:00.000Z',
  updatedAt: '2026-11-22T12:00:00.000Z',
  deliveredAt: '2026-11-22T12:00:01.000Z',
};
const incident: Incident = {
  number: '42',
  title: 'Manual page by Alice Andersen: API 5xx spike',
  phase: 'UNACKED',
  startedAt: '2026-11-22T12:00:02Z',
  lastAlertAt: null,
  teams: [],
  pagedUsers: ['carol'],
  routingKey: 'sre',
  entityId: 'klaxon/4f6c1d7e-1b0e-4c59-9d8c-6d9f0c2a9b11',
  alertCount: 1,
  link: null,
  ackedBy: null,
  ackedAt: null,
  resolvedBy: null,
  resolvedAt: null,
};

describe('a page follows its incident', () => {
  it('takes the incident number, then who acknowledged, then resolved', () => {
    expect(pagePatchFor(page, incident)).toEqual({ incidentNumber: '42' });
    const withNumber = { ...page, incidentNumber: '42' };
    expect(pagePatchFor(withNumber, incident)).toBeNull();
    const acked = pagePatchFor(withNumber, {
      ...incident,
      phase: 'ACKED',
      ackedBy: 'carol',
      ackedAt: '2026-11-22T12:03:00Z',
    });
    expect(acked).toMatchObject({ status: 'acknowledged', ackedBy: 'carol' });
    expect(acked!.ackedAt!.toISOString()).toBe('2026-11-22T12:03:00.000Z');
    expect(
      pagePatchFor(
        { ...withNumber, status: 'acknowledged', ackedBy: 'carol' },
        { ...incident, phase: 'RESOLVED', ackedBy: 'carol' },
      ),
    ).toEqual({ status: 'resolved' });
  });

  it('takes who acknowledged as people read it, also when the name becomes known after the acknowledgement', () => {
    const withNumber = { ...page, incidentNumber: '42' };
    const ackedIncident = { ...incident, phase: 'ACKED' as const, ackedBy: 'klaxon', ackedAt: '2026-11-22T12:03:00Z' };
    expect(pagePatchFor(withNumber, ackedIncident)).not.toHaveProperty('ackedByName');
    const named = { ...ackedIncident, ackedByName: 'Alice Andersen (via Klaxon)' };
    expect(pagePatchFor(withNumber, named)).toMatchObject({
      status: 'acknowledged',
      ackedBy: 'klaxon',
      ackedByName: 'Alice Andersen (via Klaxon)',
    });
    // Acknowledged before the name was known (a webhook was faster than Klaxon's own record): it follows.
    const acked = { ...withNumber, status: 'acknowledged' as const, ackedBy: 'klaxon' };
    expect(pagePatchFor(acked, named)).toEqual({ ackedByName: 'Alice Andersen (via Klaxon)' });
    expect(pagePatchFor({ ...acked, ackedByName: 'Alice Andersen (via Klaxon)' }, named)).toBeNull();
    // A name for someone else's acknowledgement is not taken.
    expect(pagePatchFor({ ...acked, ackedBy: 'carol' }, named)).toBeNull();
  });

  it('counts an existing incident as delivery, even for a page that was still failing or had given up', () => {
    const patch = pagePatchFor(
      { ...page, status: 'failing', deliveredAt: null, lastError: 'HTTP 503', gaveUpAt: '2026-11-22T12:30:00.000Z' },
      incident,
    );
    expect(patch).toMatchObject({
      status: 'delivered',
      lastError: null,
      nextAttemptAt: null,
      gaveUpAt: null,
      incidentNumber: '42',
    });
    expect(patch!.deliveredAt).toBeInstanceOf(Date);
  });
});
