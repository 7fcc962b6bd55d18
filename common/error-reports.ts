/**
 * What Klaxon's error reports (Sentry) may carry, decided once for every process: the server, the
 * desktop main process and renderer, and the web UI all install these functions as their SDK's
 * `beforeSend`, `beforeSendTransaction` and `beforeBreadcrumb`. They work on plain event objects
 * (typed structurally: common/ imports no SDK) and never throw: anything that cannot be scrubbed is
 * dropped instead of sent.
 *
 * Removed, wherever it appears:
 * - the user (`user`: id, e-mail, IP address, name): Klaxon keeps no opaque user id either, because
 *   the only id it has is the identity provider's `sub`, whose format the provider chooses (a
 *   user name or an e-mail address at some providers), so Klaxon cannot promise it is opaque;
 * - request bodies, cookies and the request environment; every request header except a few that
 *   describe the client (`SAFE_HEADERS`), so `authorization`, `cookie`, `set-cookie`,
 *   `x-klaxon-csrf` and `idempotency-key` never leave;
 * - the query string of `/auth/callback` (the OAuth code and state), and `code`, `state` and
 *   token parameters in any URL;
 * - values under keys that name secrets or people's words (`SECRET_KEYS`: tokens, passwords,
 *   cookies, the CSRF token, page summaries and details, e-mail addresses, …) in extra data,
 *   contexts, tags and breadcrumb data, also inside JSON text;
 * - in every string: JWTs (also cut ones), `Bearer`/`Basic` credentials, Klaxon's cookies and
 *   cookie or authorization headers written out as text, e-mail addresses, user
 *   names in home-directory paths, and the strings the caller knows to be sensitive at that moment
 *   (`sensitive`: the signed-in person's name and e-mail, what they typed in the page dialog, the
 *   server's own secrets, a failed request's page text);
 * - local variables of stack frames (`vars`).
 *
 * Strings are capped (`MAX_STRING`), objects are followed to `MAX_DEPTH` levels and arrays to
 * `MAX_ITEMS` items, so a hostile or runaway value costs bounded time.
 */

/** The tag that says which process an error came from: `server`, `web`, `desktop-main`, `desktop-renderer`. */
export const PROCESS_TAG = 'klaxon.process';

/** What replaces a removed value. */
export const FILTERED = '[Filtered]';

/** Longest string kept after scrubbing; longer ones are cut (after the secrets in them are replaced). */
export const MAX_STRING = 8192;
/** Longest string looked at: the rest is never read, so the patterns run in bounded time. */
const MAX_SCANNED = 65536;
const MAX_DEPTH = 16;
const MAX_ITEMS = 250;
/** Shorter known-sensitive strings are not searched for: they would blank out ordinary words. */
const MIN_SENSITIVE_LENGTH = 4;

export interface ScrubOptions {
  /** Exact strings to remove wherever they appear (e.g. the signed-in person's name, a page's text). */
  sensitive?: readonly string[];
}

const normaliseKey = (k: string) => k.toLowerCase().replace(/[-_\s.]/g, '');

/** Keys whose values are replaced, compared without case, `-`, `_`, `.` or spaces. */
const SECRET_KEYS = new Set(
  [
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'x-klaxon-csrf',
    'csrf',
    'csrfToken',
    'idempotency-key',
    'idempotencyKey',
    'password',
    'passwd',
    'secret',
    'clientSecret',
    'sessionSecret',
    'webhookSecret',
    'x-klaxon-webhook-secret',
    'apiKey',
    'x-vo-api-key',
    'restEndpointKey',
    'token',
    'accessToken',
    'refreshToken',
    'idToken',
    'bearer',
    'summary',
    'details',
    'email',
    'emailAddress',
    'ip_address',
    'ip',
    'username',
    'preferred_username',
    'sub',
    'requester',
    'ackedBy',
    'body',
    'requestBody',
    'responseBody',
    'payload',
  ].map(normaliseKey),
);

/** Keys removed with their values. */
const DROPPED_KEYS = new Set(['vars', 'user', 'cookies', 'env'].map(normaliseKey));

/** Request headers that may stay: they describe the client, never the person or a credential. */
const SAFE_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'content-length',
  'content-type',
  'host',
  'user-agent',
  'x-klaxon-client',
]);

/** JSON text `"key": "value"` (also escaped once, as inside another JSON string) for the keys worth searching text for. */
const TEXT_KEYS = [
  'summary',
  'details',
  'email',
  'password',
  'secret',
  'clientSecret',
  'token',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'idToken',
  'csrfToken',
  'authorization',
  'cookie',
].join('|');
const JSON_PAIR = new RegExp(`("(?:${TEXT_KEYS})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
const ESCAPED_JSON_PAIR = new RegExp(`(\\\\"(?:${TEXT_KEYS})\\\\"\\s*:\\s*)\\\\"[^"]*?\\\\"`, 'gi');
/** `summary=…` in form-encoded text. */
const FORM_PAIR = new RegExp(`(^|[?&;\\s])((?:${TEXT_KEYS})=)[^&#\\s"'<>]*`, 'gi');

/** URL parameters that carry the OAuth code, state or a token. */
const SECRET_PARAM =
  /(^|[?&#;])(code|state|session_state|token|access_token|refresh_token|id_token|id_token_hint|client_secret|password|csrf)=[^&#\s"'<>]*/gi;
/** The whole query (and fragment) of the sign-in callback. */
const CALLBACK_QUERY = /(\/auth\/callback)[?#][^\s"'<>]*/gi;
/** A JWT, or a cut one: base64url JSON (`eyJ…`) with up to two more dot-separated parts. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g;
const CREDENTIAL = /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{6,}/gi;
/** A cookie or authorization header written out as text (a logged request, an error that quotes one). */
const HEADER_LINE = /\b(cookie|set-cookie|authorization|proxy-authorization|x-klaxon-csrf)(\s*[:=]\s*)[^\r\n]+/gi;
/** Klaxon's own cookies (session, sign-in), with or without their __Host-/__Secure- prefix. */
const KLAXON_COOKIE = /\b((?:__Host-|__Secure-)?klaxon_(?:session|login)=)[^;,\s"'&]+/g;
/**
 * Bounded quantifiers keep this linear on long runs of letters without an @. The last label must be
 * letters, so a release name such as `klaxon@1.2.3` is not taken for an address.
 */
const EMAIL = /[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,63}\b/g;
/** The user name in a home-directory path (/home/alice, /Users/alice, C:\Users\alice). */
const HOME_DIR = /(\/home\/|\/Users\/|[A-Za-z]:\\Users\\|[A-Za-z]:\/Users\/)(?!\[user\])[^/\\\s"'<>]{1,64}/g;

function replaceKnown(text: string, sensitive: readonly string[]): string {
  let out = text;
  for (const s of sensitive) if (s.length >= MIN_SENSITIVE_LENGTH && out.includes(s)) out = out.split(s).join(FILTERED);
  return out;
}

/** One string with every secret the rules above find replaced by `[Filtered]`, then capped at `MAX_STRING`. */
export function scrubText(text: string, opts: ScrubOptions = {}): string {
  let out = text.length > MAX_SCANNED ? text.slice(0, MAX_SCANNED) : text;
  out = replaceKnown(out, opts.sensitive ?? []);
  out = out
    .replace(CALLBACK_QUERY, `$1?${FILTERED}`)
    .replace(SECRET_PARAM, `$1$2=${FILTERED}`)
    .replace(JSON_PAIR, `$1"${FILTERED}"`)
    .replace(ESCAPED_JSON_PAIR, `$1\\"${FILTERED}\\"`)
    .replace(FORM_PAIR, `$1$2${FILTERED}`)
    .replace(HEADER_LINE, `$1$2${FILTERED}`)
    .replace(KLAXON_COOKIE, `$1${FILTERED}`)
    .replace(JWT, FILTERED)
    .replace(CREDENTIAL, `$1$2${FILTERED}`)
    .replace(EMAIL, FILTERED)
    .replace(HOME_DIR, '$1[user]');
  return out.length > MAX_STRING ? `${out.slice(0, MAX_STRING)}…[truncated]` : out;
}

type Plain = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

class Walker {
  private readonly seen = new WeakSet<object>();
  constructor(private readonly opts: ScrubOptions) {}

  value(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return scrubText(v, this.opts);
    if (typeof v === 'bigint') return String(v);
    if (v === null || typeof v !== 'object') return typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
    if (v instanceof Date) return v;
    // Binary data could hold anything (a request body, a token): never sent.
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return FILTERED;
    if (depth >= MAX_DEPTH) return FILTERED;
    if (this.seen.has(v)) return '[Circular]';
    this.seen.add(v);
    try {
      if (Array.isArray(v)) return v.slice(0, MAX_ITEMS).map((x) => this.value(x, depth + 1));
      return this.object(v as Plain, depth);
    } finally {
      this.seen.delete(v);
    }
  }

  object(o: Plain, depth: number): Plain {
    const out: Plain = {};
    let n = 0;
    for (const [k, v] of Object.entries(o)) {
      if (n++ >= MAX_ITEMS) break;
      const key = normaliseKey(k);
      if (DROPPED_KEYS.has(key)) continue;
      if (SECRET_KEYS.has(key)) {
        if (v !== undefined && v !== null) out[k] = FILTERED;
        continue;
      }
      const scrubbed = this.value(v, depth + 1);
      // A key can be a secret too (an object keyed by e-mail address).
      if (scrubbed !== undefined) out[scrubText(k, this.opts)] = scrubbed;
    }
    return out;
  }
}

const callbackUrl = (v: unknown) => typeof v === 'string' && /\/auth\/callback(?:[?#]|$)/i.test(v);

/** The request of an event: method, URL without secrets, and the harmless headers; never a body or cookies. */
function scrubRequest(request: unknown, opts: ScrubOptions): Plain | undefined {
  if (!isPlainObject(request)) return undefined;
  const out: Plain = {};
  if (typeof request.method === 'string') out.method = request.method;
  if (typeof request.url === 'string') out.url = scrubText(request.url, opts);
  if (typeof request.query_string === 'string' && !callbackUrl(request.url))
    out.query_string = scrubText(request.query_string, opts);
  if (isPlainObject(request.headers)) {
    const headers: Plain = {};
    for (const [k, v] of Object.entries(request.headers))
      if (SAFE_HEADERS.has(k.toLowerCase()) && typeof v === 'string') headers[k] = scrubText(v, opts);
    out.headers = headers;
  }
  return out;
}

/** A breadcrumb (navigation, HTTP call, console line, click) with its message and data scrubbed. */
export function scrubBreadcrumb<B extends object>(breadcrumb: B, opts: ScrubOptions = {}): B | null {
  try {
    const out = new Walker(opts).object(breadcrumb as Plain, 0);
    const data = out.data;
    // The split-out query of an HTTP breadcrumb to the sign-in callback: the OAuth code and state.
    if (isPlainObject(data) && Object.values(data).some(callbackUrl)) {
      delete data['http.query'];
      delete data['http.fragment'];
    }
    return out as B;
  } catch {
    return null;
  }
}

/** An error or transaction event as the SDK is about to send it, with everything listed above removed. */
export function scrubEvent<E extends object>(event: E, opts: ScrubOptions = {}): E | null {
  try {
    const { request, breadcrumbs, sdkProcessingMetadata, ...rest } = event as Plain;
    const out = new Walker(opts).object(rest, 0);
    const req = scrubRequest(request, opts);
    if (req) out.request = req;
    if (Array.isArray(breadcrumbs))
      out.breadcrumbs = breadcrumbs
        .slice(-MAX_ITEMS)
        .map((b) => (isPlainObject(b) ? scrubBreadcrumb(b, opts) : null))
        .filter((b) => b !== null);
    // The SDK's own bookkeeping for the envelope header; it deletes it before sending the event.
    if (sdkProcessingMetadata !== undefined) out.sdkProcessingMetadata = sdkProcessingMetadata;
    return out as E;
  } catch {
    return null;
  }
}

/**
 * Where a caller puts the strings it knows to be sensitive for one report: the SDK hands the
 * capture's hint (`captureException(error, { data: { [SENSITIVE_HINT]: [...] } })`) to `beforeSend`.
 */
export const SENSITIVE_HINT = 'klaxonSensitive';

const hintStrings = (hint: unknown): string[] => {
  const data = isPlainObject(hint) ? hint.data : undefined;
  const list = isPlainObject(data) ? data[SENSITIVE_HINT] : undefined;
  return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : [];
};

/**
 * The hooks each SDK's `init` takes. `sensitive` is asked at every event: it returns what this
 * process knows to be sensitive right now; a capture can add more through its hint (`SENSITIVE_HINT`).
 */
export function errorReportHooks(sensitive: () => readonly string[] = () => []) {
  const opts = (hint: unknown): ScrubOptions => {
    let known: string[] = [];
    try {
      known = sensitive().filter((s) => typeof s === 'string');
    } catch {
      // No state to ask yet: the patterns still apply.
    }
    return { sensitive: [...known, ...hintStrings(hint)] };
  };
  return {
    beforeSend: <E extends object>(event: E, hint?: unknown): E | null => scrubEvent(event, opts(hint)),
    beforeSendTransaction: <E extends object>(event: E, hint?: unknown): E | null => scrubEvent(event, opts(hint)),
    beforeBreadcrumb: <B extends object>(breadcrumb: B, hint?: unknown): B | null =>
      scrubBreadcrumb(breadcrumb, opts(hint)),
  };
}
