// CookieJar: the test browser's cookie handling (origins, paths, expiry).
import { describe, expect, it } from 'vitest';
import { CookieJar } from '#dev/identity-provider/index.js';

const res = (...cookies: string[]) =>
  new Response(null, { headers: cookies.map((c) => ['set-cookie', c] as [string, string]) });

describe('CookieJar', () => {
  it('keeps cookies per origin and sends them back as one header', () => {
    const jar = new CookieJar();
    jar.store('http://127.0.0.1:1000/a', res('a=1; Path=/', 'b=2; Path=/; HttpOnly'));
    jar.store('http://127.0.0.1:2000/', res('c=3; Path=/'));
    expect(jar.header('http://127.0.0.1:1000/x')).toBe('a=1; b=2');
    expect(jar.get('http://127.0.0.1:2000/')).toBe('c=3');
    expect(jar.header('http://127.0.0.1:3000/')).toBeUndefined();
  });

  it('honours Path, replaces by name and path, and deletes expired cookies', () => {
    const jar = new CookieJar();
    jar.store('http://h.test/', res('i=1; path=/interaction/abc', 'i=2; path=/interaction/xyz', 's=1; path=/'));
    expect(jar.header('http://h.test/interaction/abc')).toBe('i=1; s=1');
    expect(jar.header('http://h.test/interaction/abcdef')).toBe('s=1');
    expect(jar.value('http://h.test/interaction/xyz', 'i')).toBe('2');
    jar.store('http://h.test/', res('s=2; path=/'));
    expect(jar.header('http://h.test/')).toBe('s=2');
    jar.store(
      'http://h.test/',
      res('s=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT', 'i=; path=/interaction/abc; max-age=0'),
    );
    expect(jar.header('http://h.test/interaction/abc')).toBeUndefined();
  });
});
