// The web UI's Content-Security-Policy with and without client error reports (server/http/web-ui.ts):
// the header and the <meta> policy in index.html always agree, and `connect-src` names the Sentry
// host only while `sentry.clientDsn` is set. Requests go in with app.inject.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientConfig } from '#common/index.js';
import { buildApp } from '#server/app.js';
import { loadServerConfig, type ServerConfigOverrides } from '#server/config/index.js';
import { CONTENT_SECURITY_POLICY, contentSecurityPolicy, withPolicy } from '#server/http/web-ui.js';
import { SqliteStore } from '#server/store/sqlite-store.js';

const INDEX = path.resolve(import.meta.dirname, '../../../../renderer/index.html');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-webui-'));
  copyFileSync(INDEX, path.join(dir, 'index.html'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function app(sentry: ServerConfigOverrides['sentry'] = {}) {
  const config = loadServerConfig({
    env: {},
    warn: () => {},
    overrides: {
      oidc: { issuer: 'http://127.0.0.1:9/', audience: 'klaxon-test' },
      oncall: { apiId: 'id', apiKey: 'key', restEndpointKey: 'rest' },
      storage: { sqlitePath: ':memory:' },
      webUi: { dir },
      logLevel: 'silent',
      sentry,
    },
  });
  const store = new SqliteStore(':memory:');
  const klaxon = await buildApp({ config, store, logger: false });
  return {
    inject: (url: string) => klaxon.app.inject({ method: 'GET', url }),
    async close() {
      await klaxon.close();
      await store.close();
    },
  };
}

const metaPolicy = (html: string) =>
  /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)?.[1] ?? null;

describe('web UI Content-Security-Policy', () => {
  it('is exactly what renderer/index.html states while error reports are off (the header adds frame-ancestors)', async () => {
    expect(metaPolicy(readFileSync(INDEX, 'utf8'))).toBe(contentSecurityPolicy(null, 'meta'));
    expect(CONTENT_SECURITY_POLICY).toBe(`${contentSecurityPolicy(null, 'meta')}; frame-ancestors 'none'`);
    const a = await app();
    try {
      for (const url of ['/', '/index.html', '/incidents/42']) {
        const r = await a.inject(url);
        expect(r.statusCode, url).toBe(200);
        expect(r.headers['content-security-policy'], url).toBe(CONTENT_SECURITY_POLICY);
        expect(r.body, url).toBe(readFileSync(INDEX, 'utf8'));
      }
      expect((await a.inject('/assets/app.js')).headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(ClientConfig.parse((await a.inject('/api/v1/client-config')).json()).sentry).toBeUndefined();
    } finally {
      await a.close();
    }
  });

  it("adds the client DSN's origin to connect-src, in the header and the <meta>, and nothing else", async () => {
    const a = await app({
      dsn: 'https://serverkey@o1.ingest.sentry.io/11',
      clientDsn: 'https://clientkey@o2.ingest.de.sentry.io/22',
      environment: 'staging',
      sampleRate: 0.5,
    });
    const expected = contentSecurityPolicy('https://o2.ingest.de.sentry.io');
    expect(expected).toBe(
      CONTENT_SECURITY_POLICY.replace("connect-src 'self'", "connect-src 'self' https://o2.ingest.de.sentry.io"),
    );
    // The <meta> policy is the same without frame-ancestors (not allowed in a <meta> policy).
    const expectedMeta = contentSecurityPolicy('https://o2.ingest.de.sentry.io', 'meta');
    expect(expectedMeta).toBe(expected.replace("; frame-ancestors 'none'", ''));
    try {
      for (const url of ['/', '/index.html', '/incidents/42']) {
        const r = await a.inject(url);
        expect(r.headers['content-security-policy'], url).toBe(expected);
        expect(metaPolicy(r.body), url).toBe(expectedMeta);
        expect(r.body, url).toBe(withPolicy(readFileSync(INDEX, 'utf8'), expectedMeta));
      }
      const config = ClientConfig.parse((await a.inject('/api/v1/client-config')).json());
      expect(config.sentry).toEqual({
        dsn: 'https://clientkey@o2.ingest.de.sentry.io/22',
        environment: 'staging',
        release: expect.stringMatching(/^klaxon@\d+\.\d+\.\d+/),
        sampleRate: 0.5,
      });
      // The server's own DSN is never handed out.
      expect(JSON.stringify(config)).not.toContain('serverkey');
    } finally {
      await a.close();
    }
  });
});

describe('sentry.* configuration', () => {
  it.each([
    [{ dsn: 'https://o1.ingest.sentry.io/11' }, 'sentry.dsn: has no public key'],
    [{ clientDsn: 'https://key:secret@o1.ingest.sentry.io/11' }, 'sentry.clientDsn: contains a secret key'],
    [{ sampleRate: 2 }, 'sentry.sampleRate: must be at most 1'],
  ])('refuses %j', async (sentry, message) => {
    await expect(app(sentry)).rejects.toThrow(message);
  });

  it('takes DSNs, environment and release from the environment', () => {
    const config = loadServerConfig({
      env: {
        KLAXON_SENTRY_DSN: 'https://a@o1.ingest.sentry.io/1',
        KLAXON_SENTRY_CLIENT_DSN: 'https://b@o1.ingest.sentry.io/2',
        KLAXON_SENTRY_ENVIRONMENT: 'staging',
        KLAXON_SENTRY_RELEASE: 'klaxon@9.9.9-rc.1',
      },
      warn: () => {},
      overrides: {
        oidc: { issuer: 'http://127.0.0.1:9/', audience: 'klaxon-test' },
        oncall: { apiId: 'id', apiKey: 'key', restEndpointKey: 'rest' },
      },
    });
    expect(config.sentry).toEqual({
      dsn: 'https://a@o1.ingest.sentry.io/1',
      clientDsn: 'https://b@o1.ingest.sentry.io/2',
      environment: 'staging',
      release: 'klaxon@9.9.9-rc.1',
      sampleRate: 1,
    });
  });
});
