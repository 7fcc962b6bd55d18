// The programmatic "system browser" for tests: follows an authorization URL with a cookie jar
// and `redirect: 'manual'`, fills the IdP's own login and consent forms exactly as a person would
// (reading the forms' actions from the HTML), and finally GETs the redirect back to the client
// (the desktop app's loopback callback or the Klaxon server's /auth/callback), returning that
// response without following it further, so a test can see the client's answer and its cookies.
import { demoAccounts } from './accounts.js';
import { CookieJar } from './cookie-jar.js';

export interface CompleteLoginOptions {
  consent?: 'grant' | 'deny';
  cookieJar?: CookieJar;
  /** Password to type; default the demo account's password (= username). */
  password?: string;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
}

export interface CompleteLoginResult {
  response: Response;
  finalUrl: string;
  cookieJar: CookieJar;
}

interface HtmlForm {
  kind: string;
  action: string;
  method: string;
  fields: [string, string][];
}

function decodeEntities(s: string): string {
  return s.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? _,
  );
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m?.[1] === undefined ? undefined : decodeEntities(m[1]);
}

function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = ` ${m[1] ?? ''}`;
    const fields: [string, string][] = [];
    for (const input of (m[2] ?? '').matchAll(/<input\b[^>]*>/gi)) {
      const name = attr(input[0], 'name');
      if (name && attr(input[0], 'type')?.toLowerCase() === 'hidden')
        fields.push([name, attr(input[0], 'value') ?? '']);
    }
    forms.push({
      kind: attr(open, 'data-form') ?? '',
      action: attr(open, 'action') ?? '',
      method: (attr(open, 'method') ?? 'get').toUpperCase(),
      fields,
    });
  }
  return forms;
}

function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

export async function completeLogin(
  authorizeUrl: string | URL,
  username: string,
  opts: CompleteLoginOptions = {},
): Promise<CompleteLoginResult> {
  const jar = opts.cookieJar ?? new CookieJar();
  const idpOrigin = new URL(authorizeUrl).origin;
  const password = opts.password ?? demoAccounts().find((a) => a.username === username)?.password ?? username;
  const timeout = opts.timeoutMs ?? 10_000;

  const request = async (url: URL, init: { method?: string; form?: URLSearchParams } = {}): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.form?.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeout),
    });
    jar.store(url, res);
    return res;
  };

  let url = new URL(authorizeUrl);
  let res = await request(url);
  let submittedLogin = false;
  let submittedConsent = false;
  for (let step = 0; step < 20; step++) {
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      await res.body?.cancel();
      if (!location) throw new Error(`Identity provider answered ${res.status} without a Location at ${url.pathname}.`);
      const next = new URL(location, url);
      if (next.origin !== idpOrigin) {
        // Back at the client: deliver the callback like the browser would, and stop there.
        const response = await request(next);
        return { response, finalUrl: next.href, cookieJar: jar };
      }
      url = next;
      res = await request(url);
      continue;
    }

    const html = await res.text();
    const forms = parseForms(html);
    const find = (kind: string) => forms.find((f) => f.kind === kind);
    const login = find('login');
    const consent = find(opts.consent === 'deny' ? 'deny' : 'allow');

    if (login && res.status === 401 && submittedLogin) {
      throw new Error(`Sign-in as "${username}" was refused by the identity provider (wrong username or password).`);
    }
    if (login && !submittedLogin) {
      submittedLogin = true;
      const form = new URLSearchParams([...login.fields, ['username', username], ['password', password]]);
      url = new URL(login.action, url);
      res = await request(url, { method: login.method, form });
      continue;
    }
    if (consent && !submittedConsent) {
      submittedConsent = true;
      url = new URL(consent.action, url);
      res = await request(url, { method: consent.method, form: new URLSearchParams(consent.fields) });
      continue;
    }
    throw new Error(
      `Unexpected page from the identity provider (${res.status} at ${url.pathname}): ${visibleText(html)}`,
    );
  }
  throw new Error('Sign-in did not finish: too many redirects or pages at the identity provider.');
}
