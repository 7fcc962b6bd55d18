// A small cookie jar for the test "browser" (login-driver.ts): cookies are kept per origin, by
// name and path, from Response.headers.getSetCookie(). Enough for oidc-provider's path-scoped
// interaction cookies and for a Klaxon server session cookie; not a general-purpose jar.

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number;
}

function defaultPath(pathname: string): string {
  const i = pathname.lastIndexOf('/');
  return i <= 0 ? '/' : pathname.slice(0, i);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

export class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, StoredCookie>>();

  /** Remembers (or deletes) the cookies a response set for `url`. */
  store(url: string | URL, response: Response): void {
    const u = new URL(url);
    for (const line of response.headers.getSetCookie()) this.setCookie(u, line);
  }

  /** Parses one Set-Cookie header value as if received from `url`. */
  setCookie(url: string | URL, line: string): void {
    const u = new URL(url);
    const [pair = '', ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = defaultPath(u.pathname);
    let expiresAt = Infinity;
    for (const attr of attrs) {
      const [k = '', v = ''] = attr.split('=').map((s) => s.trim());
      const key = k.toLowerCase();
      if (key === 'path' && v.startsWith('/')) path = v;
      else if (key === 'max-age' && /^-?\d+$/.test(v)) expiresAt = Date.now() + Number(v) * 1000;
      else if (key === 'expires' && expiresAt === Infinity) {
        const t = Date.parse(v);
        if (!Number.isNaN(t)) expiresAt = t;
      }
    }
    let jar = this.byOrigin.get(u.origin);
    if (!jar) this.byOrigin.set(u.origin, (jar = new Map()));
    const key = `${name}\u0000${path}`;
    if (expiresAt <= Date.now()) jar.delete(key);
    else jar.set(key, { name, value, path, expiresAt });
  }

  /** The Cookie header to send to `url`, or undefined when there is none. */
  header(url: string | URL): string | undefined {
    const u = new URL(url);
    const jar = this.byOrigin.get(u.origin);
    if (!jar) return undefined;
    const now = Date.now();
    const matching = [...jar.values()]
      .filter((c) => c.expiresAt > now && pathMatches(u.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length); // RFC 6265 §5.4: longer paths first
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  /** Alias of header(url): the server's web-session tests read cookies with `jar.get(url)`. */
  get(url: string | URL): string | undefined {
    return this.header(url);
  }

  /** Value of one cookie visible at `url` (most specific path wins). */
  value(url: string | URL, name: string): string | undefined {
    const u = new URL(url);
    return [...(this.byOrigin.get(u.origin)?.values() ?? [])]
      .filter((c) => c.name === name && c.expiresAt > Date.now() && pathMatches(u.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length)[0]?.value;
  }

  clear(): void {
    this.byOrigin.clear();
  }
}
