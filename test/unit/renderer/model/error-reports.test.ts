import { describe, expect, it } from 'vitest';
import { initialClientState, type ClientConfig, type ClientState, type Me } from '#common/index.js';
import { rendererErrorReports, sensitiveStrings } from '#renderer/model/error-reports.js';
import { page } from '#test/support/renderer-fixtures.js';

const SENTRY = {
  dsn: 'https://k@o1.ingest.sentry.io/2',
  environment: 'production',
  release: 'klaxon@1.0.0',
  sampleRate: 1,
};
const base = initialClientState('https://klaxon.example.org', { mode: 'encrypted', message: null });
const withConfig = (sentry?: typeof SENTRY): ClientState => ({
  ...base,
  config: { serverName: 'Klaxon', ...(sentry ? { sentry } : {}) } as ClientConfig,
});
const me: Me = {
  user: { sub: 'u-123', name: 'Alice Andersen', email: 'alice@klaxon.test', groups: ['sre'] },
  permissions: { view: true, page: true, acknowledge: true },
  csrfToken: 'csrf-token-123',
};

describe('rendererErrorReports', () => {
  it("web: on exactly when the server's client config names a DSN", () => {
    expect(rendererErrorReports('web', base)).toBeNull();
    expect(rendererErrorReports('web', withConfig())).toBeNull();
    expect(rendererErrorReports('web', withConfig(SENTRY))).toEqual({ kind: 'web', config: SENTRY });
  });

  it('desktop: on exactly when the main process says its reports are on (the DSN stays there)', () => {
    expect(rendererErrorReports('desktop', withConfig(SENTRY))).toBeNull();
    expect(rendererErrorReports('desktop', { ...base, errorReports: false })).toBeNull();
    expect(rendererErrorReports('desktop', { ...base, errorReports: true })).toEqual({ kind: 'desktop' });
  });
});

describe('sensitiveStrings', () => {
  it('names the signed-in person, the CSRF token, what is typed and the text of recent pages', () => {
    const state: ClientState = { ...base, auth: { status: 'signed-in', me } };
    expect(
      sensitiveStrings(state, ['Disk full on db-7', '', '   '], [page({ summary: 'Printers down', details: '' })]),
    ).toEqual(['Alice Andersen', 'alice@klaxon.test', 'u-123', 'csrf-token-123', 'Disk full on db-7', 'Printers down']);
    expect(sensitiveStrings(null, [], [])).toEqual([]);
  });
});
