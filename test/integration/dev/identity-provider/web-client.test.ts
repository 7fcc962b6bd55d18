// The Klaxon server's browser sign-in: a confidential web client registered once the server knows
// its URL (registerWebClient) or at start (webClients), then the code flow through a real HTTP
// "server" whose /auth/callback exchanges the code and sets a session cookie.
import * as http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { completeLogin, startIdentityProvider, type RunningIdp } from '#dev/identity-provider/index.js';
import { decodeJwt } from '#test/support/loopback-client.js';

interface FakeServer {
  url: string;
  close(): void;
  lastTokens(): oidc.TokenEndpointResponse | undefined;
  lastError(): unknown;
}

/** A stand-in for the Klaxon server's /auth/login + /auth/callback, using openid-client. */
async function startFakeServer(
  issuer: string,
  clientId: string,
  secret: string,
  auth: 'post' | 'basic' = 'post',
): Promise<FakeServer & { loginUrl(): Promise<URL> }> {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let config: oidc.Configuration | undefined;
  const pending = new Map<string, { verifier: string; nonce: string }>();
  let tokens: oidc.TokenEndpointResponse | undefined;
  let error: unknown;
  const discover = async () =>
    (config ??= await oidc.discovery(
      new URL(issuer),
      clientId,
      undefined,
      auth === 'post' ? oidc.ClientSecretPost(secret) : oidc.ClientSecretBasic(secret),
      { execute: [oidc.allowInsecureRequests] },
    ));
  server.on('request', (req, res) => {
    const current = new URL(req.url ?? '/', url);
    const state = current.searchParams.get('state') ?? '';
    const p = pending.get(state);
    (async () => {
      if (current.pathname !== '/auth/callback' || !p) {
        res.writeHead(404).end();
        return;
      }
      tokens = await oidc.authorizationCodeGrant(await discover(), current, {
        pkceCodeVerifier: p.verifier,
        expectedState: state,
        expectedNonce: p.nonce,
        idTokenExpected: true,
      });
      res.writeHead(302, { location: '/', 'set-cookie': 'klaxon_session=s-123; Path=/; HttpOnly; SameSite=Lax' }).end();
    })().catch((e: unknown) => {
      error = e;
      res.writeHead(401).end('sign-in failed');
    });
  });
  return {
    url,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
    lastTokens: () => tokens,
    lastError: () => error,
    async loginUrl() {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      pending.set(state, { verifier, nonce });
      return oidc.buildAuthorizationUrl(await discover(), {
        redirect_uri: `${url}/auth/callback`,
        scope: 'openid profile email groups',
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
    },
  };
}

let idp: RunningIdp;
beforeAll(async () => {
  idp = await startIdentityProvider();
});
afterAll(async () => {
  await idp?.close();
});

describe('registerWebClient', () => {
  it('adds a confidential client at run time; the code flow ends at the server callback with its cookie', async () => {
    const server = await startFakeServer(idp.issuer, 'klaxon-web', 'web-secret-1');
    try {
      // Before registration the IdP does not know the client.
      const before = await fetch(
        `${idp.issuer}/auth?client_id=klaxon-web&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${server.url}/auth/callback`)}`,
        { redirect: 'manual' },
      );
      expect(before.status).toBe(400);
      expect(await before.text()).toContain('invalid_client');

      await idp.registerWebClient({
        clientId: 'klaxon-web',
        clientSecret: 'web-secret-1',
        redirectUris: [`${server.url}/auth/callback`],
      });
      const { response, finalUrl, cookieJar } = await completeLogin(await server.loginUrl(), 'carol');
      expect(server.lastError()).toBeUndefined();
      expect(finalUrl.startsWith(`${server.url}/auth/callback?`)).toBe(true);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/');
      expect(cookieJar.header(`${server.url}/`)).toBe('klaxon_session=s-123');

      const tokens = server.lastTokens()!;
      expect(decodeJwt(tokens.id_token!).payload).toMatchObject({ sub: 'carol', aud: 'klaxon-web', groups: ['sre'] });
      expect(decodeJwt(tokens.access_token).payload).toMatchObject({
        aud: idp.resource,
        client_id: 'klaxon-web',
        groups: ['sre'],
        name: 'Carol Okafor',
      });
    } finally {
      server.close();
    }
  });

  it('accepts client_secret_basic as well, and refuses a wrong secret', async () => {
    const good = await startFakeServer(idp.issuer, 'klaxon-web-basic', 'right', 'basic');
    const bad = await startFakeServer(idp.issuer, 'klaxon-web-basic', 'wrong', 'basic');
    try {
      await idp.registerWebClient({
        clientId: 'klaxon-web-basic',
        clientSecret: 'right',
        redirectUris: [`${good.url}/auth/callback`, `${bad.url}/auth/callback`],
      });
      expect((await completeLogin(await good.loginUrl(), 'bob')).response.status).toBe(302);
      const { response } = await completeLogin(await bad.loginUrl(), 'bob');
      expect(response.status).toBe(401);
      expect(bad.lastError()).toMatchObject({ cause: [{ parameters: { error: 'invalid_client' } }] });
    } finally {
      good.close();
      bad.close();
    }
  });

  it("refuses the web client's unregistered redirect URI and invalid metadata", async () => {
    await idp.registerWebClient({
      clientId: 'klaxon-web-2',
      clientSecret: 's',
      redirectUris: ['http://127.0.0.1:8787/auth/callback'],
    });
    const other = await fetch(
      `${idp.issuer}/auth?client_id=klaxon-web-2&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9999/auth/callback')}`,
      { redirect: 'manual' },
    );
    expect(other.status).toBe(400); // web clients match exactly: no loopback any-port
    expect(await other.text()).toContain('invalid_redirect_uri');
    await expect(
      idp.registerWebClient({ clientId: 'broken', clientSecret: 's', redirectUris: ['not a url'] }),
    ).rejects.toThrow(/redirect_uris/);
    await expect(
      idp.registerWebClient({ clientId: 'klaxon-desktop', clientSecret: 's', redirectUris: ['http://127.0.0.1:1/cb'] }),
    ).rejects.toThrow(/desktop client/);
  });
});

describe('webClients option', () => {
  it('registers clients at start, and IdPs in one process do not share clients', async () => {
    const server = await startFakeServer('http://pending.invalid', 'static-web', 'static-secret');
    const idp2 = await startIdentityProvider({
      webClients: [
        { clientId: 'static-web', clientSecret: 'static-secret', redirectUris: [`${server.url}/auth/callback`] },
      ],
    });
    const server2 = await startFakeServer(idp2.issuer, 'static-web', 'static-secret');
    try {
      const res = await fetch(
        `${idp2.issuer}/auth?client_id=static-web&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${server.url}/auth/callback`)}`,
        { redirect: 'manual' },
      );
      expect(res.status).toBe(303);
      const other = await fetch(
        `${idp.issuer}/auth?client_id=static-web&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${server.url}/auth/callback`)}`,
        { redirect: 'manual' },
      );
      expect(other.status).toBe(400);
      await idp2.registerWebClient({
        clientId: 'static-web',
        clientSecret: 'static-secret',
        redirectUris: [`${server.url}/auth/callback`, `${server2.url}/auth/callback`],
      });
      expect((await completeLogin(await server2.loginUrl(), 'alice')).response.status).toBe(302);
      expect(decodeJwt(server2.lastTokens()!.access_token).payload.groups).toEqual(['sre', 'staff']);
    } finally {
      server.close();
      server2.close();
      await idp2.close();
    }
  });
});
