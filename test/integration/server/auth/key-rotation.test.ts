// The provider's signing keys (server/auth/provider-keys.ts) against the development identity
// provider's real key rotation: a stranger's token with an unknown key id must not lock real users
// out after a rotation, and strangers must not make the server hammer the provider's JWKS.
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, startStack, type Stack } from '#test/support/server-stack.js';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  stack = await startStack();
  server = await startServer(stack);
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

const me = (token: string) => api(`${server.url}/api/v1/me`, { token });

/** A token that looks like the provider's (issuer, audience, lifetime) but is signed with a key it never published. */
async function strangersToken(kid: string, claims: Record<string, unknown> = {}): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: stack.idp.issuer,
    aud: stack.idp.resource,
    sub: 'mallory',
    iat: now,
    exp: now + 300,
    groups: ['sre'],
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
    .sign(privateKey);
}

describe('provider key rotation', () => {
  it('a stranger’s unknown-kid token just before a rotation does not refuse the real user', async () => {
    expect((await me(await stack.token('alice'))).status).toBe(200); // keys fetched and cached
    const refused = await me(await strangersToken('stranger-before-rotation'));
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/key the sign-in provider does not publish/);

    await stack.idp.rotateSigningKey();
    const token = await stack.token('alice'); // signed with the new key
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 10_000) {
      status = (await me(token)).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('strangers cannot make the server hammer the provider', { timeout: 20_000 }, async () => {
    await new Promise((r) => setTimeout(r, 2_100)); // out of the previous test's refetch gap
    const before = stack.idp.jwksRequests();
    const started = Date.now();
    // 200 requests over about 4 s, each with a new unknown key id, not waiting for the answers.
    const answers: Promise<Awaited<ReturnType<typeof me>>>[] = [];
    for (let round = 0; round < 20; round++) {
      const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => strangersToken(`stranger-${round}-${i}`)));
      answers.push(...tokens.map((t) => me(t)));
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await Promise.all(answers)).every((a) => a.status === 401)).toBe(true);
    const seconds = (Date.now() - started) / 1000;
    const fetches = stack.idp.jwksRequests() - before;
    // At most one refetch per 2 s gap (plus the one the first stranger may start at once).
    expect(fetches).toBeGreaterThan(0);
    expect(fetches).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 1);
    // Meanwhile the real user is served as usual.
    expect((await me(await stack.token('alice'))).status).toBe(200);
  });

  it('tokens that could never be valid (wrong issuer, audience, expired) never trigger a refetch', async () => {
    await new Promise((r) => setTimeout(r, 2_100));
    const before = stack.idp.jwksRequests();
    const now = Math.floor(Date.now() / 1000);
    for (const claims of [
      { iss: 'https://evil.example' },
      { aud: 'https://other.example/api' },
      { exp: now - 3600, iat: now - 3700 },
    ]) {
      const r = await me(await strangersToken(`garbage-${JSON.stringify(claims)}`, claims));
      expect(r.status).toBe(401);
    }
    expect(stack.idp.jwksRequests()).toBe(before);
  });
});
