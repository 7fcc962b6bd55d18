/**
 * RFC 8252 sign-in through the system browser with a loopback redirect: Klaxon never sees the
 * password, and the identity provider's own single sign-on and second factor work as usual.
 * The loopback listener exists only while one sign-in runs, answers exactly one matching callback,
 * and never echoes a code or token back to the browser.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import * as oidc from 'openid-client';
import { isLoopbackHostname } from '#common/index.js';

export type SignInFailure = 'denied' | 'timeout' | 'cancelled' | 'browser' | 'refused-url' | 'failed';

/** Why a sign-in ended without tokens, with a sentence a person can act on. */
export class SignInError extends Error {
  constructor(
    readonly reason: SignInFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SignInError';
  }
}

export type SignInTokens = Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;

/**
 * Discovery against the issuer identifier (never the .well-known URL: that would turn off the issuer
 * check). Plain http is accepted only when explicitly allowed AND the issuer is on loopback, so a
 * policy typo cannot downgrade a production sign-in to http.
 */
export async function discoverIssuer(
  issuer: URL,
  clientId: string,
  opts: { allowInsecureLoopback?: boolean; timeoutSeconds?: number } = {},
): Promise<oidc.Configuration> {
  const insecure = issuer.protocol === 'http:';
  if (insecure && !(opts.allowInsecureLoopback && isLoopbackHostname(issuer.hostname))) {
    throw new SignInError(
      'refused-url',
      `The identity provider ${issuer.origin} does not use https, so Klaxon will not sign in with it. Ask your IT department to check the issuer setting.`,
    );
  }
  return oidc.discovery(issuer, clientId, undefined, oidc.None(), {
    timeout: opts.timeoutSeconds ?? 15,
    ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
}

/**
 * The only URL Klaxon hands to the system browser during sign-in: the issuer's own authorization
 * endpoint, over https (http only when the issuer itself is a loopback development IdP).
 * Returns the reason for refusing, or null.
 */
export function refuseAuthorizeUrl(url: URL, config: oidc.Configuration): string | null {
  const endpoint = config.serverMetadata().authorization_endpoint;
  if (!endpoint) return 'The identity provider does not advertise an authorization endpoint.';
  const expected = new URL(endpoint);
  if (url.origin !== expected.origin || url.pathname !== expected.pathname)
    return `Refusing to open ${url.origin}${url.pathname}: it is not the identity provider's sign-in page.`;
  if (url.protocol === 'https:') return null;
  if (
    url.protocol === 'http:' &&
    isLoopbackHostname(url.hostname) &&
    isLoopbackHostname(new URL(config.serverMetadata().issuer).hostname)
  )
    return null;
  return `Refusing to open the sign-in page over ${url.protocol.replace(':', '')}: only https is allowed.`;
}

export interface SignInOptions {
  scopes: readonly string[];
  /** RFC 8707 resource indicator: the Klaxon server's access-token audience. */
  resource?: string;
  /** Opens the system browser (shell.openExternal in the app; a programmatic driver in tests). */
  openBrowser(url: URL): Promise<void>;
  /** Called with the URL before the browser opens, so the UI can offer "copy link". */
  onAuthorizeUrl?(url: URL): void;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<meta name="viewport" content="width=device-width"><style>body{font:16px system-ui,sans-serif;max-width:32em;margin:4em auto;padding:0 1em;color:#1b1b1b}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`
  );
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'referrer-policy': 'no-referrer',
};

/** Words for the OAuth error codes a person can actually cause. */
function describeAuthorizationError(
  error: string,
  description: string | null,
): { reason: SignInFailure; title: string; body: string } {
  if (error === 'access_denied') {
    return {
      reason: 'denied',
      title: 'Sign-in declined',
      body: 'You declined to let Klaxon use your account, so Klaxon is not signed in. To sign in, click "Sign in" in Klaxon again and allow access.',
    };
  }
  if (error === 'login_required' || error === 'interaction_required' || error === 'consent_required') {
    return {
      reason: 'denied',
      title: 'Sign-in not finished',
      body: 'The identity provider needs you to sign in interactively. Click "Sign in" in Klaxon again.',
    };
  }
  return {
    reason: 'failed',
    title: 'Sign-in failed',
    body: `The identity provider refused the sign-in (${error}${description ? `: ${description}` : ''}). Klaxon is not signed in. Try again, or contact your IT department if it keeps happening.`,
  };
}

export async function signIn(config: oidc.Configuration, opts: SignInOptions): Promise<SignInTokens> {
  if (opts.signal?.aborted) throw new SignInError('cancelled', 'Sign-in was cancelled.');
  const server = http.createServer();
  server.listen(0, '127.0.0.1'); // ephemeral port on the loopback interface only (RFC 8252 §7.3, §8.3)
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: opts.scopes.join(' '),
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(opts.resource ? { resource: opts.resource } : {}),
  });

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const refused = refuseAuthorizeUrl(url, config);
    if (refused) throw new SignInError('refused-url', refused);

    const callback = new Promise<{ url: URL; res: http.ServerResponse }>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SignInError(
              'timeout',
              'Sign-in timed out: the browser did not come back to Klaxon in time. Click "Sign in" to try again.',
            ),
          ),
        opts.timeoutMs ?? 300_000,
      );
      onAbort = () => reject(new SignInError('cancelled', 'Sign-in was cancelled.'));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      let done = false;
      server.on('request', (req, res) => {
        const u = new URL(req.url ?? '/', redirectUri); // base is OUR redirect URI, never the Host header
        if (done || req.method !== 'GET' || u.pathname !== '/callback') {
          res
            .writeHead(404, PAGE_HEADERS)
            .end(page('Not found', 'This address belongs to a Klaxon sign-in that has already finished.'));
          return;
        }
        // A stale tab from an earlier attempt must not end (or deny) this one.
        if (u.searchParams.get('state') !== state) {
          res
            .writeHead(400, PAGE_HEADERS)
            .end(
              page(
                'Sign-in link expired',
                'This page belongs to an older Klaxon sign-in. Use the newest browser tab Klaxon opened, or click "Sign in" again.',
              ),
            );
          return;
        }
        done = true; // one-shot
        resolve({ url: u, res });
      });
    });
    callback.catch(() => {}); // no unhandled rejection if openBrowser fails first

    opts.onAuthorizeUrl?.(url);
    // The code exchange must not wait for openBrowser to settle: a test driver that awaits the
    // callback's response would deadlock. A failure to open the browser still ends the sign-in.
    const opened = opts.openBrowser(url).catch((e: unknown) => {
      throw new SignInError(
        'browser',
        `Klaxon could not open your web browser to sign in (${e instanceof Error ? e.message : String(e)}). Copy the sign-in link into a browser, or try again.`,
        { cause: e },
      );
    });
    const { url: currentUrl, res } = await Promise.race([callback, opened.then(() => callback)]);

    const error = currentUrl.searchParams.get('error');
    if (error) {
      const d = describeAuthorizationError(error, currentUrl.searchParams.get('error_description'));
      res.writeHead(d.reason === 'denied' ? 403 : 400, PAGE_HEADERS).end(page(d.title, d.body));
      throw new SignInError(d.reason, d.body);
    }
    try {
      const tokens = await oidc.authorizationCodeGrant(
        config,
        currentUrl,
        { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
        opts.resource ? { resource: opts.resource } : undefined,
      );
      res.writeHead(200, PAGE_HEADERS).end(page('Signed in to Klaxon', 'Signed in to Klaxon. You can close this tab.'));
      return tokens;
    } catch (e) {
      const body =
        'Klaxon could not finish signing you in with the identity provider. Close this tab and click "Sign in" in Klaxon to try again.';
      res.writeHead(400, PAGE_HEADERS).end(page('Sign-in failed', body));
      throw new SignInError('failed', `${body} (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    server.close(); // stop listening as soon as the one response is out (RFC 8252 §8.3); idle sockets close too
    setTimeout(() => server.closeAllConnections(), 1_000).unref(); // a browser holding a socket open cannot keep the port alive
  }
}
