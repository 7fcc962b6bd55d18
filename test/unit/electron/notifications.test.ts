import { describe, expect, it } from 'vitest';
import type { Me, Settings, UnsentPage } from '#common/index.js';
import {
  NotificationPolicy,
  unsentRefusedNotifications,
  wantsNewIncidentNotifications,
} from '#electron/notifications.js';
import { incident, me, page } from '#test/support/builders.js';

function policy(
  settings: Partial<Pick<Settings, 'notifyNewIncidents' | 'notifyOwnPages'>> = {},
  who: Me | null = me(),
) {
  return new NotificationPolicy({
    settings: () => ({ notifyNewIncidents: null, notifyOwnPages: true, ...settings }),
    me: () => who,
  });
}

describe('new incident notifications', () => {
  it('notifies once for a new unacknowledged incident', () => {
    const p = policy();
    p.onSnapshot([], []);
    const n = p.onIncident('opened', incident({ number: '7', title: 'Checkout down' }));
    expect(n).toEqual({
      title: 'New incident #7, not acknowledged',
      body: 'Checkout down (SRE): paging carol.',
      incidentNumber: '7',
    });
    expect(p.onIncident('updated', incident({ number: '7', alertCount: 2 }))).toBeNull();
  });
  it('tells a PagerDuty incident from an On-Call one with the same number, and opens it by its key', () => {
    const p = policy();
    p.onSnapshot([incident({ number: '7' })], []);
    expect(p.onIncident('opened', incident({ number: '7', backend: 'pagerduty', title: 'Queue stuck' }))).toEqual({
      title: 'New incident #7, not acknowledged',
      body: 'Queue stuck (SRE): paging carol.',
      incidentNumber: 'pagerduty:7',
    });
  });
  it('stays quiet about incidents already in the first snapshot (start or reconnect)', () => {
    const p = policy();
    p.onSnapshot([incident({ number: '8' })], []);
    expect(p.onIncident('updated', incident({ number: '8' }))).toBeNull();
    p.onSnapshot([incident({ number: '9' })], []); // reconnect: 9 appeared while offline
    expect(p.onIncident('updated', incident({ number: '9' }))).toBeNull();
  });
  it('does not notify for incidents that arrive already acknowledged, or removals', () => {
    const p = policy();
    expect(p.onIncident('opened', incident({ number: '10', phase: 'ACKED' }))).toBeNull();
    expect(p.onIncident('removed', incident({ number: '11' }))).toBeNull();
  });
  it('default (null) is on for SRE (may acknowledge) and off for other staff; explicit settings win', () => {
    expect(wantsNewIncidentNotifications({ notifyNewIncidents: null }, me())).toBe(true);
    expect(wantsNewIncidentNotifications({ notifyNewIncidents: null }, me({ acknowledge: false }))).toBe(false);
    expect(wantsNewIncidentNotifications({ notifyNewIncidents: true }, me({ acknowledge: false }))).toBe(true);
    expect(wantsNewIncidentNotifications({ notifyNewIncidents: false }, me())).toBe(false);
    expect(policy({}, me({ acknowledge: false })).onIncident('opened', incident())).toBeNull();
    expect(policy({ notifyNewIncidents: false }).onIncident('opened', incident())).toBeNull();
  });
});

describe('own page notifications', () => {
  it('tells the requester when the page is delivered and when someone acknowledges it', () => {
    const p = policy();
    p.onSnapshot([], [page()]);
    expect(p.onPage(page({ status: 'delivering' }))).toBeNull();
    expect(p.onPage(page({ status: 'delivered', incidentNumber: '12' }))).toMatchObject({
      title: 'Your page reached On-Call',
      incidentNumber: '12',
    });
    expect(p.onPage(page({ status: 'delivered', incidentNumber: '12' }))).toBeNull(); // same status again
    expect(p.onPage(page({ status: 'acknowledged', incidentNumber: '12', ackedBy: 'carol' }))).toMatchObject({
      title: 'carol acknowledged your page',
    });
  });
  it('names PagerDuty for a page to a PagerDuty target', () => {
    const p = policy();
    p.onSnapshot([], [page({ backend: 'pagerduty' })]);
    expect(p.onPage(page({ backend: 'pagerduty', status: 'delivered', incidentNumber: '3' }))).toMatchObject({
      title: 'Your page reached PagerDuty',
      incidentNumber: 'pagerduty:3',
    });
    expect(
      p.onPage(
        page({ backend: 'pagerduty', status: 'delivered', incidentNumber: null, mutedAt: '2026-11-22T12:01:00Z' }),
      ),
    ).toMatchObject({ title: 'Your page woke nobody: PagerDuty is in maintenance mode' });
  });
  it('names who acknowledged as people read it: the person behind an acknowledgement made in Klaxon', () => {
    const p = policy();
    p.onSnapshot([], [page()]);
    expect(
      p.onPage(
        page({
          status: 'acknowledged',
          incidentNumber: '12',
          ackedBy: 'klaxon',
          ackedByName: 'Alice Andersen (via Klaxon)',
        }),
      ),
    ).toMatchObject({ title: 'Alice Andersen (via Klaxon) acknowledged your page' });
  });
  it('warns when delivery is failing, and says when Klaxon gave up', () => {
    const p = policy();
    expect(p.onPage(page({ status: 'failing', lastError: 'On-Call is not answering' }))?.body).toMatch(
      /On-Call is not answering\. Klaxon keeps retrying/,
    );
    expect(p.onPage(page({ status: 'queued' }))).toBeNull();
    expect(p.onPage(page({ status: 'failing', lastError: 'x', gaveUpAt: '2026-11-22T12:30:00.000Z' }))?.body).toMatch(
      /stopped retrying; call SRE directly/,
    );
  });
  it('says when a delivered page wakes nobody (maintenance mode) or has no incident, and when that passes', () => {
    const p = policy();
    p.onSnapshot([], [page({ status: 'delivered' })]);
    expect(p.onPage(page({ status: 'delivered', unconfirmedAt: '2026-11-22T12:02:00.000Z' }))).toMatchObject({
      title: 'On-Call shows no incident for your page',
      body: expect.stringMatching(/may have been rewritten or dropped\. If it is urgent, call SRE directly\.$/),
    });
    expect(p.onPage(page({ status: 'delivered', incidentNumber: '12', unconfirmedAt: null }))).toMatchObject({
      title: 'Your page reached On-Call',
    });
    expect(p.onPage(page({ status: 'delivered', incidentNumber: '12', mutedAt: '2026-11-22T12:03:00.000Z' }))).toEqual({
      incidentNumber: '12',
      title: 'Your page woke nobody: On-Call is in maintenance mode',
      body: '"Checkout is down" reached On-Call as incident #12, but On-Call pages nobody until maintenance mode ends. Call SRE directly.',
    });
  });
  it("ignores other people's pages and respects the opt-out", () => {
    expect(
      policy().onPage(page({ status: 'delivered', requester: { sub: 'bob', name: 'Bob Brown', email: null } })),
    ).toBeNull();
    expect(policy({ notifyOwnPages: false }).onPage(page({ status: 'delivered' }))).toBeNull();
  });
});

describe('kept pages the server refused', () => {
  const kept: UnsentPage = {
    request: { summary: 'Payroll export stuck', details: '', idempotencyKey: 'klx-0123456789abcdef' },
    requesterSub: 'alice',
    targetLabel: 'SRE on call',
    firstTriedAt: '2026-11-22T12:00:00.000Z',
    attempts: 2,
    lastError: 'x',
    nextAttemptAt: '2026-11-22T12:00:08.000Z',
    refusal: null,
  };
  const refused = {
    ...kept,
    nextAttemptAt: null,
    refusal: { code: 'forbidden' as const, message: 'You may not page SRE.' },
  };

  it('says once that Klaxon stopped trying, and why', () => {
    expect(unsentRefusedNotifications([kept], [refused], { notifyOwnPages: true })).toEqual([
      {
        title: 'Your page was NOT sent',
        body: '"Payroll export stuck": You may not page SRE. Klaxon has stopped trying; if it is urgent, call SRE directly.',
      },
    ]);
    expect(unsentRefusedNotifications([refused], [refused], { notifyOwnPages: true })).toEqual([]);
    expect(unsentRefusedNotifications([kept], [kept], { notifyOwnPages: true })).toEqual([]);
    expect(unsentRefusedNotifications([kept], [refused], { notifyOwnPages: false })).toEqual([]);
  });
});
