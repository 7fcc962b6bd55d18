import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The web UI's Content-Security-Policy, built here only: the strict defaults, plus in `connect-src`
 * the Sentry host of `sentry.clientDsn` when the clients' error reports are on (where the web UI
 * sends its errors), nothing else. `header`: sent on every response. `meta`: written into the
 * `<meta>` policy of the index.html the server serves (both apply, so both must allow the same);
 * it leaves out `frame-ancestors`, which the HTML standard does not allow in a `<meta>` policy
 * (browsers ignore it there and Chromium logs an error on every load): the header refuses framing.
 */
export function contentSecurityPolicy(
  errorReportOrigin: string | null = null,
  place: 'header' | 'meta' = 'header',
): string {
  const connect = errorReportOrigin ? `'self' ${errorReportOrigin}` : "'self'";
  const policy = `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; font-src 'self'; base-uri 'none'; form-action 'self'`;
  return place === 'header' ? `${policy}; frame-ancestors 'none'` : policy;
}

/** The header policy without error reports. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

const META_CSP = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")[^"]*(")/i;

/** index.html with its <meta> CSP replaced by `metaPolicy` (identical to the built file while error reports are off). */
export function withPolicy(html: string, metaPolicy: string): string {
  return html.replace(META_CSP, (_m, open: string, close: string) => `${open}${metaPolicy}${close}`);
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Klaxon web UI not built</title></head>
<body><main><h1>The Klaxon web UI is not built</h1>
<p>This server is running, but the folder it serves the web UI from has no <code>index.html</code>.</p>
<p>Operator: run <code>npm run build:renderer</code>, or point <code>webUi.dir</code> in the server config at the built files, then reload this page.</p>
<p>Klaxon desktop and the API keep working meanwhile.</p></main></body></html>`;

/**
 * Serves the built renderer at `/` with @fastify/static, falls back to index.html for client-side
 * routes, and answers a clear 503 page while the UI is not built. index.html itself (at `/`, at
 * `/index.html` and as the fallback) is always answered here, with the policy for `errorReportOrigin`
 * (`contentSecurityPolicy`) written into its <meta>.
 */
export function registerWebUi(
  app: FastifyInstance,
  dir: string,
  errorReportOrigin: string | null = null,
): { notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply | null } {
  const root = path.resolve(dir);
  const index = path.join(root, 'index.html');
  const metaPolicy = contentSecurityPolicy(errorReportOrigin, 'meta');
  if (existsSync(root)) {
    app.register(fastifyStatic, {
      root,
      index: ['index.html'],
      // index.html (also as the index of `/`) goes through notFound below, so its <meta> CSP
      // always matches the header.
      allowedPath: (pathName) => pathName !== '/index.html',
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
      const pathname = req.url.split('?')[0]!;
      // A missing asset (has an extension) is a real 404, not a page of the app.
      if (pathname !== '/index.html' && /\.[a-z0-9]+$/i.test(pathname)) return null;
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
      return reply
        .code(200)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(withPolicy(readFileSync(index, 'utf8'), metaPolicy));
    },
  };
}
