// Sentry DSNs as the server's configuration and the clients' CSP read them (common/sentry-dsn.ts).
import { describe, expect, it } from 'vitest';
import { parseSentryDsn } from '#common/sentry-dsn.js';

describe('parseSentryDsn', () => {
  it('reads key, project and the origin events go to', () => {
    expect(parseSentryDsn('https://abc123@o42.ingest.sentry.io/4501')).toEqual({
      origin: 'https://o42.ingest.sentry.io',
      publicKey: 'abc123',
      projectId: '4501',
    });
    expect(parseSentryDsn('http://k@127.0.0.1:9000/sentry/7')).toEqual({
      origin: 'http://127.0.0.1:9000',
      publicKey: 'k',
      projectId: '7',
    });
  });

  it.each([
    ['not a url', 'must be a Sentry DSN'],
    ['ftp://k@host/1', 'http(s)'],
    ['https://host/1', 'public key'],
    ['https://k:secret@host/1', 'secret key'],
    ['https://k@host/project', 'numeric project id'],
    ['https://k@host/1?x=y', 'query'],
  ])('refuses %s', (dsn, why) => {
    const r = parseSentryDsn(dsn);
    expect('error' in r && r.error).toContain(why);
  });
});
