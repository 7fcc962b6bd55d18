/**
 * The one file that imports @sentry/electron/main, by name so the bundler keeps only what is used
 * (about 1 MB instead of 2.2 MB of main.js). shell/error-reports.ts loads it with a dynamic
 * import, only once error reports are on: with no DSN it is never evaluated.
 */
import {
  IPCMode,
  captureEvent,
  close,
  dedupeIntegration,
  electronContextIntegration,
  eventFiltersIntegration,
  functionToStringIntegration,
  init,
  linkedErrorsIntegration,
  makeElectronTransport,
  normalizePathsIntegration,
  onUncaughtExceptionIntegration,
  onUnhandledRejectionIntegration,
} from '@sentry/electron/main';
import { PROCESS_TAG, errorReportHooks } from '#common/index.js';
import type { DesktopErrorReports } from '../error-reports.js';

/** Starts the SDK for the main process; see shell/error-reports.ts for why each option. */
export function startSentryMain(d: DesktopErrorReports, sensitive: () => string[]): void {
  init({
    dsn: d.dsn,
    environment: d.environment,
    release: d.release,
    sampleRate: d.sampleRate,
    ipcMode: IPCMode.Classic,
    defaultIntegrations: false,
    integrations: [
      onUncaughtExceptionIntegration(),
      onUnhandledRejectionIntegration(),
      eventFiltersIntegration(),
      functionToStringIntegration(),
      linkedErrorsIntegration(),
      dedupeIntegration(),
      electronContextIntegration(),
      normalizePathsIntegration(),
    ],
    transport: makeElectronTransport,
    skipOpenTelemetrySetup: true,
    sendDefaultPii: false,
    sendClientReports: false,
    initialScope: { tags: { [PROCESS_TAG]: 'desktop-main' } },
    ...errorReportHooks(sensitive),
  });
}

export function captureSentryEvent(event: Record<string, unknown>): void {
  captureEvent(event as Parameters<typeof captureEvent>[0]);
}

export async function closeSentryMain(timeoutMs: number): Promise<void> {
  await close(timeoutMs);
}
