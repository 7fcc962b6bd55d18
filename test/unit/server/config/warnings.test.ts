import { describe, expect, it } from 'vitest';
import { configWarnings, loadServerConfig } from '#server/index.js';

const base = {
  oidc: { issuer: 'https://idp.example.org', audience: 'https://klaxon.example.org/api' },
  oncall: { apiId: 'id', apiKey: 'key', restEndpointKey: 'rest' },
  sessionSecret: 's'.repeat(40),
  fallbackContacts: [{ kind: 'phone' as const, label: 'SRE emergency line', href: 'tel:+15550100' }],
};

function warningsFor(extra: Record<string, unknown>): string[] {
  const seen: string[] = [];
  const config = loadServerConfig({ env: {}, overrides: { ...base, ...extra }, warn: (m) => seen.push(m) });
  expect(configWarnings(config)).toEqual(seen);
  return seen;
}

describe('publicUrl warning', () => {
  it('warns when the server listens beyond loopback without publicUrl', () => {
    const w = warningsFor({ listen: { host: '0.0.0.0', port: 8787 } });
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(
      /^publicUrl is not set while listen\.host is "0\.0\.0\.0": browser sign-in would send people back to http:\/\/127\.0\.0\.1/,
    );
    expect(w[0]).toMatch(/KLAXON_PUBLIC_URL/);
  });

  it('does not warn on loopback, or when publicUrl is set', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.1.1'])
      expect(warningsFor({ listen: { host, port: 8787 } }), host).toEqual([]);
    expect(warningsFor({ listen: { host: '0.0.0.0', port: 8787 }, publicUrl: 'https://klaxon.example.org' })).toEqual(
      [],
    );
  });
});

describe('fallback contacts warning', () => {
  it('warns at start when there are none, saying what people would read and what to set', () => {
    const w = warningsFor({ fallbackContacts: [] });
    expect(w).toEqual([
      'fallbackContacts is empty: when paging fails or is rate-limited, people are only told to ask their team lead. Add at least one way to reach SRE without Klaxon (a phone number, a chat channel) to fallbackContacts.',
    ]);
  });
});
