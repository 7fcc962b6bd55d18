// The one scrubber every process installs before its error reports leave (common/error-reports.ts):
// realistic events from the three SDKs, then hostile ones (nesting, cycles, arrays, long strings).
import { describe, expect, it } from 'vitest';
import {
  FILTERED,
  MAX_STRING,
  errorReportHooks,
  scrubBreadcrumb,
  scrubEvent,
  scrubText,
} from '#common/error-reports.js';

const JWT =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJhbGljZSIsImVtYWlsIjoiYWxpY2VAZXhhbXBsZS5vcmcifQ.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu';
const EMAIL = 'alice.liddell@example.org';
const SUMMARY = 'Payroll database is down for the whole of finance';
const DETAILS = 'Since 09:40 every payroll export fails with a timeout; Bob noticed first.';
const CSRF = 'csrf-9f8e7d6c5b4a39281706';
const COOKIE = 'klaxon_session=s%3Aabc123.signature-of-the-cookie';
const SECRETS = [JWT, EMAIL, SUMMARY, DETAILS, CSRF, COOKIE, 'abc123.signature', 'payroll', 'Payroll'];

/** Every string in a value, for "is any planted secret left anywhere?". */
function everyString(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) everyString(x, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      everyString(x, out);
    }
  return out;
}
function leaked(v: unknown, secrets: readonly string[] = SECRETS): string[] {
  const text = everyString(v).join('\n');
  return secrets.filter((s) => text.includes(s));
}

/** What @sentry/node sends for a failed request, with every field the scrubber must handle. */
function serverEvent() {
  return {
    event_id: '0123456789abcdef0123456789abcdef',
    level: 'error',
    platform: 'node',
    server_name: 'klaxon-1',
    environment: 'production',
    release: 'klaxon@0.1.0',
    exception: {
      values: [
        {
          type: 'Error',
          value: `could not store page {"summary":"${SUMMARY}","details":"${DETAILS}"} for ${EMAIL}`,
          stacktrace: {
            frames: [
              {
                filename: '/home/alice/klaxon/server/pages/accept.ts',
                function: 'accept',
                lineno: 10,
                context_line: 'throw new Error(`could not store page ${JSON.stringify(body)}`);',
                vars: { body: { summary: SUMMARY }, token: JWT },
              },
            ],
          },
        },
      ],
    },
    request: {
      method: 'POST',
      url: 'https://klaxon.example.org/api/v1/pages',
      query_string: `access_token=${JWT}&x=1`,
      headers: {
        Authorization: `Bearer ${JWT}`,
        Cookie: COOKIE,
        'Set-Cookie': COOKIE,
        'x-klaxon-csrf': CSRF,
        'Idempotency-Key': 'key-0123456789abcdef',
        'User-Agent': 'Klaxon/0.1.0',
        'Content-Type': 'application/json',
        'X-Forwarded-For': '203.0.113.9',
      },
      cookies: { klaxon_session: COOKIE },
      data: { summary: SUMMARY, details: DETAILS },
      env: { REMOTE_ADDR: '203.0.113.9' },
    },
    user: { id: 'alice', email: EMAIL, ip_address: '203.0.113.9', username: 'alice' },
    extra: { page: { summary: SUMMARY, details: DETAILS, requester: { sub: 'alice', name: 'Alice', email: EMAIL } } },
    contexts: {
      os: { name: 'Linux', version: '6.1' },
      page: { csrfToken: CSRF, lastBody: `{"summary":"${SUMMARY}"}` },
    },
    tags: { route: '/api/v1/pages', who: EMAIL },
    breadcrumbs: [
      { category: 'console', message: `signed in as ${EMAIL} with Bearer ${JWT}`, timestamp: 1 },
      {
        category: 'http',
        type: 'http',
        data: {
          url: 'https://klaxon.example.org/auth/callback',
          'http.query': 'code=oauth-code-1234&state=st-5678',
          method: 'GET',
          status_code: 302,
        },
      },
    ],
  };
}

describe('scrubEvent', () => {
  it('removes the user, request bodies, cookies, secret headers and page text from a server event', () => {
    const out = scrubEvent(serverEvent())!;
    expect(leaked(out)).toEqual([]);
    expect(out).not.toHaveProperty('user');
    expect(out.request).toEqual({
      method: 'POST',
      url: 'https://klaxon.example.org/api/v1/pages',
      query_string: `access_token=${FILTERED}&x=1`,
      headers: { 'User-Agent': 'Klaxon/0.1.0', 'Content-Type': 'application/json' },
    });
    expect(out.exception.values[0]!.value).toBe(
      `could not store page {"summary":"${FILTERED}","details":"${FILTERED}"} for ${FILTERED}`,
    );
    const frame = out.exception.values[0]!.stacktrace.frames[0]!;
    expect(frame).not.toHaveProperty('vars');
    expect(frame.filename).toBe('/home/[user]/klaxon/server/pages/accept.ts');
    expect(out.extra.page).toEqual({ summary: FILTERED, details: FILTERED, requester: FILTERED });
    expect(out.contexts.os).toEqual({ name: 'Linux', version: '6.1' });
    expect(out.tags).toEqual({ route: '/api/v1/pages', who: FILTERED });
    expect(out.breadcrumbs[0]!.message).toBe(`signed in as ${FILTERED} with Bearer ${FILTERED}`);
    expect(out.breadcrumbs[1]!.data).toEqual({
      url: 'https://klaxon.example.org/auth/callback',
      method: 'GET',
      status_code: 302,
    });
  });

  it('keeps what triage needs: ids, level, release, stack frames, ordinary messages', () => {
    const out = scrubEvent({
      event_id: 'e1',
      level: 'error',
      release: 'klaxon@1.2.3',
      environment: 'staging',
      exception: { values: [{ type: 'TypeError', value: "Cannot read properties of undefined (reading 'number')" }] },
      tags: { 'klaxon.process': 'server', route: '/api/v1/incidents/:number/ack' },
      extra: { code: 'SQLITE_BUSY', attempts: 3, where: 'delivery-worker' },
    })!;
    expect(out).toEqual({
      event_id: 'e1',
      level: 'error',
      release: 'klaxon@1.2.3',
      environment: 'staging',
      exception: { values: [{ type: 'TypeError', value: "Cannot read properties of undefined (reading 'number')" }] },
      tags: { 'klaxon.process': 'server', route: '/api/v1/incidents/:number/ack' },
      extra: { code: 'SQLITE_BUSY', attempts: 3, where: 'delivery-worker' },
    });
  });

  it('drops the whole query of the sign-in callback, wherever the URL appears', () => {
    const out = scrubEvent({
      request: {
        method: 'GET',
        url: 'https://k.example.org/auth/callback?code=abc&state=def&iss=https%3A%2F%2Fidp',
        query_string: 'code=abc&state=def&iss=https%3A%2F%2Fidp',
      },
      message: 'redirected from https://k.example.org/auth/callback?code=abc&state=def&iss=x to /',
    })!;
    expect(out.request).toEqual({ method: 'GET', url: `https://k.example.org/auth/callback?${FILTERED}` });
    expect(out.message).toBe(`redirected from https://k.example.org/auth/callback?${FILTERED} to /`);
  });

  it('removes strings the caller knows to be sensitive, even as plain words', () => {
    const out = scrubEvent(
      { message: `render failed after typing ${SUMMARY}`, extra: { note: `Alice Liddell said ${DETAILS}` } },
      { sensitive: [SUMMARY, DETAILS, 'Alice Liddell', 'db', ''] },
    )!;
    expect(out).toEqual({
      message: `render failed after typing ${FILTERED}`,
      extra: { note: `${FILTERED} said ${FILTERED}` },
    });
  });

  it('hands the SDK its bookkeeping back untouched (it is deleted before sending)', () => {
    const scope = { self: null as unknown };
    scope.self = scope;
    const meta = { dynamicSamplingContext: { trace_id: 't' }, capturedSpanScope: scope };
    const out = scrubEvent({ message: 'x', sdkProcessingMetadata: meta })!;
    expect(out.sdkProcessingMetadata).toBe(meta);
  });
});

describe('scrubEvent against hostile input', () => {
  it('follows deep nesting only so far, and secrets at every depth it keeps are gone', () => {
    let deep: Record<string, unknown> = { note: `deepest ${EMAIL}` };
    for (let i = 0; i < 200; i++) deep = { level: i, note: `${EMAIL} at ${JWT}`, inner: deep };
    const out = scrubEvent({ extra: { deep } })!;
    expect(leaked(out)).toEqual([]);
    expect(JSON.stringify(out)).toContain(FILTERED);
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { email: EMAIL, note: SUMMARY };
    a.self = a;
    a.list = [a, { back: a }];
    const out = scrubEvent({ extra: { a } }, { sensitive: [SUMMARY] })!;
    expect(leaked(out)).toEqual([]);
    expect(JSON.stringify(out)).toContain('[Circular]');
  });

  it('scrubs every element of long and nested arrays, and keys that are secrets themselves', () => {
    const list = Array.from({ length: 1000 }, (_, i) => [`${i} ${EMAIL}`, { [EMAIL]: JWT, token: i }]);
    const out = scrubEvent({ extra: { list } })!;
    expect(leaked(out)).toEqual([]);
    expect((out.extra.list as unknown[]).length).toBeLessThan(1000);
  });

  it('caps long strings after removing the secrets in them, and in bounded time', () => {
    const huge = `${'a'.repeat(300_000)} ${EMAIL} ${'x@'.repeat(50_000)}`;
    const secretAtTheCut = `${'b'.repeat(MAX_STRING - 10)}${JWT}`;
    const started = performance.now();
    const out = scrubEvent({ message: huge, extra: { cut: secretAtTheCut, letters: 'a'.repeat(1_000_000) } })!;
    expect(performance.now() - started).toBeLessThan(2000);
    expect((out.message as string).length).toBeLessThanOrEqual(MAX_STRING + 20);
    expect(out.extra.cut).not.toContain('eyJ');
    expect(leaked(out)).toEqual([]);
  });

  it('never lets a cut token through: a JWT missing its signature, or its header only', () => {
    const [header, payload] = JWT.split('.');
    expect(scrubText(`${header}.${payload}`)).toBe(FILTERED);
    expect(scrubText(`token ${header}`)).toBe(`token ${FILTERED}`);
  });

  it('finds page text in JSON that was escaped inside another JSON string', () => {
    const once = JSON.stringify({ body: JSON.stringify({ summary: SUMMARY, details: DETAILS }) });
    expect(leaked(scrubText(once))).toEqual([]);
    expect(leaked(scrubText(`summary=${encodeURIComponent(SUMMARY)}&details=x`))).toEqual([]);
  });

  it('drops binary data, functions and symbols; turns bigints into text', () => {
    const out = scrubEvent({
      extra: { bytes: new TextEncoder().encode(COOKIE), fn: () => COOKIE, sym: Symbol(COOKIE), big: 10n },
    })!;
    expect(out.extra).toEqual({ bytes: FILTERED, big: '10' });
  });

  it('drops the event rather than send it when scrubbing fails', () => {
    const evil = {
      get message(): string {
        throw new Error(EMAIL);
      },
    };
    expect(scrubEvent({ extra: evil })).toBeNull();
    expect(scrubBreadcrumb({ data: evil })).toBeNull();
  });
});

describe('scrubText', () => {
  it.each([
    [`Authorization: Bearer ${JWT}`, `Authorization: ${FILTERED}`],
    ['retried with basic dXNlcjpwYXNzd29yZA==', `retried with basic ${FILTERED}`],
    ['sent Bearer opaque-token-value_123 upstream', `sent Bearer ${FILTERED} upstream`],
    [`mail ${EMAIL}, cc bob+sre@ops.example.co.uk`, `mail ${FILTERED}, cc ${FILTERED}`],
    ['GET /cb?code=xyz&state=abc&keep=1', `GET /cb?code=${FILTERED}&state=${FILTERED}&keep=1`],
    ['C:\\Users\\alice\\AppData\\Klaxon\\main.js', 'C:\\Users\\[user]\\AppData\\Klaxon\\main.js'],
    ['/Users/alice/Library/Klaxon', '/Users/[user]/Library/Klaxon'],
    ['error code=500 and the token expired', 'error code=500 and the token expired'],
    ['Bearer', 'Bearer'],
    [`sent ${COOKIE}; other=1`, `sent klaxon_session=${FILTERED}; other=1`],
    [
      '__Host-klaxon_session=abc.def and __Secure-klaxon_login=xyz',
      `__Host-klaxon_session=${FILTERED} and __Secure-klaxon_login=${FILTERED}`,
    ],
    ['request had Cookie: a=1; b=2\nnext line', `request had Cookie: ${FILTERED}\nnext line`],
    ['x-klaxon-csrf=abcdef, more', `x-klaxon-csrf=${FILTERED}`],
    ['release klaxon@1.2.3 and @sentry/node@10.75.0', 'release klaxon@1.2.3 and @sentry/node@10.75.0'],
  ])('%s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });
});

describe('scrubBreadcrumb', () => {
  it('scrubs fetch breadcrumbs: URL parameters with tokens, bodies', () => {
    const out = scrubBreadcrumb({
      category: 'fetch',
      data: { url: `/api/v1/x?access_token=${JWT}`, method: 'POST', body: `{"summary":"${SUMMARY}"}` },
    })!;
    expect(out).toEqual({
      category: 'fetch',
      data: { url: `/api/v1/x?access_token=${FILTERED}`, method: 'POST', body: FILTERED },
    });
  });
});

describe('errorReportHooks', () => {
  it('asks for the sensitive strings at each event and tolerates a failing provider', () => {
    let typed = 'first draft of the page';
    const hooks = errorReportHooks(() => [typed]);
    expect(hooks.beforeSend({ message: `x ${typed}` })).toEqual({ message: `x ${FILTERED}` });
    typed = 'second draft of the page';
    expect(hooks.beforeBreadcrumb({ message: `y ${typed}` })).toEqual({ message: `y ${FILTERED}` });
    expect(hooks.beforeSendTransaction({ transaction: `/x ${EMAIL}` })).toEqual({ transaction: `/x ${FILTERED}` });
    expect(
      hooks.beforeSend({ message: 'page: Disk full on db-7' }, { data: { klaxonSensitive: ['Disk full on db-7'] } }),
    ).toEqual({
      message: `page: ${FILTERED}`,
    });
    const failing = errorReportHooks(() => {
      throw new Error('no state yet');
    });
    expect(failing.beforeSend({ message: EMAIL })).toEqual({ message: FILTERED });
  });
});
