import { describe, expect, it } from 'vitest';
import type { IncidentEscalation } from '#common/index.js';
import { escalateNowView, escalationNote } from '#renderer/model/escalation.js';
import { T0, incident, iso, page } from '#test/support/renderer-fixtures.js';

const escalation = (over: Partial<IncidentEscalation> = {}): IncidentEscalation => ({
  to: 'SRE Batphone',
  at: '2026-11-22T03:12:00Z',
  reason: 'nobody_paged',
  requestedBy: null,
  afterMinutes: null,
  ...over,
});

describe('escalationNote', () => {
  it('says where to, when, and why', () => {
    expect(escalationNote(escalation(), 'UTC')).toBe(
      'Klaxon escalated this to SRE Batphone at 03:12: nobody was being paged.',
    );
    expect(escalationNote(escalation({ reason: 'page_unacknowledged', afterMinutes: 10 }), 'UTC')).toBe(
      'Klaxon escalated this to SRE Batphone at 03:12: the page was not acknowledged within 10 minutes.',
    );
    expect(escalationNote(escalation({ reason: 'requested', requestedBy: 'Alice Andersen' }), 'UTC')).toBe(
      'Klaxon escalated this to SRE Batphone at 03:12: Alice Andersen asked for it.',
    );
  });
});

describe('escalateNowView', () => {
  const offer = { policyName: 'SRE Batphone', manualAfterMinutes: 5 };
  const delivered = (minutesAgo: number, over = {}) =>
    page({ status: 'delivered', incidentNumber: '1044', deliveredAt: iso(-minutesAgo * 60_000), ...over });
  const view = (p = delivered(6), over = {}) =>
    escalateNowView({ page: p, offer, incident: incident({ number: '1044' }), escalated: null, now: T0, ...over });

  it('offers the button, disabled until the wait is over, saying when', () => {
    expect(view(delivered(2))).toEqual({
      kind: 'wait',
      label: 'Escalate now to SRE Batphone',
      hint: 'Nobody has acknowledged yet. If nobody does, you can escalate to SRE Batphone in 3 minutes.',
    });
    expect(view(delivered(4.5)).kind === 'wait' && view(delivered(4.5))).toMatchObject({ hint: /in a minute\.$/ });
  });

  it('once the wait is over: enabled, with a confirmation that says what it does', () => {
    expect(view()).toEqual({
      kind: 'ready',
      label: 'Escalate now to SRE Batphone',
      hint: 'Nobody has acknowledged your page for 5 minutes.',
      confirm:
        'Page SRE Batphone too? More people will be woken for incident #1044. Klaxon escalates an incident only once.',
    });
  });

  it('shows the note once escalated, by this person or by Klaxon', () => {
    expect(view(delivered(6), { escalated: escalation({ reason: 'requested', requestedBy: 'Alice' }) })).toMatchObject({
      kind: 'done',
      note: expect.stringMatching(/^Klaxon escalated this to SRE Batphone at \d\d:\d\d: Alice asked for it\.$/),
    });
    expect(view(delivered(1), { incident: incident({ number: '1044', escalation: escalation() }) }).kind).toBe('done');
  });

  it('hidden when not offered, not delivered yet, acknowledged, or without an incident', () => {
    expect(view(delivered(6), { offer: null }).kind).toBe('hidden');
    expect(view(delivered(6), { offer: undefined }).kind).toBe('hidden');
    expect(view(delivered(6, { status: 'acknowledged' })).kind).toBe('hidden');
    expect(view(delivered(6, { incidentNumber: null })).kind).toBe('hidden');
    expect(view(page({ status: 'queued' })).kind).toBe('hidden');
    expect(view(delivered(6), { incident: incident({ number: '1044', phase: 'ACKED' }) }).kind).toBe('hidden');
  });
});
