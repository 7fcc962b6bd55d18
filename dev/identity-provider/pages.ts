// HTML of the development IdP's pages. Plain server-rendered forms: they must work in a real
// browser for the demo, in Playwright tests, and for the HTTP driver (login-driver.ts).
//
// STABLE SELECTORS (tests and the driver rely on these; do not rename):
//   login page   <form data-form="login">  getByLabel('Username') -> input#username[name=username]
//                                          getByLabel('Password') -> input#password[name=password][type=password]
//                                          getByRole('button', { name: 'Sign in' })
//                error: <p role="alert" id="login-error">  (text starts "Wrong username or password")
//                demo accounts table: <table id="demo-accounts">
//   consent page <form data-form="allow">  getByRole('button', { name: 'Allow' })
//                <form data-form="deny">   getByRole('button', { name: 'Deny' })
//   every page   <h1> heading, <main>; `<title>` names the step.
//
// CSP is strict: no inline script or style; the stylesheet is served from /static/idp.css.
import type { ServerResponse } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { DemoAccount } from './accounts.js';

export const STYLESHEET_PATH = '/static/idp.css';

/**
 * The pages name their icon, so the browser does not ask for /favicon.ico, get a 404 and log it as
 * an error on every sign-in (a console full of expected errors hides the real ones). A key.
 */
export const FAVICON_PATH = '/static/favicon.svg';
export const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#57606a"/><circle cx="12" cy="16" r="5" fill="none" stroke="#fff" stroke-width="3"/><path d="M17 16h10v4M23 16v3" fill="none" stroke="#fff" stroke-width="3"/></svg>';

export const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #f4f5f7; --card: #fff; --accent: #b42318; --muted: #57606a; --border: #d0d7de; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --card: #161b22; --accent: #ff7b72; --muted: #9da7b3; --border: #30363d; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 32rem; margin: 3rem auto; padding: 2rem; background: var(--card); border: 1px solid var(--border); border-radius: 8px; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
.lead { color: var(--muted); margin: 0 0 1.5rem; }
label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
input { width: 100%; padding: .6rem .7rem; font: inherit; color: inherit; background: transparent; border: 1px solid var(--border); border-radius: 6px; }
input:focus, button:focus { outline: 3px solid color-mix(in srgb, var(--accent) 45%, transparent); outline-offset: 2px; }
button { font: inherit; font-weight: 600; padding: .6rem 1.2rem; border-radius: 6px; border: 1px solid var(--border); cursor: pointer; color: inherit; background: transparent; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
.actions { display: flex; gap: .75rem; margin-top: 1.5rem; flex-wrap: wrap; }
.actions form { margin: 0; }
[role=alert] { border: 1px solid var(--accent); color: var(--accent); padding: .6rem .8rem; border-radius: 6px; }
table { width: 100%; border-collapse: collapse; font-size: .95rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--border); }
code { font-family: ui-monospace, monospace; }
.note { color: var(--muted); font-size: .9rem; }
ul.scopes { padding-left: 1.25rem; }
`;

export function esc(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** CSP for our pages. `formTargets`: origins a form submission may end up redirected to (Chromium applies form-action to redirects). */
export function contentSecurityPolicy(formTargets: string[] = []): string {
  const formAction = ["'self'", ...formTargets].join(' ');
  return `default-src 'none'; style-src 'self'; img-src 'self'; form-action ${formAction}; base-uri 'none'; frame-ancestors 'none'`;
}

export function securityHeaders(formTargets: string[] = []): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicy(formTargets),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Klaxon development sign-in</title>
<link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml">
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function send(res: ServerResponse, status: number, html: string, formTargets: string[] = []): void {
  res.writeHead(status, securityHeaders(formTargets)).end(html);
}

export function loginPage(o: {
  action: string;
  abortAction: string;
  clientName: string;
  accounts: DemoAccount[];
  username?: string;
  error?: string;
}): string {
  const rows = o.accounts
    .map(
      (a) =>
        `<tr><td><code>${esc(a.username)}</code></td><td>${esc(a.name)}</td><td>${a.groups.length ? a.groups.map(esc).join(', ') : '<span class="note">none</span>'}</td></tr>`,
    )
    .join('\n');
  return layout(
    'Sign in',
    `
<h1>Sign in</h1>
<p class="lead">to continue to <strong>${esc(o.clientName)}</strong></p>
${o.error ? `<p role="alert" id="login-error">${esc(o.error)}</p>` : ''}
<form data-form="login" method="post" action="${esc(o.action)}">
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${esc(o.username ?? '')}">
  <label for="password">Password</label>
  <input id="password" type="password" name="password" autocomplete="current-password" required>
  <div class="actions"><button class="primary" type="submit">Sign in</button></div>
</form>
<form data-form="cancel" method="post" action="${esc(o.abortAction)}">
  <div class="actions"><button type="submit">Cancel</button></div>
</form>
<h2 id="demo-accounts-heading">Demo accounts</h2>
<p class="note">This is Klaxon's development identity provider. Each password is the same as the username.</p>
<table id="demo-accounts" aria-labelledby="demo-accounts-heading">
<thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Groups</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`,
  );
}

const SCOPE_TEXT: Record<string, string> = {
  openid: 'Confirm who you are',
  profile: 'See your name and username',
  email: 'See your e-mail address',
  groups: 'See which groups you belong to',
  offline_access: 'Stay signed in when you are not using it',
};

export function consentPage(o: {
  allowAction: string;
  denyAction: string;
  clientName: string;
  account: DemoAccount;
  scopes: string[];
  resource?: string;
}): string {
  const items = o.scopes.map((s) => `<li>${esc(SCOPE_TEXT[s] ?? s)}</li>`).join('\n');
  return layout(
    'Allow access',
    `
<h1>Allow access?</h1>
<p class="lead"><strong>${esc(o.clientName)}</strong> wants to use your account <strong>${esc(o.account.name)}</strong> (<code>${esc(o.account.username)}</code>).</p>
<h2>It will be able to</h2>
<ul class="scopes">
${items || '<li>Confirm who you are</li>'}
${o.resource ? `<li>Act for you at <code>${esc(o.resource)}</code></li>` : ''}
</ul>
<div class="actions">
  <form data-form="allow" method="post" action="${esc(o.allowAction)}"><button class="primary" type="submit">Allow</button></form>
  <form data-form="deny" method="post" action="${esc(o.denyAction)}"><button type="submit">Deny</button></form>
</div>`,
  );
}

export function messagePage(title: string, message: string, next: string): string {
  return layout(title, `<h1>${esc(title)}</h1>\n<p role="alert">${esc(message)}</p>\n<p>${esc(next)}</p>`);
}

function setHeaders(ctx: KoaContextWithOIDC, formTargets: string[] = []): void {
  for (const [k, v] of Object.entries(securityHeaders(formTargets))) ctx.set(k, v);
}

export async function renderErrorPage(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string },
  _error: unknown,
): Promise<void> {
  setHeaders(ctx);
  ctx.type = 'html';
  ctx.body = layout(
    'Sign-in error',
    `<h1>Sign-in could not continue</h1>
<p role="alert" id="error-code"><code>${esc(out.error)}</code>${out.error_description ? `: ${esc(out.error_description)}` : ''}</p>
<p>Go back to Klaxon and start signing in again. If this keeps happening, the app's identity provider settings may be wrong.</p>`,
  );
}

export async function renderLogoutPage(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  // The confirm form redirects on to the client's post_logout_redirect_uri (form-action covers redirects).
  const target = URL.parse(String(ctx.oidc.params?.post_logout_redirect_uri ?? ''));
  setHeaders(ctx, target ? [target.origin] : []);
  ctx.type = 'html';
  ctx.body = layout(
    'Sign out',
    `<h1>Sign out?</h1>
<p class="lead">You will be signed out of Klaxon's development identity provider.</p>
${form}
<div class="actions"><button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button></div>`,
  );
}

export async function renderPostLogoutPage(ctx: KoaContextWithOIDC): Promise<void> {
  setHeaders(ctx);
  ctx.type = 'html';
  ctx.body = layout('Signed out', '<h1>Signed out</h1>\n<p>You can close this tab.</p>');
}
