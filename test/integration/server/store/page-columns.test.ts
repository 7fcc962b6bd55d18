// A database written before pages could be marked muted or unconfirmed opens with those columns added,
// keeps its pages, and the marks are stored, cleared and found like the other fields.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'klaxon-columns-'));
  file = path.join(dir, 'klaxon.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('page columns added after the first release', () => {
  it('are added to an older database, which keeps its pages', async () => {
    const first = new SqliteStore(file);
    const { page } = await acceptQueuedPage(first, { summary: 'Written by an older Klaxon' });
    await first.close();
    const raw = new DatabaseSync(file);
    raw.exec('ALTER TABLE pages DROP COLUMN muted_at; ALTER TABLE pages DROP COLUMN unconfirmed_at');
    raw.close();

    const store = new SqliteStore(file);
    try {
      expect((await store.getPage(page.id))?.page).toMatchObject({
        summary: 'Written by an older Klaxon',
        mutedAt: null,
        unconfirmedAt: null,
      });
      const at = new Date('2026-11-22T12:00:05Z');
      await store.updatePage(page.id, { status: 'delivered', deliveredAt: new Date('2026-11-22T12:00:00Z') });
      expect(await store.pagesAwaitingIncident(new Date('2026-11-22T11:59:59Z'))).toEqual([]);
      expect(await store.pagesAwaitingIncident(at)).toEqual([page.id]);
      const marked = await store.updatePage(page.id, { unconfirmedAt: at, mutedAt: at });
      expect(marked).toMatchObject({ unconfirmedAt: at.toISOString(), mutedAt: at.toISOString() });
      // Marked pages are not handed out again.
      expect(await store.pagesAwaitingIncident(at)).toEqual([]);
      expect(await store.updatePage(page.id, { unconfirmedAt: null, mutedAt: null })).toMatchObject({
        unconfirmedAt: null,
        mutedAt: null,
      });
    } finally {
      await store.close();
    }
  });
});
