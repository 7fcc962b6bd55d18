// The server's error reports when the failures themselves carry secrets: the real server (buildApp
// with the real @sentry/node, IdP, simulator and SQLite), where the storage and the On-Call backend
// are wrapped so that their errors echo what they were given, as drivers and upstream services do
// ("insert failed: {…values…}"). Every report arrives at the loopback Sentry stand-in, none of the
// planted secrets does.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from '#common/index.js';
import { buildApp, type KlaxonApp } from '#server/app.js';
import { splunkOnCallBackend } from '#server/backends/splunk-oncall/backend.js';
import type { PagingBackend } from '#server/backends/paging-backend.js';
import { loadServerConfig } from '#server/index.js';
import { createMetrics } from '#server/http/metrics.js';
import { startErrorReports, type ErrorReporter } from '#server/runtime/error-reports.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import type { KlaxonStore } from '#server/store/store.js';
import { startSentryReceiver, type SentryReceiver } from '#test/support/sentry-receiver.js';
import { SESSION_SECRET, WEB_SECRET, api, startStack, type Stack } from '#test/support/server-stack.js';

const FIRST = { summary: 'Canary one: ledger totals are wrong', details: 'Canary one details: since the 06:00 batch' };
const SECOND = { summary: 'Canary two: invoices not sent', details: 'Canary two details: the mail queue is full' };
const COOKIE = 'klaxon_session=s%3Acanary-cookie-hostile.sig';
const CSRF = 'canary-csrf-hostile-0123456789';

let stack: Stack;
let receiver: SentryReceiver;
let klaxon: KlaxonApp;
let sqlite: SqliteStore;
let reports: ErrorReporter;
let url: string;
let token: string;

/** Storage whose first page insert fails with an error that quotes the page, as a database driver might. */
function echoingStore(real: SqliteStore): KlaxonStore {
  let failed = false;
  return new Proxy(real, {
    get(target, key, receiverObj) {
      if (key === 'acceptPage')
        return async (input: { record: { page: Page } }) => {
          if (!failed) {
            failed = true;
            throw new Error(`insert into pages failed: ${JSON.stringify(input.record.page)}`);
          }
          return target.acceptPage(input as Parameters<SqliteStore['acceptPage']>[0]);
        };
      const v: unknown = Reflect.get(target, key, receiverObj);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as KlaxonStore;
}

/** The real On-Call backend, except that its first incident list fails with a bug quoting a token, and alerts are refused quoting the page. */
function echoingBackend(real: PagingBackend, secret: () => string): PagingBackend {
  let listed = false;
  return new Proxy(real, {
    get(target, key, receiverObj) {
      if (key === 'listIncidents')
        return async (...args: Parameters<PagingBackend['listIncidents']>) => {
          if (!listed) {
            listed = true;
            throw new TypeError(`Cannot read properties of undefined (reading 'entity') for ${secret()}`);
          }
          return target.listIncidents(...args);
        };
      if (key === 'sendAlert')
        return async (page: Page) => ({
          ok: false,
          retryable: false,
          error: `On-Call refused the alert "${page.summary}" (${page.details}) from ${page.requester.email}`,
        });
      const v: unknown = Reflect.get(target, key, receiverObj);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

beforeAll(async () => {
  stack = await startStack();
  receiver = await startSentryReceiver();
  token = await stack.token('alice', { name: 'Alice Liddell' });
  const config = loadServerConfig({
    env: {},
    warn: () => {},
    overrides: stack.serverOverrides({
      storage: { sqlitePath: path.join(stack.dir, 'hostile.db') },
      sentry: { dsn: receiver.dsn('9'), environment: 'hostile' },
    }),
  });
  sqlite = new SqliteStore(config.storage.sqlitePath);
  reports = await startErrorReports(config);
  const backend = echoingBackend(splunkOnCallBackend(config, { metrics: createMetrics(), logger: console }), () =>
    [`alice@klaxon.test`, `Bearer ${token}`, COOKIE].join(' '),
  );
  klaxon = await buildApp({ config, store: echoingStore(sqlite), backend, errorReports: reports, logger: false });
  url = await klaxon.app.listen({ host: '127.0.0.1', port: 0 });
  klaxon.start();
});
afterAll(async () => {
  await klaxon?.close();
  await sqlite?.close();
  await reports?.close();
  await receiver?.close();
  await stack?.close();
});

const page = (body: { summary: string; details: string }, key: string) =>
  api(`${url}/api/v1/pages`, {
    token,
    headers: { cookie: COOKIE, 'x-klaxon-csrf': CSRF, 'idempotency-key': key },
    body: { ...body, idempotencyKey: key },
  });

describe('server error reports of failures that quote secrets', { timeout: 60_000 }, () => {
  it('reports the 500, the poller bug and the page that gave up, and none of the planted secrets', async () => {
    const failed = await page(FIRST, 'canary-key-hostile-0000001');
    expect(failed.status).toBe(500);
    const accepted = await page(SECOND, 'canary-key-hostile-0000002');
    expect(accepted.status).toBe(202);

    const http = await receiver.waitForEvent((e) => e.tags?.['klaxon.where'] === 'http');
    const hub = await receiver.waitForEvent((e) => e.tags?.['klaxon.where'] === 'incidents-hub');
    const gaveUp = await receiver.waitForEvent((e) => e.tags?.['klaxon.where'] === 'delivery-worker');

    // What triage needs is still there.
    expect(http.exception?.values?.[0]?.value).toMatch(/^insert into pages failed: \{"id":"[0-9a-f-]+"/);
    expect(http.exception?.values?.[0]?.value).toContain('"summary":"[Filtered]"');
    expect(hub.exception?.values?.[0]).toMatchObject({ type: 'TypeError' });
    expect(hub.exception?.values?.[0]?.value).toContain("Cannot read properties of undefined (reading 'entity')");
    expect(gaveUp.message).toBe('A page could not be delivered to the paging service and Klaxon gave up');
    expect(gaveUp.extra).toMatchObject({ pageId: accepted.body.id, attempts: 1 });
    expect((gaveUp.extra as { reason?: string }).reason).toMatch(
      /^On-Call refused the alert "\[Filtered\]" \(\[Filtered\]\) from \[Filtered\]$/,
    );
    for (const e of receiver.events()) {
      expect(e.environment).toBe('hostile');
      expect(e.tags?.['klaxon.process']).toBe('server');
      expect(e).not.toHaveProperty('user');
    }

    expect(
      receiver.secretsFound([
        token,
        ...token.split('.'),
        FIRST.summary,
        FIRST.details,
        SECOND.summary,
        SECOND.details,
        'alice@klaxon.test',
        'Alice Liddell',
        'canary-cookie-hostile',
        CSRF,
        'canary-key-hostile-0000001',
        'canary-key-hostile-0000002',
        stack.sim.apiKey,
        stack.sim.restEndpointKey,
        SESSION_SECRET,
        WEB_SECRET,
      ]),
    ).toEqual([]);
    expect(receiver.strayRequests).toEqual([]);
  });
});
