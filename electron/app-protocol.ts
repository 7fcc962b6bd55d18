/**
 * The `app://klaxon/…` scheme serves the bundled renderer and nothing else: only files under the
 * renderer directory, no `..` or encoded-slash tricks, and every answer carries the CSP as a header
 * (as well as the renderer's <meta> CSP). A scheme of its own, not file://, gives the UI one origin
 * that the IPC sender check (shell/ipc.ts) and the navigation guards can recognise, and no way to
 * read other files on the disk.
 */
import path from 'node:path';

export const APP_SCHEME = 'app';
const APP_HOST = 'klaxon';
const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export type AppRequestResolution = { file: string; contentType: string } | { status: 400 | 403 | 404; reason: string };

/** Maps an `app://klaxon/<path>` URL to a file under `rootDir`, or says why not. */
export function resolveAppRequest(rawUrl: string, rootDir: string): AppRequestResolution {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { status: 400, reason: 'bad URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { status: 403, reason: 'wrong origin' };
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { status: 400, reason: 'bad encoding' };
  }
  if (pathname.includes('\0') || pathname.includes('\\') || pathname.split('/').includes('..'))
    return { status: 403, reason: 'path traversal' };
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const root = path.resolve(rootDir);
  const file = path.resolve(root, `.${pathname}`);
  if (file !== root && !file.startsWith(root + path.sep)) return { status: 403, reason: 'outside the renderer' };
  const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()];
  if (!contentType) return { status: 404, reason: 'unknown file type' };
  return { file, contentType };
}

/** True when an IPC message or navigation comes from Klaxon's own UI (never from a page it did not serve). */
export function isAppUrl(raw: string | null | undefined): boolean {
  if (!raw) return false;
  try {
    const u = new URL(raw);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}
