import { createTransport, init } from '@sentry/electron/renderer';
import type { KlaxonBridge } from '#common/index.js';
import { sharedOptions } from './integrations.js';

/**
 * The desktop renderer's reports go to the main process over Klaxon's own IPC channel
 * (`errors:report`), which sends them with its DSN, release and scrubber (electron/error-reports.ts).
 * The SDK's own ways to reach the main process (a preload of its own, or fetches to `sentry-ipc://`)
 * are not used: the preload exposes only `window.klaxon` and the CSP keeps `connect-src 'self'`.
 */
export function startDesktopErrorReports(bridge: KlaxonBridge, sensitive: () => string[]): void {
  const decoder = new TextDecoder();
  init({
    ...sharedOptions('desktop-renderer', sensitive),
    transport: (options) =>
      createTransport(options, async (request) => {
        const envelope = typeof request.body === 'string' ? request.body : decoder.decode(request.body);
        await bridge.invoke('errors:report', { envelope });
        // The main process sends and rate-limits; the renderer has nothing to retry.
        return { statusCode: 200 };
      }),
  });
}
