// The audit log's store methods (searchAudit, auditActorUses, pruneAudit, appendAudit) on both
// stores (SQLite and PostgreSQL), as part of the shared store suite (store-contract.test.ts).
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from '#common/index.js';
import type { AuditEntry, KlaxonStore, PageRecord } from '#server/store/store.js';
import { postgresKind, sqliteKind, type StoreDatabase } from '#test/support/store-harness.js';

const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;

function record(opts: { at: Date }): PageRecord {
  const iso = opts.at.toISOString();
  const id = crypto.randomUUID();
  const page: Page = {
    id,
    requester: { sub: 'alice', name: 'Alice Andersen', email: 'alice@klaxon.test' },
    summary: 'Database is down',
    details: '',
    target: { id: 'sre', label: 'SRE on call' },
    client: 'desktop',
    status: 'queued',
    attempts: 0,
    lastError: null,
    nextAttemptAt: iso,
    gaveUpAt: null,
    incidentNumber: null,
    ackedBy: null,
    ackedAt: null,
    createdAt: iso,
    updatedAt: iso,
    deliveredAt: null,
    mutedAt: null,
    unconfirmedAt: null,
  };
  return { page, routingKey: 'sre', idempotencyKey: `key-${id}`, requestHash: `hash-${id}` };
}

describe.each([sqliteKind(), postgresKind()])('the audit log (auditors, $name store)', (kind) => {
  let db: StoreDatabase;
  let store: KlaxonStore;
  let t0: Date;
  const at = (ms: number) => new Date(t0.getTime() + ms);
  const count = async (table: string) =>
    Number((await db.rows<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);
  afterAll(() => kind.tearDown());
  beforeEach(async () => {
    db = await kind.database();
    store = await db.open();
    t0 = new Date(Date.now() - 3600 * SECOND);
  });
  afterEach(() => db?.close());

  const entry = (over: Partial<AuditEntry>): AuditEntry => ({
    at: t0,
    actorSub: 'alice',
    actorName: 'Alice Andersen',
    actorGroups: ['sre', 'staff'],
    action: 'page.accepted',
    pageId: null,
    detail: { ip: '127.0.0.1', nested: { ok: true } },
    ...over,
  });

  it("keeps entries as written, newest first; an accepted page's entry has its requester's groups", async () => {
    const r = record({ at: t0 });
    await store.acceptPage({
      record: r,
      rate: { max: 10, windowSeconds: 600 },
      now: t0,
      audit: entry({ at: t0, actorGroups: ['staff'] }),
    });
    await store.appendAudit(entry({ at: at(SECOND), action: 'incident.acknowledged', actorGroups: null }));
    const found = await store.searchAudit({ limit: 10 });
    expect(found.map(({ action, actorGroups, pageId, at: when }) => ({ action, actorGroups, pageId, when }))).toEqual([
      { action: 'incident.acknowledged', actorGroups: null, pageId: null, when: at(SECOND) },
      { action: 'page.accepted', actorGroups: ['staff'], pageId: r.page.id, when: t0 },
    ]);
    expect(found[0]).toMatchObject({
      actorSub: 'alice',
      actorName: 'Alice Andersen',
      detail: { nested: { ok: true } },
    });
    expect(found[0]!.id).toBeGreaterThan(found[1]!.id);
  });

  it('filters by person (subject, or part of the name in any case), action and time; pages with beforeId', async () => {
    await store.appendAudit(entry({ at: at(1 * SECOND) }));
    await store.appendAudit(entry({ at: at(2 * SECOND), actorSub: 'bob', actorName: 'Bob Brown' }));
    await store.appendAudit(entry({ at: at(3 * SECOND), actorSub: null, actorName: null, action: 'page.delivered' }));
    await store.appendAudit(entry({ at: at(4 * SECOND), action: 'incident.acknowledged' }));
    const subs = async (q: Partial<Parameters<KlaxonStore['searchAudit']>[0]>) =>
      (await store.searchAudit({ limit: 10, ...q })).map((e) => `${e.actorSub}:${e.action}`);
    expect(await subs({ person: 'bob' })).toEqual(['bob:page.accepted']);
    expect(await subs({ person: 'ANDERS' })).toEqual(['alice:incident.acknowledged', 'alice:page.accepted']);
    expect(await subs({ action: 'page.delivered' })).toEqual(['null:page.delivered']);
    expect(await subs({ from: at(2 * SECOND), to: at(4 * SECOND) })).toEqual([
      'null:page.delivered',
      'bob:page.accepted',
    ]);
    const first = await store.searchAudit({ limit: 2 });
    const rest = await store.searchAudit({ limit: 2, beforeId: first[1]!.id });
    expect([...first, ...rest].map((e) => e.at.getTime() - t0.getTime())).toEqual([4, 3, 2, 1].map((s) => s * SECOND));
  });

  it("auditActorUses: each person's last use of the actions, with counts; the server's own entries are no one's", async () => {
    await store.appendAudit(entry({ at: at(1 * SECOND), actorGroups: ['sre', 'staff'] }));
    await store.appendAudit(entry({ at: at(2 * SECOND), action: 'incident.acknowledged', actorGroups: ['sre'] }));
    await store.appendAudit(entry({ at: at(3 * SECOND), action: 'page.delivered' }));
    await store.appendAudit(entry({ at: at(4 * SECOND), actorSub: null, action: 'page.accepted' }));
    await store.appendAudit(entry({ at: at(5 * SECOND), actorSub: 'bob', actorName: 'Bob', actorGroups: null }));
    const uses = await store.auditActorUses(['page.accepted', 'incident.acknowledged']);
    expect(
      uses
        .map((u) => ({ sub: u.sub, action: u.last.action, groups: u.last.actorGroups, counts: u.counts }))
        .sort((a, b) => a.sub.localeCompare(b.sub)),
    ).toEqual([
      {
        sub: 'alice',
        action: 'incident.acknowledged',
        groups: ['sre'],
        counts: { 'page.accepted': 1, 'incident.acknowledged': 1 },
      },
      { sub: 'bob', action: 'page.accepted', groups: null, counts: { 'page.accepted': 1 } },
    ]);
    expect(await store.auditActorUses([])).toEqual([]);
  });

  it('pruneAudit: deletes the entries before the time and says how many', async () => {
    await store.appendAudit(entry({ at: new Date(Date.now() - 500 * DAY) }));
    await store.appendAudit(entry({ at: new Date(Date.now() - 401 * DAY) }));
    await store.appendAudit(entry({ at: new Date(Date.now() - 10 * DAY) }));
    expect(await store.pruneAudit(new Date(Date.now() - 400 * DAY))).toBe(2);
    expect(await store.pruneAudit(new Date(Date.now() - 400 * DAY))).toBe(0);
    expect(await count('audit_log')).toBe(1);
  });
});
