// Who acknowledged, as people read it: an acknowledgement made in Klaxon is credited to the person
// ("Alice Andersen (via Klaxon)") whichever service user sent it; others show display names.
import { describe, expect, it } from 'vitest';
import { IncidentPresenter } from '#server/live/incident-presenter.js';
import type { EscalationRecord, KlaxonAck } from '#server/store/store.js';
import { flush } from '#test/support/manual-clock.js';
import { T0, incident, iso } from '#test/support/renderer-fixtures.js';

const clock = { now: () => T0, setTimeout: () => 0, clearTimeout: () => undefined };

function presenter(opts: { acks?: KlaxonAck[]; escalations?: EscalationRecord[]; names?: Map<string, string> } = {}) {
  const names =
    opts.names ??
    new Map([
      ['carol', 'Carol Okafor'],
      ['klaxon', 'Klaxon service'],
    ]);
  return new IncidentPresenter({
    backend: { userDisplayNames: async () => names },
    store: {
      acknowledgementsSince: async () => opts.acks ?? [],
      escalationsSince: async () => opts.escalations ?? [],
    },
    clock,
  });
}

const ack = (over: Partial<KlaxonAck> = {}): KlaxonAck => ({
  incidentNumber: '101',
  personSub: 'alice',
  personName: 'Alice Andersen',
  sentAs: 'klaxon',
  at: new Date(T0 - 60_000),
  ...over,
});

const ackedAs = (by: string, atOffset = -60_000) =>
  incident({ phase: 'ACKED', ackedBy: by, ackedAt: iso(atOffset), pagedUsers: [] });

describe('IncidentPresenter', () => {
  it('credits an acknowledgement sent as the service user to the person who made it in Klaxon', async () => {
    const p = presenter({ acks: [ack()] });
    await p.load();
    await p.refreshNames();
    expect(p.present(ackedAs('klaxon'))).toMatchObject({
      ackedBy: 'klaxon',
      ackedByName: 'Alice Andersen (via Klaxon)',
    });
  });

  it('shows an acknowledgement recorded by another replica once a poll reads the records again, and only once', async () => {
    const acks: KlaxonAck[] = [];
    const p = presenter({ acks });
    await p.load();
    await p.refreshNames();
    expect(p.present(ackedAs('klaxon')).ackedByName).toBe('Klaxon service');
    // Another replica records Alice's acknowledgement; this presenter was not told.
    acks.push(ack());
    await p.refreshRecords();
    expect(p.present(ackedAs('klaxon')).ackedByName).toBe('Alice Andersen (via Klaxon)');
    await p.refreshRecords();
    await p.load();
    expect((p as unknown as { acks: Map<string, KlaxonAck[]> }).acks.get('101')).toHaveLength(1);
  });

  it("shows the service user's display name for acknowledgements made elsewhere, the username when unknown", async () => {
    const p = presenter();
    await p.refreshNames();
    expect(p.present(ackedAs('carol')).ackedByName).toBe('Carol Okafor');
    expect(p.present(ackedAs('SYSTEM')).ackedByName).toBeUndefined();
    expect(p.present(incident({ phase: 'RESOLVED', resolvedBy: 'carol' })).resolvedByName).toBe('Carol Okafor');
  });

  it('does not credit Klaxon when another user acknowledged, or the same user much later', async () => {
    const p = presenter({ acks: [ack({ sentAs: 'carol', personName: 'Carol Okafor' })] });
    await p.load();
    await p.refreshNames();
    expect(p.present(ackedAs('dmitri')).ackedByName).toBeUndefined();
    // Carol acknowledged in Klaxon an hour earlier; this acknowledgement is hers from the On-Call app.
    expect(p.present(ackedAs('carol', 3600_000)).ackedByName).toBe('Carol Okafor');
    expect(p.present(ackedAs('carol')).ackedByName).toBe('Carol Okafor (via Klaxon)');
  });

  it('of several acknowledgements sent as the service user, credits the one nearest in time', async () => {
    const p = presenter({
      acks: [
        ack({ personName: 'Bob Brown', at: new Date(T0 - 9 * 60_000) }),
        ack({ personName: 'Alice Andersen', at: new Date(T0 - 61_000) }),
      ],
    });
    await p.load();
    expect(p.present(ackedAs('klaxon')).ackedByName).toBe('Alice Andersen (via Klaxon)');
  });

  it("joins by incident key: a PagerDuty acknowledgement made in Klaxon is credited, never another service's #101", async () => {
    // PagerDuty names the acknowledger by display name; Klaxon sent it as an e-mail (pagerduty.fromEmail).
    const pdNames = new Map([
      ['klaxon@klaxon.test', 'Klaxon'],
      ['carol@klaxon.test', 'Carol Okafor'],
    ]);
    const p = presenter({
      names: pdNames,
      acks: [
        ack({ incidentNumber: 'pagerduty:101', sentAs: 'klaxon@klaxon.test' }),
        ack({ incidentNumber: 'pagerduty:102', sentAs: 'Carol@klaxon.test', personName: 'Carol Okafor' }),
      ],
    });
    await p.load();
    await p.refreshNames();
    const pdAcked = (number: string, by: string) => ({ ...ackedAs(by), number, backend: 'pagerduty' as const });
    expect(p.present(pdAcked('101', 'Klaxon')).ackedByName).toBe('Alice Andersen (via Klaxon)');
    expect(p.present(pdAcked('102', 'Carol Okafor')).ackedByName).toBe('Carol Okafor (via Klaxon)');
    // On-Call's #101 is another incident: PagerDuty's acknowledgement is not joined to it.
    expect(p.present(ackedAs('Klaxon')).ackedByName).toBeUndefined();
    // And On-Call's acknowledgement of its #101 is not joined to PagerDuty's #101.
    const q = presenter({ acks: [ack()] });
    await q.load();
    await q.refreshNames();
    expect(q.present(ackedAs('klaxon')).ackedByName).toBe('Alice Andersen (via Klaxon)');
    expect(q.present(pdAcked('101', 'klaxon')).ackedByName).toBe('Klaxon service');
  });

  it('answers the same object for an unchanged incident until something joined to it changes', async () => {
    const p = presenter();
    await p.refreshNames();
    const raw = ackedAs('klaxon');
    const first = p.present(raw);
    expect(p.present(raw)).toBe(first);
    let told = 0;
    p.onChange(() => told++);
    p.noteAck(ack());
    expect(told).toBe(1);
    expect(p.present(raw)).not.toBe(first);
    expect(p.present(raw).ackedByName).toBe('Alice Andersen (via Klaxon)');
    // An incident with nothing to join is passed through as it is.
    const plain = incident();
    expect(p.present(plain)).toBe(plain);
  });

  it('shows a done escalation on its incident, not one still being sent', async () => {
    const e: EscalationRecord = {
      incidentNumber: '101',
      reason: 'nobody_paged',
      policy: 'pol-srebatphone00003',
      policyName: 'SRE Batphone',
      asUser: 'escalator_sysuser',
      pageId: null,
      requesterSub: null,
      requesterName: null,
      afterMinutes: null,
      status: 'sending',
      message: null,
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
    };
    const p = presenter();
    p.noteEscalation(e);
    expect(p.present(incident()).escalation).toBeUndefined();
    p.noteEscalation({ ...e, status: 'done', updatedAt: new Date(T0 + 1000) });
    expect(p.present(incident()).escalation).toEqual({
      to: 'SRE Batphone',
      at: iso(1000),
      reason: 'nobody_paged',
      requestedBy: null,
      afterMinutes: null,
    });
  });

  it("shows an escalation only on the incident whose key it was recorded by, not PagerDuty's same number", () => {
    const p = presenter();
    p.noteEscalation({
      incidentNumber: '101',
      reason: 'nobody_paged',
      policy: 'pol-srebatphone00003',
      policyName: 'SRE Batphone',
      asUser: 'escalator_sysuser',
      pageId: null,
      requesterSub: null,
      requesterName: null,
      afterMinutes: null,
      status: 'done',
      message: null,
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
    });
    expect(p.present(incident()).escalation).toMatchObject({ to: 'SRE Batphone' });
    expect(p.present(incident({ backend: 'pagerduty' })).escalation).toBeUndefined();
    expect(p.escalationOf('101')).not.toBeNull();
    expect(p.escalationOf('pagerduty:101')).toBeNull();
  });

  it('takes new names in quietly: the next poll presents them (no burst of updates between polls)', async () => {
    const p = presenter();
    let told = 0;
    p.onChange(() => told++);
    const raw = ackedAs('carol');
    expect(p.present(raw).ackedByName).toBeUndefined();
    void p.refreshNames();
    await flush();
    expect(told).toBe(0);
    expect(p.present(raw).ackedByName).toBe('Carol Okafor');
  });
});
