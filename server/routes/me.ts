import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Me } from '#common/index.js';
import { viewerOf, type Guard } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { addRoute } from '../http/contract-route.js';
import type { WebSessions } from '../auth/web-session.js';

/**
 * `GET /api/v1/me`: who is signed in and what they may do (plus the CSRF token of a browser session);
 * `GET /api/v1/session`: the same, or `{ me: null }` for nobody, answered 200 either way (common/api.ts).
 */
export async function meRoutes(app: FastifyInstance, deps: { guard: Guard; sessions: WebSessions }): Promise<void> {
  const meOf = async (req: FastifyRequest): Promise<Me> => {
    const v = viewerOf(req);
    const me: Me = {
      user: { sub: v.sub, name: v.name, email: v.email, groups: v.groups },
      permissions: v.permissions,
    };
    if (v.via === 'session') {
      const s = await deps.sessions.fromRequest(req);
      if (s && s !== 'invalid') me.csrfToken = s.csrfToken;
    }
    return me;
  };

  addRoute(app, 'me', deps.guard, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return meOf(req);
  });

  const signedIn = deps.guard('user');
  addRoute(app, 'session', null, async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    try {
      // The same check as every guarded route (and the same renewal of an expired web session).
      await signedIn.call(app, req, reply);
    } catch (e) {
      if (e instanceof HttpError && e.statusCode === 401) return { me: null };
      throw e; // the identity provider unreachable (503) is not "signed out"
    }
    return { me: await meOf(req) };
  });
}
