import type { FastifyInstance } from 'fastify';
import { webAuthRoutes } from '#common/index.js';

/** Where the sign-in pages' stylesheet is served (under /auth, with the pages that use it). */
export const AUTH_STYLESHEET_PATH = '/auth/page.css';

/**
 * The look of the web UI (colours of renderer/styles/app.css, light and dark, its font) for the few
 * pages the server itself answers during sign-in. A stylesheet of its own, not inline CSS: the
 * Content-Security-Policy allows styles from 'self' only.
 */
const STYLESHEET = `:root {
  color-scheme: light;
  --bg: #ffffff;
  --surface: #f3f4f6;
  --text: #1b1d21;
  --muted: #4a505a;
  --border: #c4c9d1;
  --link: #0b57d0;
  --focus: #0b57d0;
  --primary-bg: #1f4fb8;
  --primary-text: #ffffff;
}
@media (prefers-color-scheme: dark) {
  :root {
    color-scheme: dark;
    --bg: #15171a;
    --surface: #1f2227;
    --text: #e8eaed;
    --muted: #b0b6bf;
    --border: #4a505a;
    --link: #8ab4f8;
    --focus: #8ab4f8;
    --primary-bg: #8ab4f8;
    --primary-text: #0e1a33;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: var(--bg); color: var(--text); }
body {
  font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif;
  min-width: 320px;
}
main {
  max-width: 28rem;
  margin: 10vh auto 0;
  padding: 1.25rem 1.5rem;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: 8px;
}
/* The popover-sized window (380 px): the card keeps a margin instead of touching both edges. */
@media (max-width: 30rem) {
  main { margin: 1.5rem 0.75rem 0; }
}
.brand { margin: 0 0 0.75rem; color: var(--muted); font-weight: 600; letter-spacing: 0.02em; }
h1 { font-size: 1.1rem; margin: 0 0 0.5rem; }
p { margin: 0.5rem 0; }
a { color: var(--link); }
a.button {
  display: inline-block;
  margin-top: 0.5rem;
  padding: 0.45rem 0.9rem;
  border-radius: 6px;
  background: var(--primary-bg);
  color: var(--primary-text);
  text-decoration: none;
  font-weight: 600;
}
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 4px; }
code { font-size: 0.95em; }
`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A sign-in page: its title, sentences (plain text, escaped here) and an optional way on. */
export function authPage(title: string, sentences: string[], action?: { label: string; href: string }): string {
  const body = sentences.map((s) => `<p>${escapeHtml(s)}</p>`).join('');
  const link = action
    ? `<p><a class="button" href="${escapeHtml(action.href)}">${escapeHtml(action.label)}</a></p>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Klaxon</title><link rel="stylesheet" href="${AUTH_STYLESHEET_PATH}"></head><body><main><p class="brand">Klaxon</p><h1>${escapeHtml(title)}</h1>${body}${link}</main></body></html>`;
}

export const SIGN_IN_AGAIN = { label: 'Sign in again', href: webAuthRoutes.login };

export function registerAuthStylesheet(app: FastifyInstance): void {
  app.get(AUTH_STYLESHEET_PATH, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
}
