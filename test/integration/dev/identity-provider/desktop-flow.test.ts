// The desktop app's sign-in against the real development IdP, with openid-client v6 as the client
// and completeLogin() as the system browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { completeLogin, startIdentityProvider, type RunningIdp } from '#dev/identity-provider/index.js';
import { decodeJwt, discoverDesktop, startLoopbackSignIn } from '#test/support/loopback-client.js';

let idp: RunningIdp;
let config: oidc.Configuration;

beforeAll(async () => {
  idp = await startIdentityProvider();
  config = await discoverDesktop(idp.issuer);
});
afterAll(async () => {
  await idp?.close();
});

async function signIn(username: string, params: Parameters<typeof startLoopbackSignIn>[1] = {}) {
  const flow = await startLoopbackSignIn(config, params);
  try {
    const { response, finalUrl } = await completeLogin(flow.authorizeUrl, username);
    expect(finalUrl.startsWith(flow.redirectUri)).toBe(true);
    expect(response.status).toBe(200);
    return await flow.tokens;
  } finally {
    flow.close();
  }
}

describe('desktop sign-in (code + PKCE, loopback)', () => {
  it("issues an ID token and an RFC 9068 access token for the Klaxon resource with alice's groups", async () => {
    const tokens = await signIn('alice');
    const id = tokens.claims();
    expect(id).toMatchObject({
      sub: 'alice',
      aud: 'klaxon-desktop',
      iss: idp.issuer,
      name: 'Alice Andersen',
      email: 'alice@klaxon.test',
      groups: ['sre', 'staff'],
    });

    const { header, payload } = decodeJwt(tokens.access_token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(typeof header.kid).toBe('string');
    expect(payload).toMatchObject({
      sub: 'alice',
      iss: idp.issuer,
      aud: idp.resource,
      client_id: 'klaxon-desktop',
      groups: ['sre', 'staff'],
      name: 'Alice Andersen',
      email: 'alice@klaxon.test',
      preferred_username: 'alice',
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);
    expect(tokens.expires_in).toBe(300);
    expect(typeof tokens.refresh_token).toBe('string'); // without offline_access / prompt=consent
  });

  it('the access token verifies with jose against the JWKS with the exact issuer and audience', async () => {
    const tokens = await signIn('bob');
    const jwks = jose.createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jose.jwtVerify(tokens.access_token, jwks, {
      issuer: idp.issuer,
      audience: idp.resource,
      algorithms: ['ES256'],
      typ: 'at+jwt',
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload.groups).toEqual(['staff']);
    await expect(
      jose.jwtVerify(tokens.access_token, jwks, { issuer: idp.issuer, audience: 'https://elsewhere.test/api' }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
    // The ID token is not an access token for Klaxon.
    await expect(
      jose.jwtVerify(tokens.id_token!, jwks, { issuer: idp.issuer, audience: idp.resource }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
  });

  it.each([
    ['alice', ['sre', 'staff']],
    ['bob', ['staff']],
    ['carol', ['sre']],
    ['eve', []],
  ])('%s gets groups %j in the access token and ID token', async (username, groups) => {
    const tokens = await signIn(username);
    expect(decodeJwt(tokens.access_token).payload.groups).toEqual(groups);
    expect(tokens.claims()?.groups).toEqual(groups);
  });

  it('a client that sends the resource explicitly gets the same audience', async () => {
    const tokens = await signIn('carol', { resource: idp.resource });
    expect(decodeJwt(tokens.access_token).payload.aud).toBe(idp.resource);
  });

  it('also works the classic way: offline_access with prompt=consent', async () => {
    const flow = await startLoopbackSignIn(config, { scope: 'openid groups offline_access' });
    flow.authorizeUrl.searchParams.set('prompt', 'consent');
    try {
      await completeLogin(flow.authorizeUrl, 'carol');
      const tokens = await flow.tokens;
      expect(typeof tokens.refresh_token).toBe('string');
      expect(decodeJwt(tokens.access_token).payload).toMatchObject({ aud: idp.resource, groups: ['sre'] });
      expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).refresh_token).not.toBe(
        tokens.refresh_token,
      );
    } finally {
      flow.close();
    }
  });

  it('an unknown resource indicator is refused', async () => {
    const flow = await startLoopbackSignIn(config, { resource: 'https://other.test/api' });
    try {
      await completeLogin(flow.authorizeUrl, 'alice');
      await expect(flow.tokens).rejects.toMatchObject({ error: 'invalid_target' });
    } finally {
      flow.close();
    }
  });
});

describe('refresh tokens', () => {
  it('rotate on every use; a rotated token replayed fails with invalid_grant and revokes the grant', async () => {
    const first = await signIn('alice');
    const rt1 = first.refresh_token!;
    const second = await oidc.refreshTokenGrant(config, rt1);
    const rt2 = second.refresh_token!;
    expect(rt2).toBeTruthy();
    expect(rt2).not.toBe(rt1);
    expect(decodeJwt(second.access_token).payload).toMatchObject({ aud: idp.resource, groups: ['sre', 'staff'] });

    const third = await oidc.refreshTokenGrant(config, rt2);
    expect(third.refresh_token).not.toBe(rt2);

    await expect(oidc.refreshTokenGrant(config, rt1)).rejects.toMatchObject({ error: 'invalid_grant' });
    // Reuse detection revoked the whole grant: the newest token is dead too.
    await expect(oidc.refreshTokenGrant(config, third.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('revocation makes the refresh token fail', async () => {
    const tokens = await signIn('bob');
    await oidc.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});
