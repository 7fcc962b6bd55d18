// The chat.* keys: nothing announced by default, and every bad chat key named at once.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig } from '#server/index.js';

const minimal = {
  oncall: { apiId: 'id', apiKey: 'key', restEndpointKey: 'rest' },
  oidc: { issuer: 'https://idp.example.org', audience: 'https://klaxon.example.org/api' },
};

function problemsOf(chat: unknown): string[] {
  try {
    loadServerConfig({ env: {}, overrides: { ...minimal, chat } as never, warn: () => {} });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => p.message);
    throw e;
  }
  return [];
}

describe('chat configuration', () => {
  it('announces nowhere and posts no details by default', () => {
    const c = loadServerConfig({ env: {}, overrides: minimal, warn: () => {} });
    expect(c.chat).toEqual({
      irc: [],
      webhooks: [],
      includeDetails: false,
      timeoutMs: 10_000,
      baseDelayMs: 2000,
      maxDelayMs: 300_000,
      giveUpAfterMinutes: 120,
    });
  });

  it("fills an IRC channel's defaults: TLS on 6697, certificate checked", () => {
    const c = loadServerConfig({
      env: {},
      overrides: { ...minimal, chat: { irc: [{ name: 'ops', host: 'irc.example.org', channel: '#ops' }] } },
      warn: () => {},
    });
    expect(c.chat.irc[0]).toEqual({
      name: 'ops',
      host: 'irc.example.org',
      port: 6697,
      tls: true,
      tlsVerify: true,
      nick: 'klaxon',
      channel: '#ops',
      channelKey: null,
      sasl: null,
      password: null,
    });
  });

  it('names every bad chat key at once', () => {
    expect(
      problemsOf({
        irc: [
          { name: 'ops', host: 'irc.example.org', channel: '#ops', tls: false },
          { name: 'chat', host: 'irc.example.org', channel: '#b', tls: false, sasl: { account: 'k', password: 'p' } },
        ],
        webhooks: [
          { name: 'ops', type: 'slack', url: 'https://hooks.example.org/x', roomId: '!a:b' },
          { name: 'mx', type: 'matrix', url: 'https://matrix.example.org' },
        ],
        baseDelayMs: 5000,
        maxDelayMs: 1000,
      }),
    ).toEqual([
      'chat.irc.1.sasl: needs chat.irc.1.tls: true, so the password is not sent in clear',
      'chat.webhooks.0.name: "ops" is already the name of chat.irc.0.name; every chat channel needs its own name',
      "chat.webhooks.0.roomId: is only for matrix; a slack webhook's URL names its channel",
      'chat.webhooks.1.roomId: must be set for a matrix webhook (e.g. "!abc:example.org")',
      'chat.webhooks.1.accessToken: must be set for a matrix webhook (the access token of the posting account)',
      'chat.maxDelayMs: must be at least chat.baseDelayMs',
    ]);
  });

  it('names a malformed channel, nick or type', () => {
    expect(
      problemsOf({
        irc: [{ name: 'Ops', host: 'irc.example.org', channel: 'ops', nick: '1klaxon' }],
        webhooks: [{ name: 'tg', type: 'telegram', url: 'ftp://t.example.org' }],
      }),
    ).toEqual([
      'chat.irc.0.name: must be 1-64 lower-case letters, digits, "-" or "_"',
      'chat.irc.0.nick: must be a valid IRC nickname',
      'chat.irc.0.channel: must be an IRC channel such as "#ops"',
      'chat.webhooks.0.type: must be one of "slack", "mattermost", "matrix"',
      'chat.webhooks.0.url: must be an http(s) URL',
    ]);
  });
});
