// The IdP's own login and consent pages, redirect-URI rules, consent denial and sign-out, driven
// over HTTP exactly as a browser would (cookies, 303s, form posts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { completeLogin, CookieJar, startIdentityProvider, type RunningIdp } from '#dev/identity-provider/index.js';
import { discoverDesktop, startLoopbackSignIn } from '#test/support/loopback-client.js';

let idp: RunningIdp;
let config: oidc.Configuration;

beforeAll(async () => {
  idp = await startIdentityProvider();
  config = await discoverDesktop(idp.issuer);
});
afterAll(async () => {
  await idp?.close();
});

async function get(url: string | URL, jar: CookieJar): Promise<Response> {
  const cookie = jar.header(url);
  const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  jar.store(url, res);
  return res;
}

async function post(url: string | URL, jar: CookieJar, form: Record<string, string>): Promise<Response> {
  const cookie = jar.header(url);
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  });
  jar.store(url, res);
  return res;
}

/** Authorization request for the desktop client with a given redirect URI (PKCE included). */
async function authorizeUrl(redirectUri: string, extra: Record<string, string> = {}): Promise<URL> {
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid groups',
    state: oidc.randomState(),
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    ...extra,
  });
}

/** Follows the authorization request to the login page; returns its URL and HTML. */
async function openLoginPage(jar: CookieJar) {
  const res = await get(await authorizeUrl('http://127.0.0.1:45678/callback'), jar);
  expect(res.status).toBe(303);
  const pageUrl = new URL(res.headers.get('location')!, idp.issuer);
  expect(pageUrl.pathname).toMatch(/^\/interaction\/[\w-]+$/);
  const page = await get(pageUrl, jar);
  return { pageUrl, page, html: await page.text() };
}

describe('login page', () => {
  it('is an accessible form with labelled fields, a Sign in button, the demo accounts and a strict CSP', async () => {
    const { page, html } = await openLoginPage(new CookieJar());
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("form-action 'self' http://127.0.0.1:45678"); // the redirect after the form post
    expect(html).not.toMatch(/<script|style="/);
    expect(html).toContain('<label for="username">Username</label>');
    expect(html).toMatch(/<input id="username" name="username"/);
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toMatch(/<input id="password" type="password" name="password"/);
    expect(html).toMatch(/<button[^>]*type="submit">Sign in<\/button>/);
    expect(html).toContain('<html lang="en">');
    for (const [name, groups] of [
      ['Alice Andersen', 'sre, staff'],
      ['Bob Brown', 'staff'],
      ['Carol Okafor', 'sre'],
      ['Eve Evans', 'none'],
    ]) {
      expect(html).toMatch(new RegExp(`${name}</td><td>(<span class="note">)?${groups}`));
    }
    const css = await fetch(new URL('/static/idp.css', idp.issuer));
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toContain('main {');
  });

  it('shows an error and keeps the username on a wrong password, then accepts the right one', async () => {
    const jar = new CookieJar();
    const { pageUrl } = await openLoginPage(jar);
    const wrong = await post(`${pageUrl.href}/login`, jar, { username: 'alice', password: 'bob' });
    expect(wrong.status).toBe(401);
    const html = await wrong.text();
    expect(html).toMatch(/<p role="alert" id="login-error">Wrong username or password/);
    expect(html).toContain('value="alice"');

    const right = await post(`${pageUrl.href}/login`, jar, { username: 'alice', password: 'alice' });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toMatch(/\/auth\/[\w-]+$/);
  });

  it('completeLogin reports a refused password instead of looping', async () => {
    const flow = await startLoopbackSignIn(config);
    try {
      await expect(completeLogin(flow.authorizeUrl, 'alice', { password: 'wrong' })).rejects.toThrow(
        /refused.*wrong username or password/i,
      );
    } finally {
      flow.close();
    }
  });

  it('an unknown user cannot sign in', async () => {
    const jar = new CookieJar();
    const { pageUrl } = await openLoginPage(jar);
    const res = await post(`${pageUrl.href}/login`, jar, { username: 'mallory', password: 'mallory' });
    expect(res.status).toBe(401);
  });

  it('a form post without the interaction cookie is refused (expired page)', async () => {
    const { pageUrl } = await openLoginPage(new CookieJar());
    const res = await post(`${pageUrl.href}/login`, new CookieJar(), { username: 'alice', password: 'alice' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Sign-in expired');
  });
});

describe('consent', () => {
  it('shows Allow and Deny after login', async () => {
    const jar = new CookieJar();
    const { pageUrl } = await openLoginPage(jar);
    const login = await post(`${pageUrl.href}/login`, jar, { username: 'carol', password: 'carol' });
    const resume = await get(new URL(login.headers.get('location')!, idp.issuer), jar);
    expect(resume.status).toBe(303);
    const consent = await get(new URL(resume.headers.get('location')!, idp.issuer), jar);
    const html = await consent.text();
    expect(html).toContain('Allow access?');
    expect(html).toContain('Carol Okafor');
    expect(html).toContain('Klaxon desktop');
    expect(html).toMatch(/data-form="allow"[^>]*>\s*<button[^>]*>Allow<\/button>/);
    expect(html).toMatch(/data-form="deny"[^>]*>\s*<button[^>]*>Deny<\/button>/);
  });

  it('Deny sends access_denied back to the client', async () => {
    const flow = await startLoopbackSignIn(config);
    try {
      const { finalUrl, response } = await completeLogin(flow.authorizeUrl, 'alice', { consent: 'deny' });
      expect(new URL(finalUrl).searchParams.get('error')).toBe('access_denied');
      expect(response.status).toBe(400); // the app's listener answered "Sign-in failed"
      const err = await flow.tokens.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(oidc.AuthorizationResponseError);
      expect((err as oidc.AuthorizationResponseError).error).toBe('access_denied');
    } finally {
      flow.close();
    }
  });

  it('a second sign-in in the same browser skips the password but asks consent again (native client)', async () => {
    // oidc-provider's `native_client_prompt` check: any app can listen on a loopback port, so a
    // native client never gets a silent code; the person confirms every time.
    const jar = new CookieJar();
    const first = await startLoopbackSignIn(config);
    const second = await startLoopbackSignIn(config);
    try {
      await completeLogin(first.authorizeUrl, 'bob', { cookieJar: jar });
      expect((await first.tokens).claims()?.sub).toBe('bob');
      const res = await get(second.authorizeUrl, jar);
      expect(res.status).toBe(303);
      const html = await (await get(new URL(res.headers.get('location')!, idp.issuer), jar)).text();
      expect(html).toContain('Allow access?');
      expect(html).not.toContain('id="password"');
      const { finalUrl } = await completeLogin(second.authorizeUrl, 'ignored-user', { cookieJar: jar });
      expect(finalUrl.startsWith(second.redirectUri)).toBe(true);
      expect((await second.tokens).claims()?.sub).toBe('bob');
    } finally {
      first.close();
      second.close();
    }
  });
});

describe('redirect URIs of the native client', () => {
  it.each([1024, 45678, 65000])('accepts http://127.0.0.1:%i/callback (any port)', async (port) => {
    const res = await fetch(await authorizeUrl(`http://127.0.0.1:${port}/callback`), { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/interaction\//);
  });

  it.each([
    'http://localhost:45678/callback',
    'http://[::1]:45678/callback',
    'http://127.0.0.1:45678/other',
    'http://127.0.0.1:45678/callback/extra',
    'https://attacker.example/callback',
    'http://192.168.1.10:45678/callback',
  ])('refuses %s with an error page and no redirect', async (redirectUri) => {
    const res = await fetch(await authorizeUrl(redirectUri), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const html = await res.text();
    expect(html).toContain('invalid_redirect_uri');
    expect(html).toContain('Go back to Klaxon');
  });

  it('requires PKCE', async () => {
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:45678/callback',
      scope: 'openid',
      state: 'x',
    });
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe('http://127.0.0.1:45678');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });
});

describe('sign-out (RP-initiated logout)', () => {
  it('ends the IdP session so the next sign-in asks for the password again', async () => {
    const jar = new CookieJar();
    const flow = await startLoopbackSignIn(config);
    let idToken: string;
    let refreshToken: string;
    try {
      await completeLogin(flow.authorizeUrl, 'alice', { cookieJar: jar });
      const tokens = await flow.tokens;
      idToken = tokens.id_token!;
      refreshToken = tokens.refresh_token!;
    } finally {
      flow.close();
    }

    const endUrl = oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: 'http://127.0.0.1:45999/signed-out',
    });
    const page = await get(endUrl, jar);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Sign out?');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
    expect(xsrf && action).toBeTruthy();
    const done = await post(new URL(action!, idp.issuer), jar, { xsrf: xsrf!, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:45999\/signed-out/);

    const again = await get(await authorizeUrl('http://127.0.0.1:45678/callback'), jar);
    const next = await get(new URL(again.headers.get('location')!, idp.issuer), jar);
    expect(await next.text()).toContain('<label for="username">Username</label>');
    // The desktop app's refresh token is not tied to the browser session: it survives the logout.
    expect((await oidc.refreshTokenGrant(config, refreshToken)).access_token).toBeTruthy();
  });
});
