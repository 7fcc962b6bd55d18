import type { FastifyInstance } from 'fastify';

/**
 * Headers on every response: the security headers (the CSP also covers error pages and JSON),
 * `cache-control: no-store` on API answers that set none, and Server-Timing on API answers: how
 * long the server itself took (token check, validation, durable write), visible in browser dev
 * tools and to benchmarks, next to the round trip.
 */
export function addResponseHeaders(app: FastifyInstance, opts: { https: boolean; csp: string }): void {
  const receivedAt = new WeakMap<object, number>();
  app.addHook('onRequest', async (req) => {
    receivedAt.set(req, performance.now());
  });
  app.addHook('onSend', async (req, reply, payload) => {
    const t0 = receivedAt.get(req);
    if (t0 !== undefined && req.url.startsWith('/api/'))
      reply.header('server-timing', `app;dur=${(performance.now() - t0).toFixed(2)}`);
    reply.header('content-security-policy', opts.csp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (opts.https) reply.header('strict-transport-security', 'max-age=31536000');
    if (!reply.hasHeader('cache-control') && req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
