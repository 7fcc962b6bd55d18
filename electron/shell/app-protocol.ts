/** Registers and serves the `app://klaxon` scheme (the renderer), with the CSP as a response header. */
import { protocol } from 'electron';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { APP_SCHEME, RENDERER_CSP, resolveAppRequest } from '../app-protocol.js';

/** Must run before `app.whenReady()` (Electron allows it once). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const r = resolveAppRequest(request.url, rendererDir);
    if ('status' in r)
      return new Response(`Not found (${r.reason})`, { status: r.status, headers: { 'content-type': 'text/plain' } });
    try {
      // A symlink inside the bundle must not lead outside it.
      const real = await realpath(r.file);
      const root = await realpath(rendererDir);
      if (real !== root && !real.startsWith(root + path.sep)) return new Response('Forbidden', { status: 403 });
      const body = await readFile(real);
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': r.contentType,
          'Content-Security-Policy': RENDERER_CSP,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-cache',
        },
      });
    } catch {
      return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    }
  });
}
