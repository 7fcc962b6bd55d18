// The desktop app's side of the flow (docs/security-design.md#system-browser-sign-in): a one-shot
// loopback listener on an ephemeral port, openid-client v6 for discovery, PKCE, state, nonce and the
// code exchange.
import * as http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';

export async function discoverDesktop(issuer: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), 'klaxon-desktop', undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface LoopbackSignIn {
  authorizeUrl: URL;
  redirectUri: string;
  /** Resolves with the tokens once the browser hits the callback (rejects on an error response). */
  tokens: Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>;
  close(): void;
}

export async function startLoopbackSignIn(
  config: oidc.Configuration,
  params: { scope?: string; resource?: string; path?: string } = {},
): Promise<LoopbackSignIn> {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${port}${params.path ?? '/callback'}`;
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const authorizeUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: params.scope ?? 'openid profile email groups',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(params.resource ? { resource: params.resource } : {}),
  });
  const tokens = new Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>((resolve, reject) => {
    server.on('request', (req, res) => {
      const current = new URL(req.url ?? '/', redirectUri);
      oidc
        .authorizationCodeGrant(config, current, {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
          idTokenExpected: true,
        })
        .then((t) => {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('Signed in to Klaxon. You can close this tab.');
          resolve(t);
        })
        .catch((e: unknown) => {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('Sign-in failed.');
          reject(e);
        });
    });
  });
  tokens.catch(() => {});
  return {
    authorizeUrl,
    redirectUri,
    tokens,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h = '', p = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
  };
}
