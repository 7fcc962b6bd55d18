// server/runtime/error-reports.ts without a network: the throttle that keeps a failing loop from
// filling Sentry, and the default (no DSN: nothing is started).
import { describe, expect, it } from 'vitest';
import { loadServerConfig } from '#server/config/index.js';
import { ReportThrottle, noErrorReports, sentryRelease, startErrorReports } from '#server/runtime/error-reports.js';

const config = (sentry = {}) =>
  loadServerConfig({
    env: {},
    warn: () => {},
    overrides: {
      oidc: { issuer: 'http://127.0.0.1:9/', audience: 'klaxon-test' },
      oncall: { apiId: 'id', apiKey: 'key', restEndpointKey: 'rest' },
      sentry,
    },
  });

describe('ReportThrottle', () => {
  it('lets each failure through once a minute and counts the ones it held back', () => {
    let now = 0;
    const t = new ReportThrottle(60_000, () => now);
    expect(t.admit('delivery-worker:Error: database is locked')).toBe(0);
    now = 1_000;
    expect(t.admit('delivery-worker:Error: database is locked')).toBeNull();
    expect(t.admit('delivery-worker:Error: database is locked')).toBeNull();
    expect(t.admit('page-tracker:Error: database is locked')).toBe(0);
    now = 61_000;
    expect(t.admit('delivery-worker:Error: database is locked')).toBe(2);
    expect(t.admit('delivery-worker:Error: database is locked')).toBeNull();
  });
});

describe('startErrorReports', () => {
  it('without sentry.dsn: the no-op reporter, and the SDK is not initialised', async () => {
    // The SDK's own variable must not turn reports on.
    process.env.SENTRY_DSN = 'http://k@127.0.0.1:9/1';
    try {
      const r = await startErrorReports(config({ clientDsn: 'https://k@o1.ingest.sentry.io/2' }));
      expect(r).toBe(noErrorReports);
      expect(r.enabled).toBe(false);
      const Sentry = await import('@sentry/node');
      expect(Sentry.isInitialized()).toBe(false);
    } finally {
      delete process.env.SENTRY_DSN;
    }
  });

  it('reports the package version as the release unless sentry.release names one', () => {
    expect(sentryRelease(config())).toMatch(/^klaxon@\d+\.\d+\.\d+/);
    expect(sentryRelease(config({ release: 'klaxon@2.0.0-rc.1' }))).toBe('klaxon@2.0.0-rc.1');
  });
});
