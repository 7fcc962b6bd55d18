import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { CSRF_HEADER, webAuthRoutes } from '#common/index.js';
import { HttpError } from '../http/errors.js';
import type { Metrics } from '../http/metrics.js';
import type { Logger } from '../runtime/logger.js';
import type { KlaxonStore, WebSession } from '../store/store.js';
import { authPage, registerAuthStylesheet, SIGN_IN_AGAIN } from './auth-pages.js';
import type { JwtVerifier } from './jwt-verifier.js';
import { groupsFromClaims } from './permissions.js';
import type { WebSessions } from './web-session.js';
import { timingSafeEqual } from 'node:crypto';

const LOGIN_COOKIE = 'klaxon_login';
/** Over HTTPS the short-lived login cookie is `__Secure-` (it is scoped to /auth, so `__Host-` cannot apply). */
const loginCookieName = (secure: boolean) => (secure ? `__Secure-${LOGIN_COOKIE}` : LOGIN_COOKIE);

export interface WebLoginDeps {
  issuer: string;
  audience: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  groupsClaim: string;
  /** Base URL browsers use (known only after listening when not configured). */
  publicUrl(): string;
  sessions: WebSessions;
  verifier: JwtVerifier;
  store: Pick<KlaxonStore, 'revokeSession' | 'updateSession' | 'claimSessionRenewal' | 'getSession'>;
  metrics: Pick<Metrics, 'authFailures'>;
  secureCookies: boolean;
  logger: Logger;
}

interface LoginState {
  v: string;
  s: string;
  n: string;
  r: string;
}

/**
 * Where the browser goes after sign-in: only a place on Klaxon's own origin (no open redirect).
 * Decided on the URL as a browser resolves it, never on the raw text: the WHATWG URL parser drops
 * tabs and newlines, reads `\\` as `/`, and collapses dot segments in any spelling (`..`, `%2e%2e`,
 * `.%2E`), so `/..//evil.example` becomes the path `//evil.example`, which a browser reads in a
 * `Location` header as the host `evil.example`. The value is resolved against the public URL, its
 * origin compared, and only path, query and fragment kept; a path starting with `//` is refused,
 * and the result must resolve back to exactly the URL that was checked.
 */
export function safeReturnTo(v: unknown, publicUrl: string): string {
  if (typeof v !== 'string') return '/';
  try {
    const base = new URL(publicUrl);
    const resolved = new URL(v, base);
    if (resolved.origin !== base.origin) return '/';
    const local = `${resolved.pathname}${resolved.search}${resolved.hash}`;
    if (!local.startsWith('/') || local.startsWith('//')) return '/';
    return new URL(local, base).href === resolved.href ? local : '/';
  } catch {
    return '/';
  }
}

/** How long a renewal claim holds (a crashed server's claim ends by itself after this). */
const RENEWAL_LEASE_MS = 30_000;
/** How long a request waits for another server's renewal of its session. */
const RENEWAL_WAIT_MS = 10_000;
const RENEWAL_POLL_MS = 50;

/**
 * Browser sign-in for the web UI: the server runs the OIDC code flow with PKCE (S256), state and
 * nonce as the confidential web client, verifies the access token exactly like a bearer token,
 * and opens a server-side session. Refresh tokens (when the provider grants one) renew the
 * session, so group changes still take effect at the next refresh.
 */
export class WebLogin {
  private configuration: Promise<oidc.Configuration> | null = null;
  private readonly renewing = new Map<string, Promise<WebSession | null>>();

  constructor(private readonly deps: WebLoginDeps) {}

  private client(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(
        new URL(this.deps.issuer),
        this.deps.clientId,
        undefined,
        oidc.ClientSecretBasic(this.deps.clientSecret),
        {
          ...(this.deps.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {}),
          timeout: 5,
        },
      )
      .catch((e: unknown) => {
        this.configuration = null;
        throw e;
      });
    return this.configuration;
  }

  private redirectUri(): string {
    return `${this.deps.publicUrl().replace(/\/+$/, '')}${webAuthRoutes.callback}`;
  }

  register(app: FastifyInstance): void {
    app.get(webAuthRoutes.login, (req, reply) => this.login(req, reply));
    app.get(webAuthRoutes.callback, (req, reply) => this.callback(req, reply));
    app.post(webAuthRoutes.logout, (req, reply) => this.logout(req, reply));
    registerAuthStylesheet(app);
  }

  private async login(request: FastifyRequest, reply: FastifyReply) {
    if (!this.deps.clientSecret) {
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .send(
          authPage('Web sign-in is not set up', [
            'The Klaxon operator has not configured oidc.web.clientSecret. Use Klaxon desktop, or ask the operator.',
          ]),
        );
    }
    let config: oidc.Configuration;
    try {
      config = await this.client();
    } catch (e) {
      this.deps.logger.warn({ err: (e as Error).message }, 'web sign-in: identity provider discovery failed');
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .send(
          authPage(
            'Sign-in is unavailable',
            [
              'Klaxon could not reach the sign-in provider. Try again in a minute; if it keeps failing, tell the Klaxon operator.',
            ],
            { label: 'Try again', href: webAuthRoutes.login },
          ),
        );
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const state: LoginState = {
      v: verifier,
      s: oidc.randomState(),
      n: oidc.randomNonce(),
      r: safeReturnTo((request.query as Record<string, unknown>).returnTo, this.deps.publicUrl()),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(),
      scope: this.deps.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: state.s,
      nonce: state.n,
      resource: this.deps.audience,
      // offline_access (a refresh token to renew the session) is only granted with explicit consent.
      ...(this.deps.scopes.includes('offline_access') ? { prompt: 'consent' } : {}),
    });
    reply.setCookie(
      loginCookieName(this.deps.secureCookies),
      Buffer.from(JSON.stringify(state)).toString('base64url'),
      {
        path: '/auth',
        httpOnly: true,
        sameSite: 'lax',
        secure: this.deps.secureCookies,
        signed: true,
        maxAge: 600,
      },
    );
    return reply.redirect(url.href, 302);
  }

  private async callback(request: FastifyRequest, reply: FastifyReply) {
    const failed = (status: number, title: string, text: string) =>
      reply
        .code(status)
        .type('text/html; charset=utf-8')
        .send(authPage(title, [text], SIGN_IN_AGAIN));
    const raw = request.cookies[loginCookieName(this.deps.secureCookies)];
    const unsigned = raw ? request.unsignCookie(raw) : null;
    reply.clearCookie(loginCookieName(this.deps.secureCookies), { path: '/auth', secure: this.deps.secureCookies });
    if (!unsigned?.valid || !unsigned.value) {
      return failed(
        400,
        'Sign-in could not be completed',
        'The sign-in took too long or your browser did not keep Klaxon’s cookie. Start again.',
      );
    }
    const state = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as LoginState;
    const query = request.query as Record<string, unknown>;
    if (typeof query.error === 'string') {
      return failed(
        403,
        'Sign-in was not completed',
        query.error === 'access_denied'
          ? 'You declined to let Klaxon sign you in.'
          : `The sign-in provider said: ${query.error}.`,
      );
    }
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      const config = await this.client();
      const current = new URL(request.url, this.deps.publicUrl());
      tokens = await oidc.authorizationCodeGrant(
        config,
        current,
        { pkceCodeVerifier: state.v, expectedState: state.s, expectedNonce: state.n, idTokenExpected: true },
        { resource: this.deps.audience },
      );
    } catch (e) {
      this.deps.logger.warn({ err: (e as Error).message }, 'web sign-in: code exchange failed');
      return failed(
        400,
        'Sign-in could not be completed',
        'The sign-in provider did not confirm your sign-in. Start again.',
      );
    }
    let claims;
    try {
      claims = await this.deps.verifier.verify(tokens.access_token);
    } catch (e) {
      this.deps.metrics.authFailures.inc({ reason: 'web_login_token' });
      return failed(403, 'Sign-in could not be completed', (e as Error).message);
    }
    const str = (k: string) => (typeof claims[k] === 'string' && claims[k] ? (claims[k] as string) : null);
    const idClaims = tokens.claims();
    const session = await this.deps.sessions.create({
      sub: claims.sub!,
      name: str('name') ?? (typeof idClaims?.name === 'string' ? idClaims.name : null) ?? claims.sub!,
      email: str('email'),
      groups: groupsFromClaims(claims, this.deps.groupsClaim),
      username: str('preferred_username'),
      accessExpiresAt: new Date((claims.exp ?? Math.floor(Date.now() / 1000) + 300) * 1000),
      refreshToken: tokens.refresh_token ?? null,
    });
    this.deps.sessions.setCookie(reply, session);
    this.deps.logger.info({ sub: session.sub, refreshable: session.refreshToken !== null }, 'web sign-in');
    return reply.redirect(state.r, 302);
  }

  private async logout(request: FastifyRequest, reply: FastifyReply) {
    const session = await this.deps.sessions.fromRequest(request);
    if (session && session !== 'invalid') {
      const sent = request.headers[CSRF_HEADER];
      const a = Buffer.from(typeof sent === 'string' ? sent : '');
      const b = Buffer.from(session.csrfToken);
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        this.deps.metrics.authFailures.inc({ reason: 'csrf' });
        throw new HttpError(
          403,
          'forbidden',
          `This request is missing its anti-forgery token (${CSRF_HEADER}). Reload Klaxon and try again.`,
        );
      }
      await this.deps.store.revokeSession(session.id, new Date());
      if (session.refreshToken) {
        const rt = session.refreshToken;
        this.client()
          .then((c) => oidc.tokenRevocation(c, rt, { token_type_hint: 'refresh_token' }))
          .catch((e: unknown) =>
            this.deps.logger.warn({ err: (e as Error).message }, 'web sign-out: refresh token revocation failed'),
          );
      }
      this.deps.logger.info({ sub: session.sub }, 'web sign-out');
    }
    this.deps.sessions.clearCookie(reply);
    return reply.code(204).send();
  }

  /**
   * Renews a session whose access token expired, once per session at a time: within this server
   * (concurrent requests share one renewal), and across the servers sharing the database (a claim
   * in the store). Providers rotate refresh tokens, so a second use of the same one would be
   * refused as a reuse (and may revoke the whole sign-in): a request that finds the claim taken
   * waits for the other server's renewal instead.
   */
  renew(session: WebSession): Promise<WebSession | null> {
    if (!session.refreshToken) return Promise.resolve(null);
    let p = this.renewing.get(session.id);
    if (!p) {
      p = this.renewOnce(session, session.refreshToken).finally(() => this.renewing.delete(session.id));
      this.renewing.set(session.id, p);
    }
    return p;
  }

  /**
   * Claims the renewal and renews; while another server holds the claim, waits for its outcome
   * (the session renewed, or the claim free again after a failure, then tries itself).
   */
  private async renewOnce(session: WebSession, refreshToken: string): Promise<WebSession | null> {
    const end = Date.now() + RENEWAL_WAIT_MS;
    let current = session;
    for (;;) {
      if (await this.deps.store.claimSessionRenewal(current.id, refreshToken, new Date(), RENEWAL_LEASE_MS))
        return this.doRenew(current);
      await new Promise((r) => setTimeout(r, RENEWAL_POLL_MS));
      const s = await this.deps.store.getSession(current.id);
      if (!s || s.revokedAt || !s.refreshToken) return null;
      if (s.accessExpiresAt.getTime() > Date.now()) return s;
      if (Date.now() >= end) return null;
      current = s;
      refreshToken = s.refreshToken;
    }
  }

  private async doRenew(session: WebSession): Promise<WebSession | null> {
    try {
      const config = await this.client();
      const tokens = await oidc.refreshTokenGrant(config, session.refreshToken!, { resource: this.deps.audience });
      const claims = await this.deps.verifier.verify(tokens.access_token);
      if (claims.sub !== session.sub) return null;
      const patch = {
        accessExpiresAt: new Date((claims.exp ?? 0) * 1000),
        refreshToken: tokens.refresh_token ?? session.refreshToken,
        groups: groupsFromClaims(claims, this.deps.groupsClaim),
      };
      await this.deps.store.updateSession(session.id, patch);
      return { ...session, ...patch };
    } catch (e) {
      // Only the provider saying the grant is dead (expired, revoked, reused) ends the session for
      // good; an outage or timeout keeps the refresh token so the next request tries again.
      if (e instanceof oidc.ResponseBodyError && e.error === 'invalid_grant') {
        this.deps.logger.info(
          { sub: session.sub, err: e.message },
          'web session could not be renewed: the sign-in provider refused the refresh token',
        );
        await this.deps.store.updateSession(session.id, { refreshToken: null });
      } else {
        this.deps.logger.warn(
          { sub: session.sub, err: (e as Error).message },
          'web session could not be renewed now; renewal will be retried on the next request',
        );
        // Ends the renewal claim, so that the next request (on any server) may try again.
        await this.deps.store.updateSession(session.id, {}).catch(() => undefined);
      }
      return null;
    }
  }
}
