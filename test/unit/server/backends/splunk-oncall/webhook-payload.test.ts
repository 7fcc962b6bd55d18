import { describe, expect, it } from 'vitest';
import { Incident } from '#common/index.js';
import { readWebhookPayload } from '#server/backends/splunk-oncall/webhook-payload.js';

const NOW = Date.parse('2026-11-22T03:12:00Z');
const read = (body: unknown, orgSlug: string | null = 'acme') => readWebhookPayload(body, { orgSlug, now: () => NOW });

/** The template of docs/server-config.md#webhook-payload as On-Call fills it in. */
const filled = {
  incident: '1044',
  phase: 'ACKED',
  alert_phase: 'ACKED',
  entity_id: 'klaxon/6f1c2a9e-8d4b-4c1e-9a7f-2b3c4d5e6f70',
  title: 'Manual page by Alice Andersen: login broken',
  ack_user: 'klaxon',
  alert_count: '2',
  routing_key: 'sre',
  team: 'team-sreKLX0000000001',
  started_at: '1795403400000',
  sequence: '428',
  ts: '1795403520000',
};

describe('readWebhookPayload', () => {
  it('reads the filled-in template into a provisional incident of the contract', () => {
    const u = read(filled)!;
    expect(u).toMatchObject({ number: '1044', phase: 'ACKED', sequence: 428, at: 1795403520000 });
    expect(Incident.parse(u.incident)).toEqual({
      number: '1044',
      title: 'Manual page by Alice Andersen: login broken',
      phase: 'ACKED',
      startedAt: new Date(1795403400000).toISOString(),
      lastAlertAt: null,
      teams: [{ slug: 'team-sreKLX0000000001', name: 'team-sreKLX0000000001' }],
      pagedUsers: [],
      routingKey: 'sre',
      entityId: 'klaxon/6f1c2a9e-8d4b-4c1e-9a7f-2b3c4d5e6f70',
      alertCount: 2,
      link: 'https://portal.victorops.com/client/acme/popoutIncident?incidentName=1044',
      ackedBy: 'klaxon',
      ackedAt: new Date(1795403520000).toISOString(),
      resolvedBy: null,
      resolvedAt: null,
      provisional: true,
    });
  });

  it('credits ack_user with the resolve of a RESOLVED incident', () => {
    expect(read({ ...filled, phase: 'RESOLVED' })!.incident).toMatchObject({
      ackedBy: null,
      resolvedBy: 'klaxon',
      resolvedAt: new Date(1795403520000).toISOString(),
    });
  });

  it('treats unfilled and empty variables as absent, and falls back to the alert phase', () => {
    const u = read({
      incident: '#1044',
      phase: '${{INCIDENT.CURRENT_PHASE}}',
      alert_phase: 'unacked',
      title: '',
      ack_user: '${{STATE.ACK_USER}}',
      team: '${{STATE.TEAMS_PAGED.0}}',
      sequence: '',
      ts: '',
    })!;
    expect(u).toMatchObject({ number: '1044', phase: 'UNACKED', sequence: null, at: null });
    expect(u.incident).toMatchObject({ title: 'Incident #1044', teams: [], startedAt: new Date(NOW).toISOString() });
  });

  it('carries no state without a number and a phase, or for anything but an object', () => {
    expect(read({ phase: 'ACKED' })).toBeNull();
    expect(read({ incident: '1044' })).toBeNull();
    expect(read({ incident: 'abc', phase: 'ACKED' })).toBeNull();
    expect(read({ incident: '1044', phase: 'SNOOZED' })).toBeNull();
    expect(read(null)).toBeNull();
    expect(read('incident=1044&phase=ACKED')).toBeNull();
  });

  it('needs no org slug (then no link)', () => {
    expect(read(filled, null)!.incident.link).toBeNull();
  });
});
