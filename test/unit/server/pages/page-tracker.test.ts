import { describe, expect, it } from 'vitest';
import type { Incident, Page } from '#common/index.js';
import { pagePatchFor } from '#server/pages/page-tracker.js';
import * as build from '#test/support/builders.js';

const page: Page = build.page({
  id: '4f6c1d7e-1b0e-4c59-9d8c-6d9f0c2a9b11',
  summary: 'API 5xx spike',
  details: 'Error rate at 12%.',
  status: 'delivered',
  attempts: 1,
  deliveredAt: '2026-11-22T12:00:01.000Z',
});
const incident: Incident = build.incident({
  number: '42',
  title: 'Manual page by Alice Andersen: API 5xx spike',
  startedAt: '2026-11-22T12:00:02Z',
  teams: [],
  entityId: 'klaxon/4f6c1d7e-1b0e-4c59-9d8c-6d9f0c2a9b11',
});

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

describe('a page whose incident pages nobody because paging is muted (maintenance mode)', () => {
  const now = new Date('2026-11-22T12:00:05Z');
  const unpaged: Incident = { ...incident, pagedUsers: [] };

  it('is marked when its open incident pages nobody while its routing key is muted', () => {
    expect(pagePatchFor(page, unpaged, true, now)).toEqual({ incidentNumber: '42', mutedAt: now });
  });

  it('is not marked when Klaxon does not know, when it is not muted, or when someone is paged', () => {
    expect(pagePatchFor(page, unpaged, null, now)).toEqual({ incidentNumber: '42' });
    expect(pagePatchFor(page, unpaged, false, now)).toEqual({ incidentNumber: '42' });
    expect(pagePatchFor(page, incident, true, now)).toEqual({ incidentNumber: '42' });
  });

  it('loses the mark once someone is paged, acknowledges, or maintenance ends', () => {
    const muted = { ...page, incidentNumber: '42', mutedAt: '2026-11-22T12:00:04.000Z' };
    expect(pagePatchFor(muted, unpaged, true, now)).toBeNull();
    expect(pagePatchFor(muted, incident, true, now)).toEqual({ mutedAt: null });
    expect(pagePatchFor(muted, unpaged, false, now)).toEqual({ mutedAt: null });
    expect(pagePatchFor(muted, { ...unpaged, phase: 'ACKED', ackedBy: 'carol' }, true, now)).toMatchObject({
      status: 'acknowledged',
      mutedAt: null,
    });
  });
});

describe('an unconfirmed page (its incident did not appear in time)', () => {
  it('moves on normally when the incident appears after all', () => {
    const late = { ...page, unconfirmedAt: '2026-11-22T12:02:01.000Z' };
    expect(pagePatchFor(late, incident)).toEqual({ incidentNumber: '42', unconfirmedAt: null });
  });
});
