import { describe, expect, it } from 'vitest';
import { resolveAppRequest, isAppUrl } from '#electron/app-protocol.js';

describe('app:// request resolution', () => {
  it('maps app://klaxon paths into the renderer directory only', () => {
    expect(resolveAppRequest('app://klaxon/', '/r')).toEqual({
      file: '/r/index.html',
      contentType: 'text/html; charset=utf-8',
    });
    expect(resolveAppRequest('app://klaxon/a/b.js', '/r')).toMatchObject({ file: '/r/a/b.js' });
    expect(resolveAppRequest('app://klaxon/..%2f..%2fetc/passwd', '/r')).toMatchObject({ status: 403 });
    expect(resolveAppRequest('app://klaxon/a%5c..%5c..%5cx.js', '/r')).toMatchObject({ status: 403 });
    expect(resolveAppRequest('app://klaxon/a%00.js', '/r')).toMatchObject({ status: 403 });
    expect(resolveAppRequest('app://klaxon/%E0%A4%A.js', '/r')).toMatchObject({ status: 400 });
    expect(resolveAppRequest('app://klaxon/x.exe', '/r')).toMatchObject({ status: 404 });
    expect(resolveAppRequest('https://klaxon/index.html', '/r')).toMatchObject({ status: 403 });
    expect(isAppUrl('app://klaxon/index.html')).toBe(true);
    expect(isAppUrl('app://klaxon.evil.example/index.html')).toBe(false);
    expect(isAppUrl(null)).toBe(false);
  });
});
