// Development OpenID provider for Klaxon (README.md in this folder): oidc-provider on loopback with the desktop's
// public native client, a run-time-registered confidential web client, JWT access tokens for the
// Klaxon resource with groups, rotating refresh tokens, our own login/consent pages, and an HTTP
// driver (completeLogin) that plays the system browser in tests.
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import { demoAccounts, type DemoAccount } from './accounts.js';
import { CookieJar } from './cookie-jar.js';
import { createInteractionRoutes } from './interactions.js';
import { generateSigningKey, type SigningKey } from './keys.js';
import { completeLogin } from './login-driver.js';
import { MemoryStore } from './memory-adapter.js';
import { createProvider, DESKTOP_CLIENT_ID, webClientMetadata, type WebClient } from './provider.js';
import { createTokenMinter, type MintOptions } from './token-minter.js';

export { CookieJar, completeLogin };
export { demoAccounts } from './accounts.js';
export { DESKTOP_CLIENT_ID } from './provider.js';
export type { CompleteLoginOptions, CompleteLoginResult } from './login-driver.js';
export type { DemoAccount } from './accounts.js';
export type { MintOptions } from './token-minter.js';
export type { WebClient } from './provider.js';

export const DEFAULT_RESOURCE = 'https://klaxon.local/api';

export interface IdpOptions {
  host?: string;
  port?: number; // default 127.0.0.1:0
  resource?: string; // access-token audience; default 'https://klaxon.local/api'
  accessTokenTtlSeconds?: number; // default 300
  refreshTokenTtlSeconds?: number; // default 8 h
  /** Confidential web clients registered at start (registerWebClient adds more later). */
  webClients?: WebClient[];
}

export interface RunningIdp {
  issuer: string;
  resource: string;
  desktopClientId: 'klaxon-desktop';
  registerWebClient(c: WebClient): Promise<void>;
  accounts: DemoAccount[];
  mintAccessToken(claims: Record<string, unknown>, opts?: MintOptions): Promise<string>;
  /**
   * Key rotation as providers do it: a new signing key signs every token from now on; the JWKS
   * publishes it first and keeps the previous ones, so tokens issued before stay valid. Sessions,
   * grants and refresh tokens survive. Returns the new key's `kid`.
   */
  rotateSigningKey(): Promise<string>;
  /** How many times the JWKS has been fetched (tests check that a server does not hammer it). */
  jwksRequests(): number;
  /** JWKS URI (also in discovery), handy for server configs. */
  jwksUri: string;
  close(): Promise<void>;
}

export async function startIdentityProvider(opts: IdpOptions = {}): Promise<RunningIdp> {
  const host = opts.host ?? '127.0.0.1';
  const resource = opts.resource ?? DEFAULT_RESOURCE;
  const accessTokenTtlSeconds = opts.accessTokenTtlSeconds ?? 300;
  const refreshTokenTtlSeconds = opts.refreshTokenTtlSeconds ?? 8 * 3600;
  const accounts = demoAccounts();
  let key = await generateSigningKey();
  /** Keys that signed before the current one, newest first: still published. */
  const retiredKeys: SigningKey[] = [];
  const store = new MemoryStore();
  let jwksRequests = 0;

  // The issuer contains the port, which is only known after listening; requests that arrive
  // before the provider exists get a 503 (none do in practice: we resolve only after wiring).
  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const cookieKeys = [randomBytes(32).toString('base64url')];
  /**
   * oidc-provider takes its keys at construction, so a rotation builds a new provider over the same
   * storage and cookie keys: sessions, grants and registered web clients carry over.
   */
  function useProvider(): Provider {
    const provider = createProvider({
      issuer,
      resource,
      accessTokenTtlSeconds,
      refreshTokenTtlSeconds,
      key,
      retiredKeys,
      accounts,
      store,
      cookieKeys,
    });
    const interactions = createInteractionRoutes(provider, accounts);
    const oidc = provider.callback();
    handler = (req, res) => {
      if (req.url?.split('?')[0] === '/jwks') jwksRequests++;
      interactions(req, res)
        .then((handled) => {
          if (!handled) oidc(req, res);
        })
        .catch(() => {
          if (!res.headersSent) res.writeHead(500).end();
        });
    };
    return provider;
  }
  let provider = useProvider();

  async function registerWebClient(c: WebClient): Promise<void> {
    if (c.clientId === DESKTOP_CLIENT_ID)
      throw new Error(`"${DESKTOP_CLIENT_ID}" is the desktop client; pick another client id.`);
    const metadata = webClientMetadata(c);
    try {
      await provider.Client.validate(metadata);
    } catch (e) {
      const err = e as { error_description?: string; message?: string };
      throw new Error(`Cannot register web client "${c.clientId}": ${err.error_description ?? err.message}.`);
    }
    // Client.find() falls back to the adapter after the static clients: storing it there is the
    // supported way to add a client to a running provider (what dynamic registration does).
    await store
      .factory()('Client')
      .upsert(c.clientId, metadata as never);
  }
  for (const c of opts.webClients ?? []) await registerWebClient(c);

  let closing: Promise<void> | undefined;
  return {
    issuer,
    resource,
    desktopClientId: DESKTOP_CLIENT_ID,
    registerWebClient,
    accounts,
    jwksUri: `${issuer}/jwks`,
    mintAccessToken: createTokenMinter({
      issuer,
      resource,
      clientId: DESKTOP_CLIENT_ID,
      key: () => key,
      defaultTtlSeconds: accessTokenTtlSeconds,
    }),
    async rotateSigningKey() {
      retiredKeys.unshift(key);
      key = await generateSigningKey();
      provider = useProvider();
      return key.kid;
    },
    jwksRequests: () => jwksRequests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
