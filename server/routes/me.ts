import type { FastifyInstance } from 'fastify';
import type { Me } from '#common/index.js';
import { viewerOf, type Guard } from '../auth/guard.js';
import { addRoute } from '../http/contract-route.js';
import type { WebSessions } from '../auth/web-session.js';

/** `GET /api/v1/me`: who is signed in and what they may do (plus the CSRF token of a browser session). */
export async function meRoutes(app: FastifyInstance, deps: { guard: Guard; sessions: WebSessions }): Promise<void> {
  addRoute(app, 'me', deps.guard, async (req, reply) => {
    const v = viewerOf(req);
    const me: Me = {
      user: { sub: v.sub, name: v.name, email: v.email, groups: v.groups },
      permissions: v.permissions,
    };
    if (v.via === 'session') {
      const s = await deps.sessions.fromRequest(req);
      if (s && s !== 'invalid') me.csrfToken = s.csrfToken;
    }
    reply.header('cache-control', 'no-store');
    return me;
  });
}
