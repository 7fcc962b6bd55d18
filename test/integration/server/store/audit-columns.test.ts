// A database at schema version 6 (before audit entries recorded the actor's groups, SQLite migration
// steps 7 and 8) opens with the column and indexes added:
// its entries read back with groups unknown (null), new ones with their groups, and both are found.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SqliteStore } from '#server/store/sqlite-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'klaxon-audit-columns-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('adds audit_log.actor_groups to an older database, which keeps its entries', async () => {
  const file = path.join(dir, 'klaxon.db');
  await new SqliteStore(file).close();
  const raw = new DatabaseSync(file);
  raw.exec(
    'DROP INDEX audit_by_actor; DROP INDEX audit_by_time; ALTER TABLE audit_log DROP COLUMN actor_groups; DELETE FROM schema_migrations WHERE version > 6',
  );
  raw
    .prepare('INSERT INTO audit_log (at, actor_sub, actor_name, action, page_id, detail) VALUES (?, ?, ?, ?, ?, ?)')
    .run(Date.parse('2026-01-01T00:00:00Z'), 'bob', 'Bob', 'page.accepted', null, '{}');
  raw.close();

  const store = new SqliteStore(file);
  try {
    await store.appendAudit({
      at: new Date('2026-02-01T00:00:00Z'),
      actorSub: 'bob',
      actorName: 'Bob',
      actorGroups: ['staff'],
      action: 'incident.acknowledged',
      pageId: null,
      detail: { incidentNumber: '7' },
    });
    const found = await store.searchAudit({ person: 'bob', limit: 10 });
    expect(found.map((e) => [e.action, e.actorGroups])).toEqual([
      ['incident.acknowledged', ['staff']],
      ['page.accepted', null],
    ]);
    const [uses] = await store.auditActorUses(['page.accepted', 'incident.acknowledged']);
    expect(uses).toMatchObject({
      sub: 'bob',
      last: { action: 'incident.acknowledged', actorGroups: ['staff'] },
      counts: { 'page.accepted': 1, 'incident.acknowledged': 1 },
    });
  } finally {
    await store.close();
  }
});
