// Sign-in, refresh, rotation, revocation, sign-out, timeout, cancel and denial under plain Node
// against the real development identity provider; `completeLogin` plays the system browser.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeLogin, startIdentityProvider, type RunningIdp } from '#dev/identity-provider/index.js';
import { SignInError, discoverIssuer, refuseAuthorizeUrl, signIn } from '#electron/oidc-sign-in.js';
import { NotSignedInError, TokenVault, memoryTokenStore } from '#electron/token-vault.js';

const SCOPES = ['openid', 'profile', 'email', 'groups', 'offline_access'];
let idp: RunningIdp;
let config: oidc.Configuration;

beforeAll(async () => {
  idp = await startIdentityProvider();
  config = await discoverIssuer(new URL(idp.issuer), idp.desktopClientId, { allowInsecureLoopback: true });
});
afterAll(async () => {
  await idp?.close();
});

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

async function signInAs(username: string, extra: { consent?: 'grant' | 'deny' } = {}) {
  let browser: Promise<{ status: number; page: string }> | null = null;
  const tokens = await signIn(config, {
    scopes: SCOPES,
    resource: idp.resource,
    openBrowser: (url) => {
      browser = completeLogin(url, username, extra).then(async (r) => ({
        status: r.response.status,
        page: await r.response.text(),
      }));
      return browser.then(() => {});
    },
    timeoutMs: 20_000,
  });
  const seen = await browser!; // what the user's browser tab shows
  return { tokens, browserPage: () => seen.page, browserStatus: () => seen.status };
}

describe('desktop sign-in against the development IdP', () => {
  it('signs in with PKCE + state + nonce over a loopback redirect; the access token is for the Klaxon server', async () => {
    const { tokens, browserPage, browserStatus } = await signInAs('alice');
    expect(tokens.refresh_token).toBeTruthy();
    const at = claims(tokens.access_token);
    expect(at).toMatchObject({
      sub: 'alice',
      aud: idp.resource,
      iss: idp.issuer,
      groups: ['sre', 'staff'],
      client_id: 'klaxon-desktop',
    });
    expect(tokens.claims()?.sub).toBe('alice');
    expect(browserStatus()).toBe(200);
    expect(browserPage()).toContain('Signed in to Klaxon. You can close this tab.');
    expect(browserPage()).not.toContain(tokens.access_token);
  });

  it('the authorization request carries S256 PKCE, state, nonce, the resource and a 127.0.0.1 redirect', async () => {
    let seen: URL | null = null;
    await signIn(config, {
      scopes: SCOPES,
      resource: idp.resource,
      timeoutMs: 20_000,
      openBrowser: async (u) => {
        seen = u;
        await completeLogin(u, 'bob');
      },
    });
    const q = seen!.searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toBeTruthy();
    expect(q.get('nonce')).toBeTruthy();
    expect(q.get('resource')).toBe(idp.resource);
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  });

  it('declined consent ends the sign-in with a clear message, in the app and in the browser', async () => {
    let browser: Promise<string> | null = null;
    const err = await signIn(config, {
      scopes: SCOPES,
      resource: idp.resource,
      timeoutMs: 20_000,
      openBrowser: (u) => {
        browser = completeLogin(u, 'alice', { consent: 'deny' }).then((r) => r.response.text());
        return browser.then(() => {});
      },
    }).catch((e: unknown) => e);
    const page = await browser!;
    expect(err).toBeInstanceOf(SignInError);
    expect((err as SignInError).reason).toBe('denied');
    expect((err as SignInError).message).toMatch(/You declined.*Klaxon is not signed in/);
    expect(page).toMatch(/You declined/);
  });

  it('times out when the browser never comes back, and frees the port', async () => {
    let callback: URL | null = null;
    const t0 = Date.now();
    const err = await signIn(config, {
      scopes: SCOPES,
      timeoutMs: 300,
      openBrowser: async (u) => {
        callback = new URL(u.searchParams.get('redirect_uri')!);
      },
    }).catch((e: unknown) => e);
    expect((err as SignInError).reason).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(3_000);
    await expect(fetch(callback!)).rejects.toThrow(); // listener closed
  });

  it('can be cancelled (the user clicked Cancel)', async () => {
    const abort = new AbortController();
    const p = signIn(config, {
      scopes: SCOPES,
      signal: abort.signal,
      timeoutMs: 20_000,
      openBrowser: async () => {
        setTimeout(() => abort.abort(), 50);
      },
    });
    await expect(p).rejects.toMatchObject({ reason: 'cancelled' });
  });

  it('a browser that cannot be opened fails fast with a message', async () => {
    await expect(
      signIn(config, {
        scopes: SCOPES,
        timeoutMs: 20_000,
        openBrowser: async () => {
          throw new Error('xdg-open not found');
        },
      }),
    ).rejects.toMatchObject({
      reason: 'browser',
      message: expect.stringMatching(/could not open your web browser to sign in \(xdg-open not found\)/),
    });
  });

  it("refuses to open anything but the issuer's authorization endpoint, and http only for a loopback issuer", () => {
    const endpoint = new URL(config.serverMetadata().authorization_endpoint!);
    expect(refuseAuthorizeUrl(endpoint, config)).toBeNull();
    expect(refuseAuthorizeUrl(new URL('https://evil.example.org/auth'), config)).toMatch(
      /not the identity provider's sign-in page/,
    );
    expect(refuseAuthorizeUrl(new URL(`${endpoint.origin}/other`), config)).toMatch(
      /not the identity provider's sign-in page/,
    );
  });

  it('refuses a non-loopback http issuer before any network request', async () => {
    await expect(
      discoverIssuer(new URL('http://idp.example.org'), 'klaxon-desktop', { allowInsecureLoopback: true }),
    ).rejects.toMatchObject({ reason: 'refused-url' });
    await expect(discoverIssuer(new URL(idp.issuer), 'klaxon-desktop')).rejects.toMatchObject({
      reason: 'refused-url',
    });
  });

  it('a stale callback for another sign-in does not end this one', async () => {
    const tokens = await signIn(config, {
      scopes: SCOPES,
      resource: idp.resource,
      timeoutMs: 20_000,
      openBrowser: async (u) => {
        const redirect = u.searchParams.get('redirect_uri')!;
        const stale = await fetch(`${redirect}?code=x&state=not-ours`);
        expect(stale.status).toBe(400);
        expect(await stale.text()).toMatch(/older Klaxon sign-in/);
        await completeLogin(u, 'carol');
      },
    });
    expect(claims(tokens.access_token).sub).toBe('carol');
  });
});

describe('token vault against the development IdP', () => {
  it('refreshes single-flight and persists the rotated refresh token before use', async () => {
    const { tokens } = await signInAs('alice');
    const writes: string[] = [];
    const base = memoryTokenStore();
    const store = {
      ...base,
      mode: base.mode,
      message: null,
      set: async (rt: string) => {
        writes.push(rt);
        await base.set(rt);
      },
    };
    const vault = new TokenVault({ config: async () => config, store, resource: idp.resource });
    await vault.accept(tokens);
    expect(writes).toEqual([tokens.refresh_token]);
    const [a, b, c] = await Promise.all([vault.refresh(), vault.refresh(), vault.refresh()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(writes).toHaveLength(2); // one refresh, one rotation
    expect(writes[1]).not.toBe(tokens.refresh_token);
    expect(claims(a).aud).toBe(idp.resource);
    // The old refresh token is dead: rotation really happened at the IdP.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('a refused refresh token signs the user out with a message (invalid_grant)', async () => {
    const { tokens } = await signInAs('bob');
    const store = memoryTokenStore();
    const messages: string[] = [];
    const vault = new TokenVault({
      config: async () => config,
      store,
      resource: idp.resource,
      onSignedOut: (m) => messages.push(m),
    });
    await vault.accept(tokens);
    await oidc.refreshTokenGrant(config, tokens.refresh_token!); // someone replays/rotates it elsewhere
    await expect(vault.refresh()).rejects.toBeInstanceOf(NotSignedInError);
    expect(await store.get()).toBeNull();
    expect(messages[0]).toMatch(/session has ended.*Sign in again/);
  });

  it('sign-out revokes the refresh token at the IdP and forgets every token', async () => {
    const { tokens } = await signInAs('carol');
    const store = memoryTokenStore();
    const vault = new TokenVault({ config: async () => config, store, resource: idp.resource });
    await vault.accept(tokens);
    expect(await vault.signOut()).toBeNull();
    expect(await store.get()).toBeNull();
    expect(await vault.hasSession()).toBe(false);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(vault.getAccessToken()).rejects.toBeInstanceOf(NotSignedInError);
  });

  it('a refresh already on the wire when the user signs out never saves its rotated token', async () => {
    const { tokens } = await signInAs('alice');
    const base = memoryTokenStore();
    const writes: string[] = [];
    let signingOut = false;
    const store = {
      ...base,
      mode: base.mode,
      message: null,
      set: async (rt: string) => {
        if (signingOut) writes.push(rt);
        await base.set(rt);
      },
    };
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let held = false;
    const vault = new TokenVault({
      config: async () => {
        if (held) await gate;
        return config;
      },
      store,
      resource: idp.resource,
    });
    await vault.accept(tokens);
    held = true;
    const refreshing = vault.refresh(); // waits for discovery with the old refresh token in hand
    await new Promise((r) => setTimeout(r, 20));
    signingOut = true;
    const out = vault.signOut();
    release();
    expect(await out).toBeNull();
    await expect(refreshing).rejects.toBeInstanceOf(NotSignedInError);
    expect(writes).toEqual([]); // nothing written after sign-out began
    expect(await store.get()).toBeNull();
    expect(await vault.hasSession()).toBe(false);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('a locked keyring when saving the rotated token: keeps the new token in memory, says so, never replays the old one', async () => {
    const { tokens } = await signInAs('bob');
    const base = memoryTokenStore();
    let locked = false;
    const store = {
      ...base,
      mode: 'encrypted' as const,
      message: null,
      set: async (rt: string) => {
        if (locked) throw new Error('The keyring is locked');
        await base.set(rt);
      },
    };
    const storageReports: unknown[] = [];
    const vault = new TokenVault({
      config: async () => config,
      store,
      resource: idp.resource,
      onStorageChanged: (s) => storageReports.push(s),
    });
    await vault.accept(tokens);
    locked = true;
    const first = await vault.refresh(); // rotates; saving fails
    expect(claims(first).sub).toBe('bob');
    const message =
      'Klaxon could not save your sign-in to the keyring; you will need to sign in again after a restart.';
    expect(vault.storage()).toEqual({ mode: 'memory-only', message });
    expect(storageReports).toEqual([{ mode: 'memory-only', message }]);
    expect(await store.get()).toBeNull(); // the dead old token is not left behind for the next start
    vault.dropAccessToken();
    const second = await vault.refresh(); // uses the NEW refresh token: the grant survives
    expect(claims(second).sub).toBe('bob');
    expect(await vault.hasSession()).toBe(true);
  });

  it('keeps the session when the IdP is merely unreachable', async () => {
    const store = memoryTokenStore();
    await store.set('some-refresh-token');
    const vault = new TokenVault({
      config: async () => {
        throw new Error('ECONNREFUSED');
      },
      store,
    });
    await expect(vault.refresh()).rejects.toThrow(/could not reach the identity provider/);
    expect(await store.get()).toBe('some-refresh-token');
  });
});
