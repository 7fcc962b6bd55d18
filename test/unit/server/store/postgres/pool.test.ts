// What the PostgreSQL pool module says about a URL and an error (server/store/postgres/pool.ts):
// passwords never reach a message; only errors of an unreachable database count as unavailability.
import { describe, expect, it } from 'vitest';
import { isUnreachable, redactUrl, storageError, withoutPassword } from '#server/store/postgres/pool.js';
import { StorageUnavailableError } from '#server/store/storage-unavailable.js';

describe('redactUrl and withoutPassword', () => {
  it('hide the password in the user part and in a password parameter', () => {
    expect(redactUrl('postgres://klaxon:s3cret@db.example.org:5432/klaxon?sslmode=verify-full')).toBe(
      'postgres://klaxon:***@db.example.org:5432/klaxon?sslmode=verify-full',
    );
    expect(redactUrl('postgresql://klaxon@db/klaxon?password=s3cret')).toBe(
      'postgresql://klaxon@db/klaxon?password=***',
    );
    expect(redactUrl('postgres://db/klaxon')).toBe('postgres://db/klaxon');
    expect(redactUrl('not a url')).not.toContain('not a url');
  });

  it('remove a password (even URL-encoded in the URL) from any text', () => {
    const url = 'postgres://klaxon:p%40ss@db/klaxon';
    expect(withoutPassword('connect failed for postgres://klaxon:p@ss@db: p@ss', url)).toBe(
      'connect failed for postgres://klaxon:***@db: ***',
    );
    expect(withoutPassword('nothing to hide', 'postgres://db/klaxon')).toBe('nothing to hide');
  });
});

describe('isUnreachable', () => {
  const pgError = (code: string) => Object.assign(new Error('x'), { code });
  it('counts socket errors, timeouts, broken connections and shutdown states', () => {
    for (const e of [
      pgError('ECONNREFUSED'),
      pgError('ECONNRESET'),
      pgError('08006'),
      pgError('57P01'),
      pgError('53300'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
    ])
      expect(isUnreachable(e)).toBe(true);
  });

  it('does not count a failing statement or a programming error', () => {
    for (const e of [pgError('23505'), pgError('42P01'), pgError('40001'), new TypeError('x is undefined'), 'text'])
      expect(isUnreachable(e)).toBe(false);
    const constraint = pgError('23505');
    expect(storageError(constraint)).toBe(constraint);
    expect(storageError(pgError('ECONNREFUSED'))).toBeInstanceOf(StorageUnavailableError);
  });
});
