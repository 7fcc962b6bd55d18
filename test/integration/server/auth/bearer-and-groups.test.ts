// Bearer-token checks against the real development identity provider: a real sign-in token is
// accepted; every kind of bad token is refused with 401 and WWW-Authenticate; groups decide 403s.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeLogin } from '#dev/identity-provider/index.js';
import { api, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  stack = await startStack();
  server = await startServer(stack, { pageRateLimit: { max: 50, windowSeconds: 600 } });
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

/** Signs in as a person would through Klaxon desktop: native client, PKCE, loopback redirect. */
async function realSignIn(username: string): Promise<{ accessToken: string; idToken: string }> {
  const loopback = http.createServer((_req, res) => res.end('You can close this window.'));
  await new Promise<void>((r) => loopback.listen(0, '127.0.0.1', r));
  const redirectUri = `http://127.0.0.1:${(loopback.address() as AddressInfo).port}/callback`;
  try {
    const config = await oidc.discovery(new URL(stack.idp.issuer), 'klaxon-desktop', undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email groups offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      resource: stack.idp.resource,
    });
    const { finalUrl } = await completeLogin(url, username);
    const tokens = await oidc.authorizationCodeGrant(
      config,
      new URL(finalUrl),
      { pkceCodeVerifier: verifier, expectedState: state },
      { resource: stack.idp.resource },
    );
    return { accessToken: tokens.access_token, idToken: tokens.id_token! };
  } finally {
    loopback.close();
  }
}

const me = (token: string) => api(`${server.url}/api/v1/me`, { token });

function expectInvalidToken(r: Awaited<ReturnType<typeof api>>, message: RegExp) {
  expect(r.status).toBe(401);
  expect(r.body.error.code).toBe('unauthorized');
  expect(r.body.error.message).toMatch(message);
  expect(r.headers.get('www-authenticate')).toMatch(
    /^Bearer realm="klaxon", error="invalid_token", error_description="[^"]+"$/,
  );
}

describe('bearer tokens', () => {
  it('accepts an access token from a real sign-in and reports who the user is', async () => {
    const { accessToken } = await realSignIn('alice');
    const r = await me(accessToken);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      user: { sub: 'alice', name: 'Alice Andersen', email: 'alice@klaxon.test', groups: ['sre', 'staff'] },
      permissions: { view: true, page: true, acknowledge: true, audit: false },
    });
    expect(r.body.csrfToken).toBeUndefined();
  });

  it('refuses the ID token used as an access token', async () => {
    const { idToken } = await realSignIn('alice');
    expectInvalidToken(await me(idToken), /not (issued for Klaxon|an access token)/);
  });

  it('refuses a missing or malformed Authorization header', async () => {
    const r = await api(`${server.url}/api/v1/me`);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="klaxon"');
    expect(r.body.error.message).toMatch(/Sign in/);
    const basic = await api(`${server.url}/api/v1/me`, { headers: { authorization: 'Basic YWxpY2U6YWxpY2U=' } });
    expectInvalidToken(basic, /Bearer/);
  });

  it('refuses a token for another audience', async () => {
    expectInvalidToken(await me(await stack.token('alice', { aud: 'https://other.example/api' })), /wrong audience/);
  });

  it('refuses a token from another issuer', async () => {
    expectInvalidToken(await me(await stack.token('alice', { iss: 'http://127.0.0.1:1/evil' })), /wrong issuer/);
  });

  it('refuses an expired token, but tolerates 30 s of clock skew', async () => {
    expectInvalidToken(await me(await stack.token('alice', {}, { expiresInSeconds: -120 })), /expired/);
    expect((await me(await stack.token('alice', {}, { expiresInSeconds: -10 }))).status).toBe(200);
  });

  it('refuses a token issued in the future beyond the 30 s clock tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectInvalidToken(await me(await stack.token('alice', { iat: now + 120 })), /issued in the future/);
    expect((await me(await stack.token('alice', { iat: now + 10 }))).status).toBe(200);
  });

  it('refuses a token valid for longer than oidc.maxTokenLifetimeSeconds (default one day)', async () => {
    expectInvalidToken(
      await me(await stack.token('alice', {}, { expiresInSeconds: 2 * 86400 })),
      /valid for 172800 s; Klaxon accepts at most 86400 s/,
    );
    expect((await me(await stack.token('alice', {}, { expiresInSeconds: 86400 }))).status).toBe(200);
    const strict = await startServer(stack, { oidc: { maxTokenLifetimeSeconds: 600 } });
    try {
      const r = await api(`${strict.url}/api/v1/me`, {
        token: await stack.token('alice', {}, { expiresInSeconds: 3600 }),
      });
      expectInvalidToken(r, /at most 600 s/);
      expect((await api(`${strict.url}/api/v1/me`, { token: await stack.token('alice') })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('refuses alg "none" and HMAC tokens made with the public key', async () => {
    expectInvalidToken(await me(await stack.token('alice', {}, { alg: 'none' })), /(algorithm|malformed)/);
    expectInvalidToken(await me(await stack.token('alice', {}, { alg: 'HS256' })), /algorithm/);
  });

  it('refuses a token signed with a key the provider does not publish', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const good = await stack.token('alice');
    const header = JSON.parse(Buffer.from(good.split('.')[0]!, 'base64url').toString()) as { kid: string };
    const payload = JSON.parse(Buffer.from(good.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const forged = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: header.kid })
      .sign(privateKey);
    expectInvalidToken(await me(forged), /signature is not valid/);
    // Tampering with the payload of a real token breaks the signature too.
    const tampered = [
      good.split('.')[0],
      Buffer.from(JSON.stringify({ ...payload, groups: ['sre', 'admin'] })).toString('base64url'),
      good.split('.')[2],
    ].join('.');
    expectInvalidToken(await me(tampered), /signature is not valid/);
  });

  it('refuses a token without typ at+jwt and one without sub', async () => {
    expectInvalidToken(await me(await stack.token('alice', {}, { typ: 'JWT' })), /not an access token/);
    expectInvalidToken(await me(await stack.token('alice', { sub: undefined })), /"sub"/);
  });
});

describe('groups', () => {
  it('lets eve (no groups) sign in but not see incidents or page, naming the groups that would', async () => {
    const eve = await stack.token('eve');
    const who = await me(eve);
    expect(who.status).toBe(200);
    expect(who.body.permissions).toEqual({ view: false, page: false, acknowledge: false, audit: false });
    const page = await api(`${server.url}/api/v1/pages`, {
      token: eve,
      body: { summary: 'Site down', idempotencyKey: randomKey() },
    });
    expect(page.status).toBe(403);
    expect(page.body.error).toEqual({
      code: 'forbidden',
      message:
        'To page SRE you need to be in one of these groups: staff, sre. Ask your IT team to add you, then sign in again.',
      requiredGroups: ['staff', 'sre'],
    });
    const incidents = await api(`${server.url}/api/v1/incidents`, { token: eve });
    expect(incidents.status).toBe(403);
    expect(incidents.body.error.requiredGroups).toEqual(['staff', 'sre']);
  });

  it('lets bob (staff) page but not acknowledge', async () => {
    const bob = await stack.token('bob');
    const page = await api(`${server.url}/api/v1/pages`, {
      token: bob,
      body: { summary: 'Checkout is down', idempotencyKey: randomKey() },
    });
    expect(page.status).toBe(202);
    expect(page.body.requester).toEqual({ sub: 'bob', name: 'Bob Brown', email: 'bob@klaxon.test' });
    const ack = await api(`${server.url}/api/v1/incidents/1/ack`, { token: bob, body: {} });
    expect(ack.status).toBe(403);
    expect(ack.body.error.requiredGroups).toEqual(['sre']);
    expect(ack.body.error.message).toMatch(/acknowledge incidents you need to be in the group sre/);
  });

  it('treats a malformed groups claim as no groups', async () => {
    const r = await me(await stack.token('alice', { groups: { sre: true } }));
    expect(r.status).toBe(200);
    expect(r.body.permissions).toEqual({ view: false, page: false, acknowledge: false, audit: false });
  });

  it('counts refusals by reason in /metrics', async () => {
    const text = (await api(`${server.url}/metrics`)).body as string;
    expect(text).toMatch(/klaxon_auth_failures_total\{reason="wrong_audience"\} [1-9]/);
    expect(text).toMatch(/klaxon_auth_failures_total\{reason="forbidden"\} [1-9]/);
    expect(text).toMatch(/klaxon_auth_failures_total\{reason="expired"\} [1-9]/);
  });
});
