// Audit fixes around sign-in: no open redirect after web sign-in, a session survives a sign-in
// provider failure during renewal, an issuer mismatch is explained, `bearer` is accepted in any case.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, completeLogin } from '#dev/identity-provider/index.js';
import { ConfigError, loadServerConfig, startKlaxonServer } from '#server/index.js';
import { api, startServer, startStack, WEB_SECRET, type Stack } from '#test/support/server-stack.js';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  stack = await startStack();
  server = await startServer(stack);
  await stack.idp.registerWebClient({
    clientId: 'klaxon-web',
    clientSecret: WEB_SECRET,
    redirectUris: [`${server.url}/auth/callback`],
  });
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

/** Signs in through the real IdP starting from /auth/login?returnTo=…; returns where the callback redirects. */
async function signInReturningTo(returnTo: string): Promise<string | null> {
  const jar = new CookieJar();
  const start = await fetch(`${server.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, {
    redirect: 'manual',
  });
  expect(start.status).toBe(302);
  jar.store(`${server.url}/auth/login`, start);
  const { response } = await completeLogin(start.headers.get('location')!, 'alice', { cookieJar: jar });
  expect(response.status).toBe(302);
  return response.headers.get('location');
}

describe('return address after web sign-in', () => {
  it.each([
    ['//evil.example/x'],
    ['/\t/evil.example'],
    ['/\t\\evil.example'],
    ['/\\evil.example'],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['/\n/evil.example'],
    // Dot segments that collapse into "//evil.example" once the URL is resolved, plain or encoded.
    ['/..//evil.example'],
    ['/.//evil.example'],
    ['/%2e%2e//evil.example'],
    ['/%2E%2E/\\evil.example'],
    ['/pages/.%2E//evil.example'],
    ['/.\t.//evil.example'],
  ])('sends the browser to / instead of %j', async (returnTo) => {
    expect(await signInReturningTo(returnTo)).toBe('/');
  });

  it('keeps a same-origin path with its query and fragment', async () => {
    expect(await signInReturningTo('/pages?tab=mine#latest')).toBe('/pages?tab=mine#latest');
  });
});

describe('Authorization scheme', () => {
  it('accepts "bearer" and "BEARER" as well as "Bearer"', async () => {
    const token = await stack.token('alice');
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const r = await api(`${server.url}/api/v1/me`, { headers: { authorization: `${scheme} ${token}` } });
      expect(r.status, scheme).toBe(200);
      expect(r.body.user.sub).toBe('alice');
    }
  });
});

describe('issuer mismatch', () => {
  it('refuses to start by default, naming oidc.issuer and the value to set', async () => {
    const config = loadServerConfig({
      env: {},
      overrides: stack.serverOverrides({ oidc: { issuer: `${stack.idp.issuer}/` } }),
      warn: () => {},
    });
    const refused = await startKlaxonServer(config, { logger: false }).then(
      async (s) => {
        await s.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).key).toBe('oidc.issuer');
    expect((refused as ConfigError).message).toBe(
      `oidc.issuer: "${stack.idp.issuer}/" is not the issuer the sign-in provider names ("${stack.idp.issuer}"), so every sign-in would be refused; set oidc.issuer to "${stack.idp.issuer}" (or oidc.issuerMismatch to "warn" to start anyway).`,
    );
  });

  it('with oidc.issuerMismatch "warn": starts, logs what to set, and /readyz is not ready', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const config = loadServerConfig({
      env: {},
      overrides: stack.serverOverrides({ oidc: { issuer: `${stack.idp.issuer}/`, issuerMismatch: 'warn' } }),
      warn: () => {},
    });
    const s = await startKlaxonServer(config, { logger: { stream } });
    try {
      const r = await api(`${s.url}/api/v1/me`, { token: await stack.token('alice') });
      expect(r.status).toBe(401);
      const expected = `oidc.issuer "${stack.idp.issuer}/" differs from the provider's issuer "${stack.idp.issuer}"; set oidc.issuer to "${stack.idp.issuer}"`;
      const logged = lines
        .map((l) => JSON.parse(l) as { level: number; msg: string })
        .find((l) => l.msg.startsWith(expected));
      expect(logged?.level).toBe(50); // pino "error"
      const ready = await api(`${s.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: 'not_ready',
        identityProvider: { ok: false, error: expect.stringContaining(`set oidc.issuer to "${stack.idp.issuer}"`) },
      });
    } finally {
      await s.close();
    }
  });
});

describe('web session renewal while the sign-in provider fails', () => {
  it(
    'keeps the refresh token after a non-invalid_grant error and renews once the provider works again',
    { timeout: 30_000 },
    async () => {
      const short = await startStack({ idp: { accessTokenTtlSeconds: 2 } });
      const s = await startServer(short);
      try {
        const client = { clientId: 'klaxon-web', clientSecret: WEB_SECRET, redirectUris: [`${s.url}/auth/callback`] };
        await short.idp.registerWebClient(client);
        const jar = new CookieJar();
        const start = await fetch(`${s.url}/auth/login`, { redirect: 'manual' });
        jar.store(`${s.url}/auth/login`, start);
        await completeLogin(start.headers.get('location')!, 'alice', { cookieJar: jar });
        const cookie = { cookie: jar.get(`${s.url}/api/v1/me`) ?? '' };
        expect((await api(`${s.url}/api/v1/me`, { headers: cookie })).status).toBe(200);
        // The provider now refuses Klaxon's client credentials (invalid_client): a provider-side
        // failure, not a dead grant.
        await short.idp.registerWebClient({ ...client, clientSecret: 'rotated-by-mistake' });
        await new Promise((r) => setTimeout(r, 2500));
        const during = await api(`${s.url}/api/v1/me`, { headers: cookie });
        expect(during.status).toBe(401);
        // Fixed: the same cookie works again, without signing in again.
        await short.idp.registerWebClient(client);
        const after = await api(`${s.url}/api/v1/me`, { headers: cookie });
        expect(after.status).toBe(200);
        expect(after.body.user.sub).toBe('alice');
      } finally {
        await s.close();
        await short.close();
      }
    },
  );
});
