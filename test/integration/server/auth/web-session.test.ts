// Browser sign-in run by the server (OIDC code flow + PKCE against the real IdP), the session
// cookie, CSRF protection on state-changing requests, and sign-out revoking the session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, completeLogin } from '#dev/identity-provider/index.js';
import { api, randomKey, startServer, startStack, WEB_SECRET, type Stack } from '#test/support/server-stack.js';

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

async function browserSignIn(
  username: string,
  consent: 'grant' | 'deny' = 'grant',
): Promise<{ jar: CookieJar; callback: Response }> {
  const jar = new CookieJar();
  const start = await fetch(`${server.url}/auth/login?returnTo=/pages`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  jar.store(`${server.url}/auth/login`, start);
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.origin).toBe(stack.idp.issuer);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${server.url}/auth/callback`);
  const { response } = await completeLogin(authorize, username, { cookieJar: jar, consent });
  return { jar, callback: response };
}

const withCookie = (jar: CookieJar, path: string) => ({ cookie: jar.get(`${server.url}${path}`) ?? '' });

describe('web sign-in', () => {
  it('signs in through the identity provider and sets an HttpOnly SameSite=Lax session cookie', async () => {
    const { jar, callback } = await browserSignIn('alice');
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/pages');
    const setCookie = callback.headers.getSetCookie().find((c) => c.startsWith('klaxon_session='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    const me = await api(`${server.url}/api/v1/me`, { headers: withCookie(jar, '/api/v1/me') });
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual({
      sub: 'alice',
      name: 'Alice Andersen',
      email: 'alice@klaxon.test',
      groups: ['sre', 'staff'],
    });
    expect(me.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{32,}$/);
  });

  it('GET /api/v1/session answers 200 either way: nobody before sign-in, the person and the CSRF token after', async () => {
    const anonymous = await api(`${server.url}/api/v1/session`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ me: null });
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
    const stale = await api(`${server.url}/api/v1/session`, { headers: { cookie: 'klaxon_session=forged.value' } });
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual({ me: null });

    const { jar } = await browserSignIn('eve');
    const session = await api(`${server.url}/api/v1/session`, { headers: withCookie(jar, '/api/v1/session') });
    expect(session.status).toBe(200);
    const me = await api(`${server.url}/api/v1/me`, { headers: withCookie(jar, '/api/v1/me') });
    // The same answer as /me (a refused person is signed in too: the UI names the groups to ask for).
    expect(session.body).toEqual({ me: me.body });
    expect(session.body.me.permissions).toEqual({ view: false, page: false, acknowledge: false, audit: false });
    expect(session.body.me.csrfToken).toMatch(/^[A-Za-z0-9_-]{32,}$/);
  });

  it('requires the CSRF header on state-changing requests made with the cookie', async () => {
    const { jar } = await browserSignIn('bob');
    const cookie = withCookie(jar, '/api/v1/pages');
    const csrf = (await api(`${server.url}/api/v1/me`, { headers: cookie })).body.csrfToken as string;
    const body = { summary: 'Web page', idempotencyKey: randomKey() };
    const without = await api(`${server.url}/api/v1/pages`, { body, headers: cookie });
    expect(without.status).toBe(403);
    expect(without.body.error.message).toMatch(/anti-forgery token \(x-klaxon-csrf\)/);
    const wrong = await api(`${server.url}/api/v1/pages`, {
      body,
      headers: { ...cookie, 'x-klaxon-csrf': `${csrf.slice(0, -2)}xx` },
    });
    expect(wrong.status).toBe(403);
    const ok = await api(`${server.url}/api/v1/pages`, { body, headers: { ...cookie, 'x-klaxon-csrf': csrf } });
    expect(ok.status).toBe(202);
    expect(ok.body.client).toBe('web');
    expect(ok.body.requester.name).toBe('Bob Brown');
    // Reading needs no CSRF token.
    expect((await api(`${server.url}/api/v1/pages/mine`, { headers: cookie })).body.pages[0].id).toBe(ok.body.id);
  });

  it('signs out: the session is revoked on the server, so the old cookie no longer works', async () => {
    const { jar } = await browserSignIn('carol');
    const cookie = withCookie(jar, '/auth/logout');
    const csrf = (await api(`${server.url}/api/v1/me`, { headers: cookie })).body.csrfToken as string;
    const noCsrf = await api(`${server.url}/auth/logout`, { method: 'POST', headers: cookie });
    expect(noCsrf.status).toBe(403);
    const out = await api(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: { ...cookie, 'x-klaxon-csrf': csrf },
    });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join(';')).toMatch(/klaxon_session=;/);
    const after = await api(`${server.url}/api/v1/me`, { headers: cookie });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/sign in again/);
  });

  it('refuses a forged session cookie and explains a declined sign-in', async () => {
    const forged = await api(`${server.url}/api/v1/me`, {
      headers: { cookie: 'klaxon_session=eyJzaWQiOiJ4In0.forged' },
    });
    expect(forged.status).toBe(401);
    const { callback } = await browserSignIn('alice', 'deny');
    expect(callback.status).toBe(403);
    expect(await callback.text()).toMatch(/declined/);
  });

  it('refuses a callback without the login cookie (no CSRF on the sign-in itself)', async () => {
    const r = await fetch(`${server.url}/auth/callback?code=abc&state=def`, { redirect: 'manual' });
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/Start again/);
  });
});

describe('web session renewal', () => {
  it('renews the session with the refresh token once the access token expires', async () => {
    const short = await startStack({ idp: { accessTokenTtlSeconds: 2 } });
    const s = await startServer(short);
    try {
      await short.idp.registerWebClient({
        clientId: 'klaxon-web',
        clientSecret: WEB_SECRET,
        redirectUris: [`${s.url}/auth/callback`],
      });
      const jar = new CookieJar();
      const start = await fetch(`${s.url}/auth/login`, { redirect: 'manual' });
      jar.store(`${s.url}/auth/login`, start);
      const { response } = await completeLogin(start.headers.get('location')!, 'alice', { cookieJar: jar });
      expect(response.status).toBe(302);
      const cookie = { cookie: jar.get(`${s.url}/api/v1/me`) ?? '' };
      expect((await api(`${s.url}/api/v1/me`, { headers: cookie })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2500));
      // Expired access token: the server refreshes it behind the same cookie.
      const later = await api(`${s.url}/api/v1/me`, { headers: cookie });
      expect(later.status).toBe(200);
      expect(later.body.user.sub).toBe('alice');
    } finally {
      await s.close();
      await short.close();
    }
  });
});
