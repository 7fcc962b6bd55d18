/**
 * Sentry DSNs, read without the SDK: the server checks its configuration with this, and builds
 * the CSP's `connect-src` from the origin. A module of its own so the web UI's first download
 * carries this and not the scrubber (common/error-reports.ts), which only the lazily loaded SDK needs.
 */

/** The parts of a Sentry DSN (`https://<public key>@<host>/<project id>`) Klaxon needs. */
export interface SentryDsn {
  /** Where events go: `https://<host>`, for the CSP's `connect-src`. */
  origin: string;
  publicKey: string;
  projectId: string;
}

/**
 * Reads a DSN, or says in a sentence what is wrong with it. A DSN with a secret key (the old
 * `key:secret@` form) is refused: clients publish their DSN, and Sentry no longer needs the secret.
 */
export function parseSentryDsn(dsn: string): SentryDsn | { error: string } {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    return { error: 'must be a Sentry DSN such as https://<key>@o0.ingest.sentry.io/<project>' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: 'must be an http(s) DSN' };
  if (!url.username) return { error: 'has no public key (the part before @)' };
  if (url.password) return { error: 'contains a secret key: use the DSN without it (key@host/project)' };
  if (url.search || url.hash) return { error: 'must not have a query or fragment' };
  const projectId = url.pathname.split('/').pop() ?? '';
  if (!/^\d+$/.test(projectId)) return { error: 'must end with the numeric project id' };
  return { origin: url.origin, publicKey: decodeURIComponent(url.username), projectId };
}
