// Retention on a real SQLite file, with the outside world's clock faked (a ManualClock): entries
// older than audit.retentionDays go at start and then every hour; younger ones stay.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { AUDIT_PRUNE_EVERY_MS, startAuditRetention } from '#server/audit/audit-retention.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { RecordingLogger } from '#test/support/live-stack.js';
import { ManualClock, flush } from '#test/support/manual-clock.js';

const DAY = 24 * 3600_000;
let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

it('deletes entries older than the retention at start and every hour, keeping the rest', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'klaxon-retention-'));
  const store = new SqliteStore(path.join(dir, 'klaxon.db'));
  const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
  const write = (daysAgo: number, summary: string) =>
    store.appendAudit({
      at: new Date(clock.now() - daysAgo * DAY),
      actorSub: 'alice',
      actorName: 'Alice',
      actorGroups: ['sre'],
      action: 'page.accepted',
      pageId: null,
      detail: { summary },
    });
  await write(500, 'far too old');
  await write(400.5, 'just too old');
  await write(399.99, 'kept a little longer');
  await write(10, 'recent');
  const summaries = async () => (await store.searchAudit({ limit: 100 })).map((e) => e.detail.summary as string).sort();

  const logger = new RecordingLogger();
  const job = startAuditRetention({ store, retentionDays: 400, logger, clock });
  await flush();
  expect(await summaries()).toEqual(['kept a little longer', 'recent']);
  expect(logger.lines.find((l) => l.msg === 'audit entries past their retention deleted')?.obj).toMatchObject({
    deleted: 2,
  });

  // Half an hour on, the next run has not come yet; an hour after the first, the next entry goes.
  await clock.advance(AUDIT_PRUNE_EVERY_MS / 2);
  expect(await summaries()).toEqual(['kept a little longer', 'recent']);
  await clock.advance(AUDIT_PRUNE_EVERY_MS / 2);
  expect(await summaries()).toEqual(['recent']);

  // Once stopped, nothing more is deleted however much time passes.
  job.stop();
  expect(clock.pending()).toEqual([]);
  await clock.advance(30 * DAY);
  expect(await summaries()).toEqual(['recent']);
  await store.close();
});

it('logs a failed deletion and keeps its hourly schedule', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'klaxon-retention-'));
  const store = new SqliteStore(path.join(dir, 'klaxon.db'));
  await store.close(); // every statement now fails, as on a broken disk
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const job = startAuditRetention({ store, retentionDays: 30, logger, clock });
  await flush();
  expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
    'could not delete old audit entries; trying again in an hour',
  ]);
  expect(clock.pending()).toEqual([AUDIT_PRUNE_EVERY_MS]);
  job.stop();
});
