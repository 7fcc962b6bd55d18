// rotateSigningKey: the development provider starts signing with a new key, publishes it next to
// the old one (so tokens already issued stay valid), and keeps its sessions and grants.
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityProvider, type RunningIdp } from '#dev/identity-provider/index.js';

let idp: RunningIdp;
beforeAll(async () => {
  idp = await startIdentityProvider();
});
afterAll(() => idp?.close());

const kidOf = (t: string) => jose.decodeProtectedHeader(t).kid;
const publishedKids = async () =>
  ((await (await fetch(idp.jwksUri)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

describe('key rotation', () => {
  it('signs with the new key, publishes both, and counts JWKS requests', async () => {
    const before = await idp.mintAccessToken({ sub: 'alice' });
    const oldKid = kidOf(before)!;
    expect(await publishedKids()).toEqual([oldKid]);
    const requestsBefore = idp.jwksRequests();

    const newKid = await idp.rotateSigningKey();
    expect(newKid).not.toBe(oldKid);
    const after = await idp.mintAccessToken({ sub: 'alice' });
    expect(kidOf(after)).toBe(newKid);
    expect(await publishedKids()).toEqual([newKid, oldKid]);
    expect(idp.jwksRequests()).toBe(requestsBefore + 1);

    const jwks = jose.createRemoteJWKSet(new URL(idp.jwksUri));
    for (const t of [before, after]) await jose.jwtVerify(t, jwks, { issuer: idp.issuer, audience: idp.resource });
  });

  it('discovery still works after a rotation', async () => {
    await idp.rotateSigningKey();
    const meta = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(meta.issuer).toBe(idp.issuer);
  });
});
