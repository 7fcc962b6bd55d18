// Request bodies (server/http/json-body.ts): UTF-8 JSON only, every refusal names what to fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBackend, startMemoryApp, type MemoryApp } from '#test/support/memory-backend.js';

let klaxon: MemoryApp;
beforeAll(async () => {
  klaxon = await startMemoryApp(new MemoryBackend());
});
afterAll(() => klaxon.close());

const alice = { 'x-test-sub': 'alice', 'content-type': 'application/json' };
const post = (payload: string | Buffer) =>
  klaxon.app.inject({ method: 'POST', url: '/api/v1/pages', headers: alice, payload });
const key = () => `key-${crypto.randomUUID()}`;

describe('JSON request bodies', () => {
  it('refuses invalid UTF-8 instead of replacing it', async () => {
    const body = Buffer.concat([
      Buffer.from(`{"summary":"API down `),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(`","idempotencyKey":"${key()}"}`),
    ]);
    const r = await post(body);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'The request body is not valid UTF-8 text. Send JSON encoded as UTF-8.',
      },
    });
  });

  it.each([
    ['__proto__', `{"__proto__":{"admin":true},"summary":"s","idempotencyKey":"${key()}"}`, '__proto__'],
    [
      'constructor',
      `{"constructor":{"prototype":{"admin":true}},"summary":"s","idempotencyKey":"${key()}"}`,
      'constructor',
    ],
    ['nested __proto__', `{"summary":"s","idempotencyKey":"${key()}","extra":{"__proto__":{}}}`, 'extra.__proto__'],
  ])('names a %s key as an unknown field instead of "not valid JSON"', async (_what, body, field) => {
    const r = await post(body);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ error: { code: 'invalid_request', message: `Unknown field "${field}".`, field } });
  });

  it('names a 50 KB unknown field in a short answer', async () => {
    const huge = 'k'.repeat(50_000);
    const r = await post(JSON.stringify({ summary: 's', idempotencyKey: key(), [huge]: 1 }));
    expect(r.statusCode).toBe(400);
    expect(r.json().error.field).toBe(`${'k'.repeat(64)}…`);
    expect(r.body.length).toBeLessThan(400);
  });

  it('still accepts a body with a leading byte-order mark, and still says when JSON is broken', async () => {
    const ok = await post(`\uFEFF${JSON.stringify({ summary: 'API down', idempotencyKey: key() })}`);
    expect(ok.statusCode).toBe(202);
    const broken = await post('{"summary": ');
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toEqual({
      error: { code: 'invalid_request', message: 'The request body is not valid JSON.' },
    });
    const empty = await post('');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toBe('The request body is not valid JSON.');
  });
});
