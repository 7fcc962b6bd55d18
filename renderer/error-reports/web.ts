import { init } from '@sentry/browser';
import type { ClientErrorReports } from '#common/index.js';
import { sharedOptions } from './integrations.js';

/** The web UI's reports go straight to the DSN's host, which the server's CSP then allows (`connect-src`). */
export function startWebErrorReports(config: ClientErrorReports, sensitive: () => string[]): void {
  init({
    dsn: config.dsn,
    environment: config.environment,
    release: config.release,
    sampleRate: config.sampleRate,
    ...sharedOptions('web', sensitive),
  });
}
