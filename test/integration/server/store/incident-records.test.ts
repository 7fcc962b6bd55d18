// What the store keeps about incidents Klaxon acted on, on both stores (SQLite and PostgreSQL, part of
// the shared store suite): acknowledgements made in Klaxon, one escalation per incident across two
// stores on one database (two replicas, a restart), audit entries in the same transaction.
// (A SQLite file from before these tables and columns: test/integration/server/store/migrations/.)
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, EscalationRecord, KlaxonStore } from '#server/store/store.js';
import { postgresKind, sqliteKind, type StoreDatabase } from '#test/support/store-harness.js';

const audit = (action: string): AuditEntry => ({
  at: new Date(),
  actorSub: null,
  actorName: null,
  action,
  pageId: null,
  detail: {},
});
const claim = (over: Partial<EscalationRecord> = {}): EscalationRecord => ({
  incidentNumber: '1043',
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
  createdAt: new Date('2026-11-22T03:12:00Z'),
  updatedAt: new Date('2026-11-22T03:12:00Z'),
  ...over,
});

describe.each([sqliteKind(), postgresKind()])('incident records ($name store)', (kind) => {
  let db: StoreDatabase;
  afterAll(() => kind.tearDown());
  beforeEach(async () => {
    db = await kind.database();
  });
  afterEach(() => db?.close());
  const store = (): Promise<KlaxonStore> => db.open();
  const actions = async () =>
    (await db.rows<{ action: string }>('SELECT action FROM audit_log ORDER BY id')).map((r) => r.action);

  it('keeps acknowledgements made in Klaxon, with their audit entry', async () => {
    const s = await store();
    const at = new Date('2026-11-22T03:10:00Z');
    await s.recordAcknowledgement(
      { incidentNumber: '1042', personSub: 'alice', personName: 'Alice Andersen', sentAs: 'klaxon', at },
      audit('incident.acknowledge'),
    );
    expect(await s.acknowledgementsSince(new Date('2026-11-22T03:00:00Z'))).toEqual([
      { incidentNumber: '1042', personSub: 'alice', personName: 'Alice Andersen', sentAs: 'klaxon', at },
    ]);
    expect(await s.acknowledgementsSince(new Date('2026-11-22T03:11:00Z'))).toEqual([]);
    expect(await actions()).toEqual(['incident.acknowledge']);
  });

  it('one escalation per incident, ever: a second claim (another handle on the file) is refused, without audit', async () => {
    const a = await store();
    const b = await store();
    expect(await a.claimEscalation(claim(), audit('escalation.claimed'))).toBe(true);
    expect(await b.claimEscalation(claim({ reason: 'requested' }), audit('escalation.claimed'))).toBe(false);
    const settled = await b.settleEscalation(
      '1043',
      { status: 'done', message: null, at: new Date('2026-11-22T03:12:01Z') },
      audit('escalation.done'),
    );
    expect(settled).toMatchObject({
      reason: 'nobody_paged',
      status: 'done',
      updatedAt: new Date('2026-11-22T03:12:01Z'),
    });
    expect(await b.settleEscalation('9999', { status: 'done', message: null, at: new Date() }, audit('x'))).toBeNull();
    // Released only while still `sending`: a done escalation stays.
    await a.releaseEscalation('1043', audit('escalation.released'));
    expect(await a.claimEscalation(claim(), audit('escalation.claimed'))).toBe(false);
    expect(await actions()).toEqual(['escalation.claimed', 'escalation.done', 'escalation.released']);
    await a.close();
    expect(await (await store()).escalationsSince(new Date(0))).toEqual([
      { ...claim(), status: 'done', updatedAt: settled!.updatedAt },
    ]);
  });

  it('a release frees a claim whose request never went out', async () => {
    const s = await store();
    await s.claimEscalation(claim(), audit('escalation.claimed'));
    await s.releaseEscalation('1043', audit('escalation.released'));
    expect(await s.escalationsSince(new Date(0))).toEqual([]);
    expect(await s.claimEscalation(claim(), audit('escalation.claimed'))).toBe(true);
  });

  it('claims an escalation once when two servers ask at the same moment', async () => {
    const servers = [await store(), await store(), await store()];
    const won = await Promise.all(
      servers.map((s, i) =>
        s.claimEscalation(claim({ incidentNumber: '2001', pageId: `p${i}` }), audit('escalation.claimed')),
      ),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await actions()).toEqual(['escalation.claimed']);
  });

  it('writes one audit entry on its own', async () => {
    const s = await store();
    await s.appendAudit(audit('escalation.dry_run'));
    expect(await actions()).toEqual(['escalation.dry_run']);
  });
});
