// What the store keeps about incidents Klaxon acted on, on a real SQLite file: acknowledgements made
// in Klaxon, one escalation per incident across two handles on one file (two replicas, a restart),
// audit entries in the same transaction, and a database from before these columns existed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '#server/store/sqlite-store.js';
import type { AuditEntry, EscalationRecord } from '#server/store/store.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';

let dir: string;
let file: string;
const open: SqliteStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'klaxon-records-'));
  file = path.join(dir, 'klaxon.db');
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const store = () => {
  const s = new SqliteStore(file);
  open.push(s);
  return s;
};
const audit = (action: string): AuditEntry => ({
  at: new Date(),
  actorSub: null,
  actorName: null,
  action,
  pageId: null,
  detail: {},
});
const actions = () => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('SELECT action FROM audit_log ORDER BY id').all() as { action: string }[]).map((r) => r.action);
  } finally {
    db.close();
  }
};
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

describe('SqliteStore: incident records', () => {
  it('keeps acknowledgements made in Klaxon, with their audit entry', async () => {
    const s = store();
    const at = new Date('2026-11-22T03:10:00Z');
    await s.recordAcknowledgement(
      { incidentNumber: '1042', personSub: 'alice', personName: 'Alice Andersen', sentAs: 'klaxon', at },
      audit('incident.acknowledge'),
    );
    expect(await s.acknowledgementsSince(new Date('2026-11-22T03:00:00Z'))).toEqual([
      { incidentNumber: '1042', personSub: 'alice', personName: 'Alice Andersen', sentAs: 'klaxon', at },
    ]);
    expect(await s.acknowledgementsSince(new Date('2026-11-22T03:11:00Z'))).toEqual([]);
    expect(actions()).toEqual(['incident.acknowledge']);
  });

  it('one escalation per incident, ever: a second claim (another handle on the file) is refused, without audit', async () => {
    const a = store();
    const b = store();
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
    expect(actions()).toEqual(['escalation.claimed', 'escalation.done', 'escalation.released']);
    await a.close();
    expect(await store().escalationsSince(new Date(0))).toEqual([
      { ...claim(), status: 'done', updatedAt: settled!.updatedAt },
    ]);
  });

  it('a release frees a claim whose request never went out', async () => {
    const s = store();
    await s.claimEscalation(claim(), audit('escalation.claimed'));
    await s.releaseEscalation('1043', audit('escalation.released'));
    expect(await s.escalationsSince(new Date(0))).toEqual([]);
    expect(await s.claimEscalation(claim(), audit('escalation.claimed'))).toBe(true);
  });

  it('opens a database from before acknowledger names, and keeps its pages', async () => {
    const s = store();
    const { outcome } = await acceptQueuedPage(s, {
      summary: 'Old page',
      client: 'api',
      at: new Date(),
      key: 'old-page-0000001',
    });
    await s.close();
    open.splice(0);
    const db = new DatabaseSync(file);
    db.exec('ALTER TABLE pages DROP COLUMN acked_by_name');
    db.close();
    const reopened = store();
    const id = outcome.kind === 'created' ? outcome.page.id : '';
    expect((await reopened.getPage(id))?.page.summary).toBe('Old page');
    const updated = await reopened.updatePage(id, {
      status: 'acknowledged',
      ackedBy: 'klaxon',
      ackedByName: 'Alice Andersen (via Klaxon)',
    });
    expect(updated).toMatchObject({ ackedBy: 'klaxon', ackedByName: 'Alice Andersen (via Klaxon)' });
  });
});
