// The HTML pages browser sign-in answers (server/auth/web-login.ts, server/auth/auth-pages.ts): each
// one styled like the web UI by a stylesheet the server serves, with no inline CSS, under the
// strict Content-Security-Policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '#dev/identity-provider/index.js';
import { CONTENT_SECURITY_POLICY } from '#server/index.js';
import { startServer, startStack, WEB_SECRET, type Stack } from '#test/support/server-stack.js';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;
let noSecret: Awaited<ReturnType<typeof startServer>>;
let noProvider: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  stack = await startStack();
  server = await startServer(stack);
  await stack.idp.registerWebClient({
    clientId: 'klaxon-web',
    clientSecret: WEB_SECRET,
    redirectUris: [`${server.url}/auth/callback`],
  });
  noSecret = await startServer(stack, {
    oidc: { web: { clientSecret: '' } },
    storage: { sqlitePath: `${stack.dir}/a.db` },
  });
  // A provider that cannot be reached (at start too: the server starts and says so).
  noProvider = await startServer(stack, {
    oidc: { issuer: 'http://127.0.0.1:9' },
    storage: { sqlitePath: `${stack.dir}/b.db` },
  });
});
afterAll(async () => {
  await Promise.all([server, noSecret, noProvider].map((s) => s?.close()));
  await stack?.close();
});

async function page(url: string, cookie?: string): Promise<{ status: number; html: string; csp: string | null }> {
  const r = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  expect(r.headers.get('content-type')).toMatch(/^text\/html/);
  return { status: r.status, html: await r.text(), csp: r.headers.get('content-security-policy') };
}

function expectStyled(p: { html: string; csp: string | null }, title: string): void {
  expect(p.html).toMatch(/^<!doctype html><html lang="en">/);
  expect(p.html).toContain('<link rel="stylesheet" href="/auth/page.css">');
  expect(p.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(p.html).toContain(`<h1>${title}</h1>`);
  expect(p.html).not.toMatch(/style=|<style/i);
  expect(p.csp).toBe(CONTENT_SECURITY_POLICY);
}

describe('sign-in pages', () => {
  it('the stylesheet is served as CSS, light and dark like the web UI', async () => {
    const r = await fetch(`${server.url}/auth/page.css`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/css/);
    const css = await r.text();
    expect(css).toContain('prefers-color-scheme: dark');
    expect(css).toContain('--bg: #ffffff');
  });

  it('web sign-in not set up', async () => {
    const p = await page(`${noSecret.url}/auth/login`);
    expect(p.status).toBe(503);
    expectStyled(p, 'Web sign-in is not set up');
  });

  it('the sign-in provider cannot be reached', async () => {
    const p = await page(`${noProvider.url}/auth/login`);
    expect(p.status).toBe(503);
    expectStyled(p, 'Sign-in is unavailable');
  });

  it('the callback without the sign-in cookie', async () => {
    const p = await page(`${server.url}/auth/callback?code=x&state=y`);
    expect(p.status).toBe(400);
    expectStyled(p, 'Sign-in could not be completed');
  });

  it('the person declined, and a provider error, each in words', async () => {
    const jar = new CookieJar();
    const start = await fetch(`${server.url}/auth/login`, { redirect: 'manual' });
    jar.store(`${server.url}/auth/login`, start);
    const declined = await page(
      `${server.url}/auth/callback?error=access_denied`,
      jar.get(`${server.url}/auth/callback`),
    );
    expect(declined.status).toBe(403);
    expectStyled(declined, 'Sign-in was not completed');
    expect(declined.html).toContain('You declined to let Klaxon sign you in.');

    const again = await fetch(`${server.url}/auth/login`, { redirect: 'manual' });
    jar.store(`${server.url}/auth/login`, again);
    const failed = await page(
      `${server.url}/auth/callback?code=forged&state=forged`,
      jar.get(`${server.url}/auth/callback`),
    );
    expect(failed.status).toBe(400);
    expectStyled(failed, 'Sign-in could not be completed');
  });
});
