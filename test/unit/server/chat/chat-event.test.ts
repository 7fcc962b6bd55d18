// What an announcement says: who, the summary, the target, the incident; details only when
// configured; one line whatever people typed.
import { describe, expect, it } from 'vitest';
import * as build from '#test/support/builders.js';
import { chatEventKey, chatEventText, type ChatEvent } from '#server/chat/chat-event.js';

const page = build.page({
  id: '11111111-2222-4333-8444-555555555555',
  requester: { sub: 'bob', name: 'Bob Brown', email: 'bob@example.org' },
  summary: 'VPN down\nfor everyone',
  details: 'password is hunter2',
  target: { id: 'platform', label: 'Platform on call' },
  status: 'acknowledged',
  incidentNumber: '812',
  ackedBy: 'dmitri',
  ackedAt: '2026-03-01T10:05:00.000Z',
});
const opts = { includeDetails: false, serverName: 'Klaxon' };

describe('chat announcements', () => {
  it('say who paged which target with the summary on one line, and no details unless configured', () => {
    expect(chatEventText({ kind: 'paged', page }, opts)).toBe(
      '[Klaxon] Bob Brown paged Platform on call: "VPN down for everyone".',
    );
    expect(chatEventText({ kind: 'paged', page }, { ...opts, includeDetails: true })).toBe(
      '[Klaxon] Bob Brown paged Platform on call: "VPN down for everyone". Details: password is hunter2',
    );
  });

  it('name the incident and who acknowledged it', () => {
    expect(chatEventText({ kind: 'incident', page }, opts)).toBe(
      '[Klaxon] Bob Brown\'s page to Platform on call is incident #812: "VPN down for everyone".',
    );
    expect(chatEventText({ kind: 'acknowledged', page }, opts)).toBe(
      '[Klaxon] Incident #812 (Bob Brown\'s page "VPN down for everyone") was acknowledged by dmitri.',
    );
  });

  it('say why an incident was escalated', () => {
    const base = { kind: 'escalated', incidentNumber: '900', to: 'SRE Batphone', page: null } as const;
    const said = (e: Omit<Extract<ChatEvent, { kind: 'escalated' }>, keyof typeof base>) =>
      chatEventText({ ...base, ...e }, opts);
    expect(said({ cause: 'requested', requestedBy: 'Alice Andersen', afterMinutes: null })).toBe(
      '[Klaxon] Incident #900 was escalated to SRE Batphone: Alice Andersen asked to escalate.',
    );
    expect(said({ cause: 'nobody_paged', requestedBy: null, afterMinutes: null })).toBe(
      '[Klaxon] Incident #900 was escalated to SRE Batphone: nobody was being paged for it.',
    );
    expect(chatEventKey({ ...base, cause: 'nobody_paged', requestedBy: null, afterMinutes: null })).toBe(
      'incident:900:escalated',
    );
    // PagerDuty's #900 is another incident than On-Call's: named, and queued under its own key.
    const pd = {
      ...base,
      incidentNumber: 'pagerduty:900',
      cause: 'nobody_paged',
      requestedBy: null,
      afterMinutes: null,
    } as const;
    expect(chatEventText(pd, opts)).toBe(
      '[Klaxon] PagerDuty incident #900 was escalated to SRE Batphone: nobody was being paged for it.',
    );
    expect(chatEventKey(pd)).toBe('incident:pagerduty:900:escalated');
  });

  it('strip control characters (IRC colours among them) and bound long text', () => {
    const loud = { ...page, summary: `\u0003${'4'}RED\u0002 ${'x'.repeat(400)}` };
    const text = chatEventText({ kind: 'paged', page: loud }, opts);
    expect(text).not.toMatch(/[\u0000-\u001f]/);
    expect(text.length).toBeLessThan(260);
    expect(text).toContain('…');
  });
});
