import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod/mini';
import { routes, type RouteDef, type RouteName } from '#common/index.js';
import type { Guard } from '../auth/guard.js';
import { HttpError } from './errors.js';

type RouteOf<N extends RouteName> = (typeof routes)[N];

/** What a route's handler answers: the contract's `response` type, or nothing (204, or a hijacked SSE stream). */
export type Answer<N extends RouteName> =
  RouteOf<N> extends { response: infer S extends z.ZodMiniType } ? z.output<S> : void;

/** What a route's `body` schema gives once checked. */
export type BodyOf<N extends RouteName> =
  RouteOf<N> extends { body: infer S extends z.ZodMiniType } ? z.output<S> : never;

/**
 * Adds one route of the contract (`common/api.ts`) as the contract declares it: its method and
 * path, the guard its `auth` asks for, and its success `status`; the handler must answer the
 * route's `response` type. Failures are thrown (HttpError) and answered by the error handler.
 */
export function addRoute<N extends RouteName>(
  app: FastifyInstance,
  name: N,
  guard: Guard | null,
  handler: (req: FastifyRequest, reply: FastifyReply) => Promise<Answer<N>>,
): void {
  const route: RouteDef = routes[name];
  if (route.auth !== 'none' && !guard) throw new Error(`route ${name} needs a guard for "${route.auth}"`);
  app.route({
    method: route.method,
    url: route.path,
    ...(route.auth !== 'none' && guard ? { preHandler: guard(route.auth) } : {}),
    handler: async (req, reply) => {
      const answer = await handler(req, reply);
      // The handler took the response over (an event stream): nothing more to send.
      if (reply.sent) return reply;
      reply.code(route.status);
      return answer === undefined ? reply.send() : answer;
    },
  });
}

/** The request body checked against the route's `body` schema; a 400 naming the first bad field otherwise. */
export function bodyOf<N extends RouteName>(name: N, body: unknown): BodyOf<N> {
  const schema = (routes[name] as RouteDef).body;
  if (!schema) throw new Error(`route ${name} declares no body`);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw HttpError.invalid(parsed.error.issues);
  return parsed.data as BodyOf<N>;
}
