import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoOrg } from '#dev/oncall-simulator/seed.js';
import { ConfigError, loadServerConfig } from '#server/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'klaxon-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const minimal = {
  oncall: { apiId: 'id', apiKey: 'key', restEndpointKey: 'rest' },
  oidc: { issuer: 'https://idp.example.org', audience: 'https://klaxon.example.org/api' },
};

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadServerConfig', () => {
  it('fills every default around the required keys', () => {
    const c = loadServerConfig({ env: {}, overrides: minimal, warn: () => {} });
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(c.oncall.pollIntervalSeconds).toBe(10);
    expect(c.pageRateLimit).toEqual({ max: 3, windowSeconds: 600 });
    expect(c.delivery).toMatchObject({ timeoutMs: 5000, baseDelayMs: 1000, maxDelayMs: 60000, giveUpAfterMinutes: 30 });
    expect(c.groups).toEqual({ page: ['staff', 'sre'], acknowledge: ['sre'], view: null, audit: [] });
    expect(c.audit).toEqual({ retentionDays: 400 });
    expect(c.targets).toHaveLength(1);
    expect(c.targets[0]).toMatchObject({ id: 'sre', default: true });
    expect(c.oidc.algorithms).toEqual(['ES256', 'RS256']);
  });

  it('reads YAML and JSON files, and the environment wins over the file for secrets', () => {
    const yamlFile = write(
      'a.yaml',
      'oncall:\n  apiId: file-id\n  apiKey: file-key\n  restEndpointKey: file-rest\noidc:\n  issuer: https://idp.example.org\n  audience: aud\nlisten: { port: 9000 }\n',
    );
    const c = loadServerConfig({
      file: yamlFile,
      env: { KLAXON_ONCALL_API_KEY: 'env-key', KLAXON_LISTEN_PORT: '9100' },
      warn: () => {},
    });
    expect(c.oncall.apiId).toBe('file-id');
    expect(c.oncall.apiKey).toBe('env-key');
    expect(c.listen.port).toBe(9100);
    const jsonFile = write('b.json', JSON.stringify({ ...minimal, serverName: 'From JSON' }));
    expect(loadServerConfig({ file: jsonFile, env: {}, warn: () => {} }).serverName).toBe('From JSON');
  });

  it('names the key of a value with the wrong type', () => {
    const f = write(
      'c.yaml',
      'oncall:\n  apiId: a\n  apiKey: b\n  restEndpointKey: c\n  pollIntervalSeconds: fast\noidc: { issuer: "https://i.example", audience: a }\n',
    );
    const e = errorOf(() => loadServerConfig({ file: f, env: {} }));
    expect(e.message).toBe('oncall.pollIntervalSeconds: must be a number');
    expect(e.key).toBe('oncall.pollIntervalSeconds');
  });

  it('refuses unknown keys, naming them with their path', () => {
    expect(
      errorOf(() =>
        loadServerConfig({
          env: {},
          overrides: { ...minimal, oncall: { ...minimal.oncall, pollIntervalSecs: 5 } as never },
        }),
      ).message,
    ).toMatch(/^oncall\.pollIntervalSecs: unknown key/);
    expect(errorOf(() => loadServerConfig({ env: {}, overrides: { ...minimal, oncal: {} } as never })).key).toBe(
      'oncal',
    );
  });

  it('names missing secrets and says which environment variable can supply them', () => {
    const e = errorOf(() =>
      loadServerConfig({ env: {}, overrides: { oidc: minimal.oidc, oncall: { apiId: 'x', restEndpointKey: 'y' } } }),
    );
    expect(e.message).toBe('oncall.apiKey: must be set (or set KLAXON_ONCALL_API_KEY)');
    expect(errorOf(() => loadServerConfig({ env: {}, overrides: { oncall: minimal.oncall } })).key).toBe('oidc.issuer');
  });

  it('names the bad item inside a list', () => {
    const e = errorOf(() =>
      loadServerConfig({
        env: {},
        overrides: { ...minimal, fallbackContacts: [{ kind: 'phone', label: 'x', href: 'http://x' }] },
      }),
    );
    expect(e.key).toBe('fallbackContacts.0.href');
    expect(e.message).toMatch(/^fallbackContacts\.0\.href: /);
  });

  it('requires exactly one default target when there are several', () => {
    const targets = [
      { id: 'sre', label: 'SRE', routingKey: 'sre' },
      { id: 'platform', label: 'Platform', routingKey: 'platform' },
    ];
    expect(errorOf(() => loadServerConfig({ env: {}, overrides: { ...minimal, targets } })).message).toMatch(
      /exactly one target must have default: true/,
    );
    expect(
      errorOf(() =>
        loadServerConfig({
          env: {},
          overrides: { ...minimal, targets: [targets[0]!, { ...targets[0]!, default: true }] },
        }),
      ).message,
    ).toMatch(/used twice/);
  });

  it('clamps a poll interval faster than the upstream rate limit allows, with a warning', () => {
    const warnings: string[] = [];
    const c = loadServerConfig({
      env: {},
      overrides: { ...minimal, oncall: { ...minimal.oncall, pollIntervalSeconds: 0.5 } },
      warn: (w) => warnings.push(w),
    });
    expect(c.oncall.pollIntervalSeconds).toBe(2);
    expect(warnings.join('\n')).toMatch(/oncall\.pollIntervalSeconds: 0\.5 s .*using 2 s/);
  });

  it('refuses invalid time zones, short session secrets and unparseable files', () => {
    expect(
      errorOf(() =>
        loadServerConfig({
          env: {},
          overrides: { ...minimal, oncall: { ...minimal.oncall, timeZones: { carol: 'Mars/Olympus' } } },
        }),
      ).key,
    ).toBe('oncall.timeZones.carol');
    expect(errorOf(() => loadServerConfig({ env: {}, overrides: { ...minimal, sessionSecret: 'short' } })).key).toBe(
      'sessionSecret',
    );
    expect(errorOf(() => loadServerConfig({ file: write('d.yaml', 'listen: [unclosed'), env: {} })).message).toMatch(
      /not valid YAML/,
    );
    expect(
      errorOf(() => loadServerConfig({ env: { KLAXON_LISTEN_PORT: 'eighty' }, overrides: minimal })).message,
    ).toMatch(/^listen\.port: must be a number/);
  });

  it('reports every problem at once, one line per key: environment, then values, then what they mean together', () => {
    const e = errorOf(() =>
      loadServerConfig({
        env: { KLAXON_LISTEN_PORT: 'eighty' },
        overrides: {
          oncal: { apiKey: 'typo' },
          oncall: { apiId: 'id', restEndpointKey: 'rest', pollIntervalSeconds: 'fast' },
          oidc: { issuer: 'ftp://idp.example.org', audience: 'aud' },
          targets: [
            { id: 'sre', label: 'SRE', routingKey: 'sre', default: true },
            { id: 'sre', label: 'Platform', routingKey: 'platform' },
          ],
          sessionSecret: 'short',
        } as never,
      }),
    );
    expect(e.problems.map((p) => p.key)).toEqual([
      'listen.port',
      'oncall.pollIntervalSeconds',
      'oncal',
      'oidc.issuer',
      'oncall.apiKey',
      'targets.1.id',
      'sessionSecret',
    ]);
    expect(e.key).toBe('listen.port');
    expect(e.message).toBe(
      [
        '7 problems in the configuration (each key is described in docs/server-config.md):',
        '  - listen.port: must be a number (from KLAXON_LISTEN_PORT="eighty")',
        '  - oncall.pollIntervalSeconds: must be a number',
        '  - oncal: unknown key (check the spelling; see docs/server-config.md)',
        '  - oidc.issuer: must be an http(s) URL',
        '  - oncall.apiKey: must be set (or set KLAXON_ONCALL_API_KEY)',
        '  - targets.1.id: "sre" is used twice',
        '  - sessionSecret: must be at least 32 characters',
      ].join('\n'),
    );
  });

  it('PagerDuty: names every bad key of the pagerduty block and its targets at once', () => {
    const e = errorOf(() =>
      loadServerConfig({
        env: {},
        overrides: {
          ...minimal,
          pagerduty: { apiToken: ' ' },
          targets: [
            { id: 'sre', label: 'SRE', routingKey: 'sre', default: true },
            { id: 'pd', label: 'PD', backend: 'pagerduty', routingKey: 'short' },
            { id: 'odd', label: 'Odd', routingKey: 'platform', service: 'PSVSRE1' },
          ],
        } as never,
      }),
    );
    expect(e.problems.map((p) => p.key)).toEqual([
      'targets.1.service',
      'targets.1.routingKey',
      'targets.2.service',
      'pagerduty.apiToken',
    ]);
    expect(e.message).toMatch(/targets\.1\.routingKey: must be the 32-character integration key .* \(it has 5\)/);
    expect(
      errorOf(() =>
        loadServerConfig({
          env: {},
          overrides: {
            ...minimal,
            targets: [{ id: 'pd', label: 'PD', backend: 'pagerduty', routingKey: 'k'.repeat(32), service: 'P1' }],
          } as never,
        }),
      ).message,
    ).toMatch(/targets\.0\.backend: is pagerduty, but the configuration has no pagerduty block/);
  });

  it('PagerDuty only: targets page PagerDuty without saying so, and no On-Call credentials are asked for', () => {
    const warnings: string[] = [];
    const c = loadServerConfig({
      env: { KLAXON_PAGERDUTY_API_TOKEN: 'token' },
      overrides: {
        oidc: minimal.oidc,
        pagerduty: { pollIntervalSeconds: 0.5 },
        targets: [{ id: 'sre', label: 'SRE', routingKey: 'k'.repeat(32), service: 'PSVSRE1' }],
      } as never,
      warn: (w) => warnings.push(w),
    });
    expect(c.targets[0]).toMatchObject({ backend: 'pagerduty', service: 'PSVSRE1', default: true });
    expect(c.pagerduty?.apiToken).toBe('token');
    expect(c.pagerduty?.pollIntervalSeconds).toBe(2);
    expect(warnings.join('\n')).toMatch(/pagerduty\.pollIntervalSeconds: 0\.5 s .*using 2 s/);
  });

  it('escalations: each service its own policy and user; every mistake named at once', () => {
    const pdOnly = {
      oidc: minimal.oidc,
      pagerduty: { apiToken: 'token' },
      targets: [{ id: 'sre', label: 'SRE', routingKey: 'k'.repeat(32), service: 'PSVSRE1' }],
    };
    // A PagerDuty-only server given On-Call's keys, and a PagerDuty policy with no user to send it as.
    const e = errorOf(() =>
      loadServerConfig({
        env: {},
        overrides: {
          ...pdOnly,
          pagerduty: { apiToken: 'token', escalation: { policy: 'PBATPH1' } },
          escalation: { policy: 'pol-x', asUser: 'escalator_sysuser' },
        } as never,
      }),
    );
    expect(e.problems.map((p) => p.key)).toEqual(['escalation.policy', 'pagerduty.escalation.asUser']);
    expect(e.message).toMatch(
      /escalation\.policy: names an On-Call escalation policy, .* set pagerduty\.escalation\.policy/,
    );
    // A rule switched on with no policy anywhere names both keys that could satisfy it.
    expect(
      errorOf(() =>
        loadServerConfig({
          env: {},
          overrides: { ...minimal, pagerduty: { apiToken: 't' }, escalation: { unpaged: { enabled: true } } } as never,
        }),
      ).message,
    ).toMatch(
      /escalation\.policy \(On-Call\) or pagerduty\.escalation\.policy \(PagerDuty\) must be set when escalation\.unpaged\.enabled is/,
    );
    // PagerDuty's policy alone serves the rules; its user defaults to pagerduty.fromEmail.
    const c = loadServerConfig({
      env: {},
      overrides: {
        ...pdOnly,
        pagerduty: { apiToken: 'token', fromEmail: 'klaxon@example.org', escalation: { policy: 'PBATPH1' } },
        escalation: { unpaged: { enabled: true } },
      } as never,
      warn: () => {},
    });
    expect(c.pagerduty?.escalation).toEqual({ policy: 'PBATPH1', asUser: null });
  });

  it('the demo config file loads', () => {
    const c = loadServerConfig({
      file: path.resolve(import.meta.dirname, '../../../../dev/config/demo-server.yaml'),
      env: {},
      warn: () => {},
    });
    expect(c.targets.map((t) => t.id)).toEqual(['sre', 'platform', 'batphone', 'platform-hours', 'pd-sre']);
    // One target on each service: the PagerDuty one on the PagerDuty simulator's demo port.
    expect(c.targets.at(-1)).toMatchObject({ backend: 'pagerduty', service: 'PSVSRE1' });
    expect(c.pagerduty?.apiBaseUrl).toBe('http://127.0.0.1:8791');
    expect(c.oidc.web).toEqual({ clientId: 'klaxon-web', clientSecret: 'demo-web-secret' });
    expect(c.oncall.timeZones.priya).toBe('Asia/Kolkata');
    // Every person of the simulator's realistic org has a time zone: On-Call's API has none.
    for (const user of ['carol', 'dmitri', 'ana', 'lars', 'jo', 'priya', 'sam', 'mei'])
      expect(c.oncall.timeZones[user], user).toMatch(/\//);
    // The demo escalates to a policy and as a user the simulator's realistic org has.
    const org = demoOrg('realistic');
    expect(org.policies.map((p) => p.slug)).toContain(c.escalation.policy);
    expect(org.users.map((u) => u.username)).toContain(c.escalation.asUser);
    expect(c.escalation.unpaged.enabled).toBe(true);
  });

  it('storage.postgresUrl: SQLite unless set (KLAXON_POSTGRES_URL wins), a postgres URL, with a session secret', () => {
    expect(loadServerConfig({ env: {}, overrides: minimal, warn: () => {} }).storage).toMatchObject({
      postgresUrl: null,
      postgresPoolSize: 10,
    });
    const secret = 'a-session-secret-of-at-least-32-characters';
    const c = loadServerConfig({
      env: { KLAXON_POSTGRES_URL: 'postgres://klaxon:pw@db:5432/klaxon', KLAXON_SESSION_SECRET: secret },
      overrides: minimal,
      warn: () => {},
    });
    expect(c.storage.postgresUrl).toBe('postgres://klaxon:pw@db:5432/klaxon');
    const wrong = errorOf(() =>
      loadServerConfig({
        env: { KLAXON_POSTGRES_URL: 'mysql://klaxon:hunter2@db/klaxon', KLAXON_SESSION_SECRET: secret },
        overrides: minimal,
        warn: () => {},
      }),
    );
    expect(wrong.key).toBe('storage.postgresUrl');
    expect(wrong.message).toBe('storage.postgresUrl: must be a postgres:// or postgresql:// URL');
    const noSecret = errorOf(() =>
      loadServerConfig({ env: { KLAXON_POSTGRES_URL: 'postgresql://db/klaxon' }, overrides: minimal, warn: () => {} }),
    );
    expect(noSecret.key).toBe('sessionSecret');
    expect(noSecret.message).toMatch(/^sessionSecret: must be set when storage\.postgresUrl is/);
  });
});
