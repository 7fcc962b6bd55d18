// Which schema steps a database still needs (server/store/migrations/migration.ts).
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#server/config/index.js';
import { pendingMigrations, type Migration } from '#server/store/migrations/migration.js';

const steps: Migration[] = [
  { version: 1, name: 'one', sql: 'CREATE TABLE one (x int)' },
  { version: 2, name: 'two', sql: 'CREATE TABLE two (x int)' },
  { version: 3, name: 'three', sql: 'CREATE TABLE three (x int)' },
];

describe('pendingMigrations', () => {
  it('gives the steps after the current version, in order', () => {
    expect(pendingMigrations(steps, 0, 'k').map((m) => m.version)).toEqual([1, 2, 3]);
    expect(pendingMigrations(steps, 2, 'k').map((m) => m.version)).toEqual([3]);
    expect(pendingMigrations(steps, 3, 'k')).toEqual([]);
  });

  it('refuses a database a newer server migrated, naming the setting and both versions', () => {
    const e = (() => {
      try {
        pendingMigrations(steps, 5, 'storage.postgresUrl');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).key).toBe('storage.postgresUrl');
    expect((e as Error).message).toMatch(
      /^storage\.postgresUrl: the database's schema is at version 5, newer than this Klaxon server knows \(3\)/,
    );
  });

  it('refuses a list with a gap or a step out of order (a programming error, caught by this test)', () => {
    expect(() => pendingMigrations([steps[0]!, steps[2]!], 0, 'k')).toThrow(/numbered 3, expected 2/);
  });
});
