// mintAccessToken: tokens signed with the IdP's real key for the server's negative tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { startIdentityProvider, type RunningIdp } from '#dev/identity-provider/index.js';

let idp: RunningIdp;
let jwks: ReturnType<typeof jose.createRemoteJWKSet>;
const verify = (t: string, opts: jose.JWTVerifyOptions = {}) =>
  jose.jwtVerify(t, jwks, {
    issuer: idp.issuer,
    audience: idp.resource,
    algorithms: ['ES256'],
    typ: 'at+jwt',
    ...opts,
  });

beforeAll(async () => {
  idp = await startIdentityProvider({ accessTokenTtlSeconds: 120 });
  jwks = jose.createRemoteJWKSet(new URL(idp.jwksUri));
});
afterAll(async () => {
  await idp?.close();
});

describe('mintAccessToken', () => {
  it('signs a token that verifies like a real one, with defaults for iss, aud, exp, client_id', async () => {
    const t = await idp.mintAccessToken({ sub: 'alice', groups: ['sre'] });
    const { payload, protectedHeader } = await verify(t);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(payload).toMatchObject({
      sub: 'alice',
      groups: ['sre'],
      iss: idp.issuer,
      aud: idp.resource,
      client_id: 'klaxon-desktop',
    });
    expect(payload.exp! - payload.iat!).toBe(120);
  });

  it('produces expired, wrong-audience and wrong-issuer tokens that fail on exactly that claim', async () => {
    await expect(verify(await idp.mintAccessToken({ sub: 'alice' }, { expiresInSeconds: -60 }))).rejects.toBeInstanceOf(
      jose.errors.JWTExpired,
    );
    await expect(
      verify(await idp.mintAccessToken({ sub: 'alice', aud: 'https://other.test/api' })),
    ).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
    await expect(verify(await idp.mintAccessToken({ sub: 'alice', iss: 'http://127.0.0.1:1' }))).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iss',
    });
  });

  it('can set another typ or none', async () => {
    await expect(verify(await idp.mintAccessToken({ sub: 'alice' }, { typ: 'JWT' }))).rejects.toMatchObject({
      claim: 'typ',
    });
    const noTyp = await idp.mintAccessToken({ sub: 'alice' }, { typ: '' });
    expect(jose.decodeProtectedHeader(noTyp).typ).toBeUndefined();
    await expect(verify(noTyp, { typ: undefined })).resolves.toBeTruthy();
  });

  it('forges alg none, HS256 (public key as secret) and RS256 (unknown key) tokens that must be refused', async () => {
    const none = await idp.mintAccessToken({ sub: 'alice' }, { alg: 'none' });
    expect(none.endsWith('.')).toBe(true);
    expect(jose.decodeProtectedHeader(none).alg).toBe('none');
    await expect(verify(none)).rejects.toBeInstanceOf(jose.errors.JOSEAlgNotAllowed);

    const hs = await idp.mintAccessToken({ sub: 'alice' }, { alg: 'HS256' });
    expect(jose.decodeProtectedHeader(hs).alg).toBe('HS256');
    await expect(verify(hs)).rejects.toBeInstanceOf(jose.errors.JOSEAlgNotAllowed);
    await expect(verify(hs, { algorithms: ['ES256', 'HS256'] })).rejects.toThrow();

    const rs = await idp.mintAccessToken({ sub: 'alice' }, { alg: 'RS256' });
    await expect(verify(rs, { algorithms: ['ES256', 'RS256'] })).rejects.toBeInstanceOf(jose.errors.JWKSNoMatchingKey);
  });
});
