// A browser's web session on two Klaxon servers sharing one PostgreSQL database: the cookie works
// on either, sign-out on one ends it on both, and when the access token expires, requests reaching
// both servers at once renew the session once (the provider rotates refresh tokens, so using the
// same one twice would be refused as a reuse and end the sign-in).
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CookieJar, completeLogin } from '#dev/identity-provider/index.js';
import { api, startServer, startStack, WEB_SECRET, type Stack } from '#test/support/server-stack.js';
import { postgresForSuite } from '#test/support/postgres.js';

const suite = postgresForSuite();
let stack: Stack;
let servers: Awaited<ReturnType<typeof startServer>>[] = [];
let ready: Promise<void> | null = null;

/** Two servers on one database; run by the first test (where PostgreSQL is missing, each test fails saying so). */
async function startServers(): Promise<void> {
  const cluster = await suite.get();
  stack = await startStack({ idp: { accessTokenTtlSeconds: 2 } });
  const postgresUrl = await cluster.createDatabase('sessions');
  servers = [
    await startServer(stack, { storage: { postgresUrl } }),
    await startServer(stack, { storage: { postgresUrl } }),
  ];
  await stack.idp.registerWebClient({
    clientId: 'klaxon-web',
    clientSecret: WEB_SECRET,
    redirectUris: servers.map((s) => `${s.url}/auth/callback`),
  });
}
beforeEach(() => (ready ??= startServers()));
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.close()));
  await Promise.allSettled([stack?.close(), suite.close()]);
});

async function signIn(): Promise<string> {
  const [a] = servers;
  const jar = new CookieJar();
  const start = await fetch(`${a!.url}/auth/login`, { redirect: 'manual' });
  jar.store(`${a!.url}/auth/login`, start);
  const { response } = await completeLogin(start.headers.get('location')!, 'alice', { cookieJar: jar });
  expect(response.status).toBe(302);
  return jar.get(`${a!.url}/api/v1/me`) ?? '';
}

const me = (i: number, cookie: string) => api(`${servers[i]!.url}/api/v1/me`, { headers: { cookie } });

describe('a web session on two servers', () => {
  it('is the same session on both, and sign-out on one ends it on both', async () => {
    const cookie = await signIn();
    const [onA, onB] = [await me(0, cookie), await me(1, cookie)];
    expect([onA.status, onB.status]).toEqual([200, 200]);
    expect(onB.body.csrfToken).toBe(onA.body.csrfToken);
    const out = await api(`${servers[1]!.url}/auth/logout`, {
      method: 'POST',
      headers: { cookie, 'x-klaxon-csrf': onB.body.csrfToken },
    });
    expect(out.status).toBe(204);
    expect((await me(0, cookie)).status).toBe(401);
  });

  it('is renewed once when requests reach both servers as the access token expires', { timeout: 30_000 }, async () => {
    const cookie = await signIn();
    for (let round = 0; round < 2; round++) {
      await new Promise((r) => setTimeout(r, 2500));
      const answers = await Promise.all([me(0, cookie), me(1, cookie), me(0, cookie), me(1, cookie)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    }
  });
});
