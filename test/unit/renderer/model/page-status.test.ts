import { describe, expect, it } from 'vitest';
import {
  describePageStatus,
  followNote,
  pageSteps,
  pageToFollow,
  STEP_STATE_WORDS,
} from '#renderer/model/page-status.js';
import { fallbackContactDetail } from '#renderer/model/fallback-contacts.js';
import { T0, iso, page } from '#test/support/renderer-fixtures.js';

describe('page status wording', () => {
  it('walks queued → delivered → incident → acknowledged', () => {
    expect(describePageStatus(page(), T0).headline).toMatch(/^Queued/);
    expect(describePageStatus(page({ status: 'delivered', deliveredAt: iso(0) }), T0).headline).toBe(
      'Delivered to On-Call. Waiting for the incident number…',
    );
    expect(
      describePageStatus(page({ status: 'delivered', deliveredAt: iso(0), incidentNumber: '42' }), T0).headline,
    ).toBe('Delivered: incident #42 is open and On-Call is paging.');
    const acked = describePageStatus(
      page({ status: 'acknowledged', incidentNumber: '42', ackedBy: 'carol', ackedAt: '2026-11-22T12:03:00Z' }),
      T0,
      'UTC',
    );
    expect(acked.headline).toBe('Acknowledged by carol at 12:03.');
    expect(acked.settled).toBe(true);
  });

  it('a queued page waiting for its turn in the rate limit says so, with no error', () => {
    const waiting = describePageStatus(page({ backend: 'pagerduty', nextAttemptAt: iso(3000) }), T0);
    expect(waiting).toMatchObject({
      headline: 'Queued: Klaxon is sending your page to PagerDuty.',
      detail: 'PagerDuty takes only a few pages a second; yours goes out in its turn.',
      countdown: 'Next attempt in 3 s.',
      notReached: false,
      tone: 'progress',
    });
    // Just accepted (due when accepted), even on a machine whose clock runs behind: nothing to wait for.
    const fresh = page({ createdAt: iso(2000), nextAttemptAt: iso(2000) });
    expect(describePageStatus(fresh, T0)).toMatchObject({ detail: null, countdown: null });
  });

  it('names who acknowledged as people read it: "Alice Andersen (via Klaxon)", "Carol Okafor"', () => {
    const viaKlaxon = page({
      status: 'acknowledged',
      incidentNumber: '42',
      ackedBy: 'klaxon',
      ackedByName: 'Alice Andersen (via Klaxon)',
      ackedAt: '2026-11-22T12:03:00Z',
    });
    expect(describePageStatus(viaKlaxon, T0, 'UTC').headline).toBe(
      'Acknowledged by Alice Andersen (via Klaxon) at 12:03.',
    );
    expect(pageSteps(viaKlaxon)[3]!.label).toBe('Acknowledged by Alice Andersen (via Klaxon)');
    expect(
      describePageStatus(
        page({ status: 'resolved', incidentNumber: '42', ackedBy: 'carol', ackedByName: 'Carol Okafor' }),
        T0,
      ).detail,
    ).toBe('Acknowledged by Carol Okafor.');
  });

  it('says plainly that a failing page has NOT reached On-Call and offers fallbacks', () => {
    const t = describePageStatus(
      page({
        status: 'failing',
        attempts: 3,
        lastError: 'On-Call answered 503.',
        nextAttemptAt: iso(8000),
      }),
      T0,
      'UTC',
    );
    expect(t.headline).toBe('Your page has NOT reached On-Call yet. Klaxon keeps retrying…');
    expect(t.detail).toContain('On-Call answered 503.');
    expect(t.countdown).toBe('Next attempt in 8 s.');
    expect(t.notReached).toBe(true);
    expect(t.tone).toBe('bad');
    // An attempt that ended with no answer recorded (the server stopped mid-send): unknown, not refused.
    const unanswered = describePageStatus(
      page({ status: 'failing', backend: 'pagerduty', attempts: 1, lastError: null, nextAttemptAt: iso(8000) }),
      T0,
    );
    expect(unanswered.detail).toBe(
      'Klaxon could not confirm that PagerDuty received it. If this is urgent, use a contact below now.',
    );
  });

  it('counts down to the next delivery attempt instead of naming a clock time', () => {
    const failing = page({ status: 'failing', lastError: 'On-Call answered 503.', nextAttemptAt: iso(8_400) });
    expect(describePageStatus(failing, T0).countdown).toBe('Next attempt in 9 s.');
    expect(describePageStatus(failing, T0 + 1_400).countdown).toBe('Next attempt in 7 s.');
    expect(describePageStatus(failing, T0 + 9_000).countdown).toBe('Trying again now…');
    expect(describePageStatus({ ...failing, nextAttemptAt: iso(254_000) }, T0).countdown).toBe(
      'Next attempt in about 4 minutes.',
    );
    expect(describePageStatus(failing, T0).detail).not.toMatch(/\d\d:\d\d/);
    expect(describePageStatus(page(), T0).countdown).toBeNull();
  });

  it('tells the user when Klaxon has given up', () => {
    const t = describePageStatus(page({ status: 'failing', gaveUpAt: iso(0) }), T0);
    expect(t.headline).toMatch(/stopped retrying/);
    expect(t.notReached).toBe(true);
  });

  it('marks the step the page is at', () => {
    const states = (p: Parameters<typeof pageSteps>[0]) => pageSteps(p).map((s) => `${s.key}:${s.state}`);
    expect(states(page())).toEqual(['queued:done', 'delivered:current', 'incident:pending', 'acknowledged:pending']);
    expect(states(page({ status: 'failing' }))).toEqual([
      'queued:done',
      'delivered:failed',
      'incident:pending',
      'acknowledged:pending',
    ]);
    expect(states(page({ status: 'delivered', deliveredAt: iso(0), incidentNumber: '7' }))).toEqual([
      'queued:done',
      'delivered:done',
      'incident:done',
      'acknowledged:current',
    ]);
    expect(
      pageSteps(page({ status: 'acknowledged', deliveredAt: iso(0), incidentNumber: '7', ackedBy: 'dmitri' }))[3]
        ?.label,
    ).toBe('Acknowledged by dmitri');
  });
});

describe('following pages', () => {
  it('says what closing the dialog means, and stops promising an acknowledgement once there is one', () => {
    expect(followNote(page({ status: 'delivered', incidentNumber: '7' }))).toBe(
      'You can close this: your page is tracked on the home screen until someone acknowledges it.',
    );
    const acked = followNote(page({ status: 'acknowledged', ackedBy: 'carol' }));
    expect(acked).toBe(
      'carol acknowledged it: SRE is on it. You can close this; your page stays under "My recent pages".',
    );
    expect(acked).not.toMatch(/until someone acknowledges/);
    expect(followNote(page({ status: 'resolved' }))).not.toMatch(/until someone acknowledges/);
  });

  it('follows the newest unsettled page, or one settled in the last 15 minutes', () => {
    const older = page({ id: '00000000-0000-4000-8000-000000000001', createdAt: iso(-600_000), status: 'failing' });
    const newer = page({
      id: '00000000-0000-4000-8000-000000000002',
      createdAt: iso(-60_000),
      status: 'acknowledged',
      updatedAt: iso(-30_000),
    });
    expect(pageToFollow([older, newer], T0)?.id).toBe(newer.id);
    expect(pageToFollow([newer], T0 + 20 * 60_000)).toBeNull();
    expect(pageToFollow([], T0)).toBeNull();
  });

  it('keeps following an older page that is still failing when the newest was settled long ago', () => {
    const failing = page({
      id: '00000000-0000-4000-8000-000000000001',
      status: 'failing',
      lastError: 'On-Call answered 503.',
      createdAt: iso(-60 * 60_000),
      updatedAt: iso(-10_000),
    });
    const ackedLongAgo = page({
      id: '00000000-0000-4000-8000-000000000002',
      status: 'acknowledged',
      ackedBy: 'carol',
      createdAt: iso(-50 * 60_000),
      updatedAt: iso(-40 * 60_000),
    });
    const follow = pageToFollow([ackedLongAgo, failing], T0);
    expect(follow?.id).toBe(failing.id);
    expect(describePageStatus(follow!, T0).notReached).toBe(true);
  });
});

describe('fallback contacts and progress steps, in words', () => {
  it('gives the number to dial for a phone, else the kind of contact', () => {
    expect(fallbackContactDetail({ kind: 'phone', href: 'tel:+15550100' })).toBe('+1 555 0100');
    expect(fallbackContactDetail({ kind: 'chat', href: 'https://chat.example.org/sre' })).toBe('chat');
  });
  it('says what each step icon means', () => {
    expect(pageSteps(page({ status: 'failing' })).map((s) => STEP_STATE_WORDS[s.state])).toEqual([
      ' (done)',
      ' (failing)',
      ' (not yet)',
      ' (not yet)',
    ]);
  });
});

describe('a page to PagerDuty', () => {
  it('names PagerDuty where it names the service, for every step', () => {
    const pd = { backend: 'pagerduty' as const };
    expect(describePageStatus(page({ ...pd }), T0).headline).toBe('Queued: Klaxon is sending your page to PagerDuty.');
    expect(
      describePageStatus(page({ ...pd, status: 'failing', attempts: 2, nextAttemptAt: iso(8000) }), T0).headline,
    ).toBe('Your page has NOT reached PagerDuty yet. Klaxon keeps retrying…');
    const delivered = page({ ...pd, status: 'delivered', deliveredAt: iso(0), incidentNumber: '7' });
    expect(describePageStatus(delivered, T0).headline).toBe('Delivered: incident #7 is open and PagerDuty is paging.');
    expect(pageSteps(delivered)[1]!.label).toBe('Delivered to PagerDuty');
    expect(describePageStatus({ ...delivered, mutedAt: iso(1000) }, T0).headline).toBe(
      'PagerDuty is in maintenance mode: nobody was paged.',
    );
  });
});

describe('a page that reached On-Call and wakes nobody', () => {
  it('says maintenance mode: nobody was paged, with the fallback contacts, not "delivered"', () => {
    const muted = page({ status: 'delivered', deliveredAt: iso(0), incidentNumber: '42', mutedAt: iso(1000) });
    const t = describePageStatus(muted, T0);
    expect(t).toMatchObject({
      headline: 'On-Call is in maintenance mode: nobody was paged.',
      detail:
        'Incident #42 is open, but On-Call pages nobody for it until maintenance mode ends. Reach SRE another way now.',
      notReached: true,
      settled: false,
      tone: 'bad',
    });
    expect(pageSteps(muted).at(-1)).toEqual({
      key: 'acknowledged',
      label: 'Nobody paged (maintenance mode)',
      state: 'failed',
    });
  });

  it('says sent, but no incident, while its incident has not appeared in time; and moves on when it does', () => {
    const unconfirmed = page({ status: 'delivered', deliveredAt: iso(0), unconfirmedAt: iso(120_000) });
    const t = describePageStatus(unconfirmed, T0, 'UTC');
    expect(t.headline).toBe('Sent, but On-Call shows no incident for it: it may have been rewritten or dropped.');
    expect(t.detail).toBe(
      'Delivered at 12:00; Klaxon keeps looking for its incident. If this is urgent, reach SRE another way now.',
    );
    expect(t.notReached).toBe(true);
    expect(pageSteps(unconfirmed)[2]).toEqual({ key: 'incident', label: 'No incident in On-Call', state: 'failed' });
    const found = describePageStatus({ ...unconfirmed, unconfirmedAt: null, incidentNumber: '43' }, T0);
    expect(found.headline).toBe('Delivered: incident #43 is open and On-Call is paging.');
  });
});
