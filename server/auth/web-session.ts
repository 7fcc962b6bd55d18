import { randomBytes } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KlaxonStore, WebSession } from '../store/store.js';

const SESSION_COOKIE = 'klaxon_session';

/**
 * The session cookie's name. Over HTTPS it carries the `__Host-` prefix: browsers then accept it
 * only with Secure, Path=/ and no Domain, so a sibling subdomain cannot plant or overwrite it.
 */
function sessionCookieName(secure: boolean): string {
  return secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

interface CookiePayload {
  sid: string;
  sub: string;
  name: string;
  /** Access-token expiry (epoch s) when the cookie was written. */
  exp: number;
}

/**
 * Browser sessions: a signed HttpOnly SameSite=Lax cookie names the session and the user; the
 * SQLite row is the truth (so logout revokes it everywhere) and carries the per-session CSRF token.
 */
export class WebSessions {
  private readonly cookieName: string;

  constructor(
    private readonly store: KlaxonStore,
    private readonly secureCookies: boolean,
  ) {
    this.cookieName = sessionCookieName(secureCookies);
  }

  async create(identity: Omit<WebSession, 'id' | 'csrfToken' | 'createdAt' | 'revokedAt'>): Promise<WebSession> {
    const session: WebSession = {
      ...identity,
      id: randomBytes(32).toString('base64url'),
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: new Date(),
      revokedAt: null,
    };
    await this.store.createSession(session);
    return session;
  }

  setCookie(reply: FastifyReply, s: WebSession): void {
    const payload: CookiePayload = {
      sid: s.id,
      sub: s.sub,
      name: s.name,
      exp: Math.floor(s.accessExpiresAt.getTime() / 1000),
    };
    reply.setCookie(this.cookieName, Buffer.from(JSON.stringify(payload)).toString('base64url'), {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secureCookies,
      signed: true,
    });
  }

  clearCookie(reply: FastifyReply): void {
    reply.clearCookie(this.cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secureCookies });
  }

  /** The session named by the request's cookie: null if there is no cookie; 'invalid' if forged, revoked or unknown. */
  async fromRequest(request: FastifyRequest): Promise<WebSession | null | 'invalid'> {
    const raw = request.cookies[this.cookieName];
    if (!raw) return null;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || !unsigned.value) return 'invalid';
    let payload: CookiePayload;
    try {
      payload = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as CookiePayload;
    } catch {
      return 'invalid';
    }
    const s = await this.store.getSession(payload.sid);
    if (!s || s.revokedAt || s.sub !== payload.sub) return 'invalid';
    return s;
  }
}
