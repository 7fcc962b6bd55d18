import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { CLIENT_HEADER, CSRF_HEADER } from '#common/index.js';
import { HttpError } from '../http/errors.js';
import type { Metrics } from '../http/metrics.js';
import type { Viewer } from './viewer.js';
import { TokenError, type JwtVerifier } from './jwt-verifier.js';
import {
  forbiddenMessage,
  groupsFromClaims,
  permissionsFor,
  requiredGroupsFor,
  type GroupRules,
  type Permission,
} from './permissions.js';
import type { WebSessions } from './web-session.js';
import type { WebSession } from '../store/store.js';

/** Establishes who makes a request (or throws HttpError 401/403/503). */
export type Authenticate = (request: FastifyRequest) => Promise<Viewer>;

/** `guard(permission)`: a Fastify preHandler that sets `request.viewer` or throws 401/403. */
export type Guard = (permission: Permission) => preHandlerAsyncHookHandler;

export interface AuthenticatorDeps {
  verifier: JwtVerifier;
  sessions: WebSessions;
  groups: GroupRules;
  groupsClaim: string;
  metrics: Pick<Metrics, 'authFailures'>;
  /** Renews a web session whose access token expired (refresh token); null when it cannot. */
  renewSession(s: WebSession): Promise<WebSession | null>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function clientKind(request: FastifyRequest, fallback: Viewer['client']): Viewer['client'] {
  const v = request.headers[CLIENT_HEADER];
  return v === 'desktop' || v === 'web' || v === 'api' ? v : fallback;
}

const quote = (s: string) => s.replace(/["\\]/g, "'");

function unauthorized(description: string, withError: boolean): HttpError {
  const header = withError
    ? `Bearer realm="klaxon", error="invalid_token", error_description="${quote(description)}"`
    : 'Bearer realm="klaxon"';
  return new HttpError(401, 'unauthorized', description, { headers: { 'www-authenticate': header } });
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The viewer from a request's bearer token (desktop, API clients) or else its web session (browser). */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticate {
  return (request) => {
    const authz = request.headers.authorization;
    return authz !== undefined ? fromBearer(deps, request, authz) : fromSession(deps, request);
  };
}

async function fromBearer(deps: AuthenticatorDeps, request: FastifyRequest, authz: string): Promise<Viewer> {
  // The auth scheme is case-insensitive (RFC 9110 §11.1); the token itself is not.
  const m = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(authz);
  if (!m) {
    deps.metrics.authFailures.inc({ reason: 'malformed' });
    throw unauthorized('The Authorization header must be "Bearer <access token>".', true);
  }
  try {
    const claims = await deps.verifier.verify(m[1]!);
    const groups = groupsFromClaims(claims, deps.groupsClaim);
    const str = (k: string) => (typeof claims[k] === 'string' && claims[k] ? (claims[k] as string) : null);
    return {
      sub: claims.sub!,
      name: str('name') ?? str('preferred_username') ?? claims.sub!,
      email: str('email'),
      groups,
      username: str('preferred_username'),
      permissions: permissionsFor(groups, deps.groups),
      expiresAt: claims.exp ? new Date(claims.exp * 1000) : null,
      via: 'bearer',
      client: clientKind(request, 'api'),
    };
  } catch (e) {
    if (!(e instanceof TokenError)) throw e;
    deps.metrics.authFailures.inc({ reason: e.reason });
    if (e.reason === 'issuer_unreachable') throw new HttpError(503, 'upstream_unavailable', e.message);
    throw unauthorized(e.message, true);
  }
}

async function fromSession(deps: AuthenticatorDeps, request: FastifyRequest): Promise<Viewer> {
  let session = await deps.sessions.fromRequest(request);
  if (session === null) {
    deps.metrics.authFailures.inc({ reason: 'missing_token' });
    throw unauthorized('Sign in to use Klaxon.', false);
  }
  if (session === 'invalid') {
    deps.metrics.authFailures.inc({ reason: 'invalid_session' });
    throw unauthorized('Your sign-in is no longer valid; sign in again.', true);
  }
  if (session.accessExpiresAt.getTime() <= Date.now()) {
    session = await deps.renewSession(session);
    if (!session) {
      deps.metrics.authFailures.inc({ reason: 'expired' });
      throw unauthorized('Your sign-in has expired; sign in again.', true);
    }
  }
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameToken(sent, session.csrfToken)) {
      deps.metrics.authFailures.inc({ reason: 'csrf' });
      throw new HttpError(
        403,
        'forbidden',
        `This request is missing its anti-forgery token (${CSRF_HEADER}). Reload Klaxon and try again.`,
      );
    }
  }
  return {
    sub: session.sub,
    name: session.name,
    email: session.email,
    groups: session.groups,
    username: session.username,
    permissions: permissionsFor(session.groups, deps.groups),
    expiresAt: session.accessExpiresAt,
    via: 'session',
    client: 'web',
  };
}

/** The viewer the route's guard established (a guarded route always has one). */
export function viewerOf(request: FastifyRequest): Viewer {
  if (!request.viewer) throw new Error(`${request.method} ${request.routeOptions.url} has no guard`);
  return request.viewer;
}

/** Guards routes: authenticates the request, then checks the permission the route needs. */
export function createGuard(deps: {
  authenticate: Authenticate;
  groups: GroupRules;
  metrics: Pick<Metrics, 'authFailures'>;
}): Guard {
  return (permission) =>
    async function guard(request: FastifyRequest, _reply: FastifyReply) {
      const viewer = await deps.authenticate(request);
      if (permission !== 'user' && !viewer.permissions[permission]) {
        deps.metrics.authFailures.inc({ reason: 'forbidden' });
        throw new HttpError(403, 'forbidden', forbiddenMessage(permission, deps.groups), {
          requiredGroups: requiredGroupsFor(permission, deps.groups),
        });
      }
      request.viewer = viewer;
    };
}
