// The server's error reports end to end: `server/main.ts` in a child process with the real
// @sentry/node, a real failure (another process holds the SQLite database locked, so accepting a
// page fails with a 500), and a Sentry stand-in on loopback (test/support/sentry-receiver.ts)
// that parses what arrives. With a DSN the error arrives, scrubbed; without one nothing is sent.
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { ClientConfig } from '#common/index.js';
import { startSentryReceiver, type SentryReceiver } from '#test/support/sentry-receiver.js';
import { SESSION_SECRET, WEB_SECRET, api, spawnServer, startStack, type Stack } from '#test/support/server-stack.js';

let stack: Stack;
let receiver: SentryReceiver;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(async () => {
  receiver = await startSentryReceiver();
});
afterEach(async () => {
  await receiver?.close();
});

const SUMMARY = 'Canary summary: payroll export stuck';
const DETAILS = 'Canary details: seen by the finance team since 09:40';
const COOKIE = 'klaxon_session=s%3Acanary-session-cookie-value.sig';
const CSRF = 'canary-csrf-token-0123456789';
const IDEMPOTENCY_KEY = 'canary-idempotency-key-0123';

/** Everything planted in the request, plus the server's own secrets. */
async function planted(token: string): Promise<string[]> {
  return [
    token,
    SUMMARY,
    DETAILS,
    'canary-session-cookie-value',
    CSRF,
    IDEMPOTENCY_KEY,
    'alice@klaxon.test',
    'Alice Liddell',
    stack.sim.apiKey,
    stack.sim.restEndpointKey,
    SESSION_SECRET,
    WEB_SECRET,
  ];
}

/**
 * Takes the database's write lock from this process for as long as `during` runs: the server's
 * writes wait out their busy timeout (5 s) and fail, as they would behind a stuck backup job.
 */
async function withDatabaseLocked<T>(file: string, during: () => Promise<T>): Promise<T> {
  const db = new DatabaseSync(file);
  db.exec('BEGIN EXCLUSIVE');
  try {
    return await during();
  } finally {
    db.exec('ROLLBACK');
    db.close();
  }
}

/**
 * The server checks tokens with the sign-in provider's keys, fetched on first use with a 5 s timeout.
 * Fetched while the database is locked, a background job's write waits out its busy timeout with the
 * event loop blocked, and the fetch times out (a 503, not the 500 under test): fetch them first.
 */
async function keysFetched(url: string, token: string): Promise<void> {
  expect((await api(`${url}/api/v1/me`, { token })).status).toBe(200);
}

async function failToPage(url: string, token: string) {
  return api(`${url}/api/v1/pages`, {
    token,
    headers: { cookie: COOKIE, 'x-klaxon-csrf': CSRF, 'idempotency-key': IDEMPOTENCY_KEY },
    body: { summary: SUMMARY, details: DETAILS, idempotencyKey: IDEMPOTENCY_KEY },
  });
}

describe('server error reports', { timeout: 60_000 }, () => {
  it('with KLAXON_SENTRY_DSN: an unexpected 500 arrives, tagged and scrubbed', async () => {
    const sqlitePath = path.join(stack.dir, 'reports-on.db');
    const server = await spawnServer(
      stack,
      { storage: { sqlitePath }, sentry: { environment: 'integration' } },
      { KLAXON_SENTRY_DSN: receiver.dsn('7') },
    );
    try {
      const token = await stack.token('alice', { name: 'Alice Liddell' });
      await keysFetched(server.url, token);
      const r = await withDatabaseLocked(sqlitePath, () => failToPage(server.url, token));
      expect(r.status).toBe(500);
      expect(r.body.error.code).toBe('internal');

      const event = await receiver.waitForEvent((e) => e.tags?.['klaxon.where'] === 'http');
      expect(event.tags).toMatchObject({
        'klaxon.process': 'server',
        'klaxon.where': 'http',
        'http.method': 'POST',
        route: '/api/v1/pages',
      });
      expect(event.environment).toBe('integration');
      expect(event.release).toMatch(/^klaxon@\d+\.\d+\.\d+/);
      expect(event.level).toBe('error');
      expect(JSON.stringify(event.exception)).toMatch(/database is locked/);
      expect(event).not.toHaveProperty('user');
      expect(event).not.toHaveProperty('request');
      expect(receiver.envelopes.every((e) => e.project === '7')).toBe(true);
      expect(receiver.strayRequests).toEqual([]);
      expect(receiver.secretsFound(await planted(token))).toEqual([]);
    } finally {
      await server.kill('SIGTERM');
    }
  });

  it('without a DSN: the SDK is not started (SENTRY_DSN is ignored) and nothing is sent', async () => {
    const sqlitePath = path.join(stack.dir, 'reports-off.db');
    // The SDK's own variable: Klaxon must not pick it up.
    const server = await spawnServer(stack, { storage: { sqlitePath } }, { SENTRY_DSN: receiver.dsn() });
    try {
      const token = await stack.token('alice');
      await keysFetched(server.url, token);
      const r = await withDatabaseLocked(sqlitePath, () => failToPage(server.url, token));
      expect(r.status).toBe(500);
      const config = await api(`${server.url}/api/v1/client-config`);
      expect(ClientConfig.parse(config.body).sentry).toBeUndefined();
      expect(config.headers.get('content-security-policy')).toContain("connect-src 'self';");
      // Shutting down would flush anything queued: still nothing.
      await server.kill('SIGTERM');
      expect(receiver.envelopes).toEqual([]);
      expect(receiver.strayRequests).toEqual([]);
    } finally {
      await server.kill('SIGTERM');
    }
  });
});
