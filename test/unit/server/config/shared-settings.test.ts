// The settings every server on one database must share (server/config/shared-settings.ts), and
// how two servers' settings are compared (server/store/postgres/replica-registry.ts).
import { describe, expect, it } from 'vitest';
import { loadServerConfig } from '#server/index.js';
import { sharedSettings } from '#server/config/shared-settings.js';
import { differingSettings } from '#server/store/postgres/replica-registry.js';

const base = {
  oncall: { apiId: 'id', apiKey: 'api-key-secret', restEndpointKey: 'rest-key-secret', orgSlug: 'acme' },
  oidc: { issuer: 'https://idp.example.org', audience: 'klaxon' },
  sessionSecret: 'a-session-secret-of-at-least-32-characters',
};
const settingsOf = (extra: object = {}) =>
  sharedSettings(loadServerConfig({ env: {}, overrides: { ...base, ...extra }, warn: () => {} }));

describe('sharedSettings', () => {
  it('holds secrets only as digests', () => {
    const text = JSON.stringify(settingsOf());
    expect(text).not.toContain('rest-key-secret');
    expect(text).not.toContain('a-session-secret');
    expect(text).not.toContain('api-key-secret');
    expect(settingsOf().sessionSecret).toMatch(/^sha256:[0-9a-f]{16}$/);
  });

  it('differ in exactly the keys whose values differ; per-server settings do not count', () => {
    expect(differingSettings(settingsOf(), settingsOf({ logLevel: 'debug', delivery: { concurrency: 8 } }))).toEqual(
      [],
    );
    expect(
      differingSettings(
        settingsOf(),
        settingsOf({
          oncall: { ...base.oncall, restEndpointKey: 'another', orgSlug: 'other' },
          groups: { page: ['staff'] },
          sessionSecret: 'another-session-secret-of-32-characters!',
        }),
      ),
    ).toEqual(['oncall.restEndpointKey', 'oncall.orgSlug', 'groups.page', 'sessionSecret']);
  });

  it('compare objects whatever the order of their keys', () => {
    expect(differingSettings({ a: { x: 1, y: [1, 2] } }, { a: { y: [1, 2], x: 1 } })).toEqual([]);
    expect(differingSettings({ a: [1, 2] }, { a: [2, 1] })).toEqual(['a']);
    expect(differingSettings({ a: 1 }, { b: 1 })).toEqual(['a', 'b']);
  });
});
