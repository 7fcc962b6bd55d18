import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The policy the renderer's own <meta> CSP also states; sent as a header on every response. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Klaxon web UI not built</title></head>
<body><main><h1>The Klaxon web UI is not built</h1>
<p>This server is running, but the folder it serves the web UI from has no <code>index.html</code>.</p>
<p>Operator: run <code>npm run build:renderer</code>, or point <code>webUi.dir</code> in the server config at the built files, then reload this page.</p>
<p>Klaxon desktop and the API keep working meanwhile.</p></main></body></html>`;

/**
 * Serves the built renderer at `/` with @fastify/static, falls back to index.html for client-side
 * routes, and answers a clear 503 page while the UI is not built.
 */
export function registerWebUi(
  app: FastifyInstance,
  dir: string,
): { notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply | null } {
  const root = path.resolve(dir);
  const index = path.join(root, 'index.html');
  if (existsSync(root)) {
    app.register(fastifyStatic, {
      root,
      index: ['index.html'],
      wildcard: true,
      cacheControl: false,
      // index.html must be revalidated so a new build is picked up; hashed assets may be cached.
      setHeaders: (reply, file) =>
        void reply.header('cache-control', file.endsWith('.html') ? 'no-cache' : 'public, max-age=3600'),
    });
  }
  const isApiPath = (url: string) =>
    /^\/(api|auth)(\/|$|\?)/.test(url) || /^\/(healthz|healthz\/upstream|readyz|metrics)(\?|$)/.test(url);
  return {
    /** SPA fallback for GET navigation; null when the request is not one the UI should answer. */
    notFound(req, reply) {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.url)) return null;
      // A missing asset (has an extension) is a real 404, not a page of the app.
      if (/\.[a-z0-9]+(\?|$)/i.test(req.url.split('?')[0]!)) return null;
      if (!existsSync(index))
        return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
      // The UI was built after the server started: static serving was not set up for it yet.
      if (typeof (reply as Partial<Pick<FastifyReply, 'sendFile'>>).sendFile !== 'function') {
        return reply
          .code(503)
          .type('text/html; charset=utf-8')
          .send(
            NOT_BUILT.replace(
              'has no <code>index.html</code>',
              'was built after the server started; restart the server',
            ),
          );
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
    },
  };
}
