// /healthz, /readyz, /metrics, security headers, the web UI hosting (SPA fallback, 503 when not
// built), error bodies, and client-config.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientConfig, ErrorBody } from '#common/index.js';
import { CONTENT_SECURITY_POLICY } from '#server/index.js';
import { api, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;
let uiDir: string;

beforeAll(async () => {
  stack = await startStack();
  uiDir = path.join(stack.dir, 'ui');
  mkdirSync(path.join(uiDir, 'assets'), { recursive: true });
  writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>Klaxon</title><div id="root"></div>');
  writeFileSync(path.join(uiDir, 'assets', 'app.js'), 'console.log("klaxon")');
  server = await startServer(stack, { webUi: { dir: uiDir }, ticketUrl: 'https://tickets.example.org/new?queue=sre' });
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

describe('metrics and readiness details behind a token or on their own address', () => {
  const TOKEN = 'metrics-token-0123456789abcdef';

  it('metrics.token: /metrics needs the bearer token; /readyz shows details only with it', async () => {
    const s = await startServer(stack, {
      metrics: { token: TOKEN },
      storage: { sqlitePath: path.join(stack.dir, 'metrics-token.db') },
    });
    try {
      const open = await api(`${s.url}/metrics`);
      expect(open.status).toBe(401);
      expect(open.headers.get('www-authenticate')).toBe('Bearer realm="klaxon-metrics"');
      expect(open.body.error.message).toMatch(/metrics\.token/);
      expect((await api(`${s.url}/metrics`, { token: 'wrong-token-0123456789abcdef' })).status).toBe(401);
      const m = await api(`${s.url}/metrics`, { token: TOKEN });
      expect(m.status).toBe(200);
      expect(m.body).toMatch(/klaxon_pages_created_total/);

      // Readiness does not wait for On-Call (issue 14); the details below are after its first poll.
      await waitFor('On-Call answered', async () => (await api(`${s.url}/healthz/upstream`)).status === 200);
      const ready = await waitFor('ready', async () => {
        const r = await api(`${s.url}/readyz`);
        return r.status === 200 ? r : null;
      });
      expect(ready.body).toEqual({ status: 'ready' });
      expect((await api(`${s.url}/readyz`, { token: TOKEN })).body).toMatchObject({
        status: 'ready',
        storage: { ok: true },
        upstream: { ok: true },
      });
      // On-Call's errors are details too: /healthz/upstream keeps its status open, its reason behind the token.
      expect((await api(`${s.url}/healthz/upstream`)).body).toEqual({ status: 'ok' });
      expect((await api(`${s.url}/healthz/upstream`, { token: TOKEN })).body).toMatchObject({
        status: 'ok',
        upstream: { ok: true, error: null },
      });
    } finally {
      await s.close();
    }
  });

  it('metrics.listen: /metrics and readiness details move to their own address', async () => {
    const s = await startServer(stack, {
      metrics: { listen: { host: '127.0.0.1', port: 0 } },
      storage: { sqlitePath: path.join(stack.dir, 'metrics-listen.db') },
    });
    try {
      expect(s.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(s.metricsUrl).not.toBe(s.url);
      expect((await api(`${s.url}/metrics`)).status).toBe(404);
      const m = await api(`${s.metricsUrl}/metrics`);
      expect(m.status).toBe(200);
      expect(m.body).toMatch(/klaxon_pages_created_total/);
      await waitFor('ready', async () => (await api(`${s.url}/readyz`)).status === 200);
      await waitFor('On-Call answered', async () => (await api(`${s.url}/healthz/upstream`)).status === 200);
      expect((await api(`${s.url}/readyz`)).body).toEqual({ status: 'ready' });
      expect((await api(`${s.metricsUrl}/readyz`)).body).toMatchObject({ status: 'ready', storage: { ok: true } });
      expect((await api(`${s.metricsUrl}/healthz`)).body).toEqual({ status: 'ok' });
      expect((await api(`${s.url}/healthz/upstream`)).body).toEqual({ status: 'ok' });
      expect((await api(`${s.metricsUrl}/healthz/upstream`)).body).toMatchObject({ upstream: { ok: true } });
      // The API is not on the metrics address.
      expect((await api(`${s.metricsUrl}/api/v1/client-config`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});

describe('health and metrics', () => {
  it('/healthz answers while the process runs; /readyz while storage writes; On-Call health is a detail of it', async () => {
    expect((await api(`${server.url}/healthz`)).body).toEqual({ status: 'ok' });
    const up = await waitFor('On-Call answered', async () => {
      const r = await api(`${server.url}/healthz/upstream`);
      return r.status === 200 ? r.body : null;
    });
    expect(up).toMatchObject({ status: 'ok', upstream: { ok: true, error: null } });
    const ready = await api(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      storage: { ok: true, error: null },
      upstream: { ok: true, error: null },
    });
    expect(Date.parse(ready.body.upstream.lastSuccessAt)).toBeGreaterThan(Date.now() - 60_000);
    // One SQLite process: no cluster detail.
    expect(ready.body.cluster).toBeUndefined();
  });

  it('/readyz stays 200 while On-Call cannot be reached (a load balancer keeps the server); /healthz/upstream is 503 with the reason', async () => {
    const s = await startServer(stack, {
      oncall: { apiBaseUrl: 'http://127.0.0.1:9' },
      storage: { sqlitePath: path.join(stack.dir, 'down.db') },
    });
    try {
      const r = await waitFor('a failed poll', async () => {
        const x = await api(`${s.url}/healthz/upstream`);
        return x.body.upstream.error && !/not heard/.test(x.body.upstream.error) ? x : null;
      });
      expect(r.status).toBe(503);
      expect(r.body.status).toBe('unreachable');
      expect(r.body.upstream.ok).toBe(false);
      const ready = await api(`${s.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ready');
      expect(ready.body.storage.ok).toBe(true);
      expect(ready.body.upstream.ok).toBe(false);
      expect(ready.body.upstream.error).toBe(r.body.upstream.error);
      expect((await api(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('/metrics exposes pages by status, delivery attempts and upstream calls', async () => {
    const alice = await stack.token('alice');
    const r = await api(`${server.url}/api/v1/pages`, {
      token: alice,
      body: { summary: 'Metrics page', idempotencyKey: randomKey() },
    });
    await waitFor(
      'delivered',
      async () => (await api(`${server.url}/api/v1/pages/${r.body.id}`, { token: alice })).body.status === 'delivered',
    );
    const m = await api(`${server.url}/metrics`);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = m.body as string;
    expect(text).toMatch(/klaxon_pages\{status="delivered"\} 1/);
    expect(text).toMatch(/klaxon_pages\{status="gave_up"\} 0/);
    expect(text).toMatch(/klaxon_pages_created_total 1/);
    expect(text).toMatch(/klaxon_delivery_attempts_total\{outcome="delivered"\} 1/);
    expect(text).toMatch(/klaxon_upstream_requests_total\{endpoint="alert",status="200"\} 1/);
    expect(text).toMatch(/klaxon_upstream_requests_total\{endpoint="incidents",status="200"\} [1-9]/);
    expect(text).not.toMatch(/demo-api-key|Bearer/);
  });
});

describe('web UI hosting and headers', () => {
  it('serves the built UI at / with the strict CSP and falls back to index.html for app routes', async () => {
    const root = await fetch(`${server.url}/`);
    expect(root.status).toBe(200);
    expect(await root.text()).toMatch(/<div id="root">/);
    expect(root.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(root.headers.get('x-content-type-options')).toBe('nosniff');
    expect(root.headers.get('x-frame-options')).toBe('DENY');
    expect(root.headers.get('referrer-policy')).toBe('no-referrer');
    const deep = await fetch(`${server.url}/pages/123`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toMatch(/<div id="root">/);
    expect((await fetch(`${server.url}/assets/app.js`)).status).toBe(200);
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
  });

  it('answers a clear 503 page when the UI is not built', async () => {
    const s = await startServer(stack, { storage: { sqlitePath: path.join(stack.dir, 'noui.db') } });
    try {
      const r = await fetch(`${s.url}/`);
      expect(r.status).toBe(503);
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(await r.text()).toMatch(/npm run build:renderer/);
    } finally {
      await s.close();
    }
  });

  it('answers unknown API routes with the contract error body', async () => {
    const r = await api(`${server.url}/api/v1/nothing-here`);
    expect(r.status).toBe(404);
    expect(ErrorBody.parse(r.body).error.code).toBe('not_found');
  });

  it('serves the client config without authentication and without secrets', async () => {
    const r = await api(`${server.url}/api/v1/client-config`);
    expect(r.status).toBe(200);
    const c = ClientConfig.parse(r.body);
    expect(c.oidc).toEqual({
      issuer: stack.idp.issuer,
      desktopClientId: 'klaxon-desktop',
      resource: stack.idp.resource,
      scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
    });
    expect(c.targets.map((t) => [t.id, t.isDefault])).toEqual([
      ['sre', true],
      ['platform', false],
    ]);
    expect(c.fallbackContacts[0]).toEqual({ kind: 'phone', label: 'SRE emergency line', href: 'tel:+15550100' });
    expect(c.ticketUrl).toBe('https://tickets.example.org/new?queue=sre');
    expect(c.pageRateLimit).toEqual({ max: 3, windowSeconds: 600 });
    expect(JSON.stringify(r.body)).not.toMatch(/test-web-secret|demo-api-key|demo-rest-key/);
  });
});
