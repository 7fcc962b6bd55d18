/**
 * Starts the main process's error reports (@sentry/electron/main, in sentry-main.ts) when the core
 * decides they are on (../error-reports.ts), and sends the renderer's events through them. The SDK
 * is loaded only then: with no DSN it is neither evaluated nor initialised.
 *
 * Choices, each against the SDK's defaults:
 * - `ipcMode: Classic` and no preload injection: the renderer's events come over Klaxon's own
 *   `errors:report` channel, never over the SDK's `sentry-ipc://` scheme, which would have to be
 *   registered before `ready` (the DSN may only be known from the server later) and bypasses the CSP.
 *   The SDK's classic `sentry-ipc.*` listeners exist but no preload exposes them to a page.
 * - Errors only, through a short list of integrations: no minidumps (a native crash dump holds
 *   memory, tokens included, that no scrubber can read), no screenshots, no local variables, no
 *   console or network breadcrumbs, no sessions, no tracing, no OpenTelemetry.
 * - The plain `net` transport: nothing is queued on disk.
 * - Started at most once per run: the SDK cannot register its handlers twice. Turned off later
 *   (another server without a DSN), it is closed and sends nothing more; a new DSN, or reports
 *   turned on again, apply at the next start.
 */
import { app } from 'electron';
import type { DesktopErrorReports, ErrorReportsShell } from '../error-reports.js';

type SentryMain = typeof import('./sentry-main.js');

export function createMainErrorReports(log: (m: string) => void): ErrorReportsShell {
  let sdk: SentryMain | null = null;
  let started: DesktopErrorReports | null = null;
  let active = false;
  // Decisions and renderer events are applied in order, after the SDK has loaded.
  let queue: Promise<void> = Promise.resolve();
  const later = (step: () => Promise<void> | void) => {
    queue = queue.then(step).catch((e: unknown) => log(`error reports: ${e instanceof Error ? e.message : String(e)}`));
  };

  return {
    appVersion: app.getVersion(),
    applyDecision(decision, sensitive) {
      later(async () => {
        if (started === null) {
          if (!decision) return;
          sdk ??= await import('./sentry-main.js');
          sdk.startSentryMain(decision, sensitive);
          started = decision;
          active = true;
          return;
        }
        if (active && JSON.stringify(started) === JSON.stringify(decision)) return;
        // Off, or another DSN: a closed client cannot be started again in this run.
        if (active) await sdk?.closeSentryMain(2000);
        active = false;
        if (decision) log('error reports: the new settings take effect when Klaxon next starts');
      });
    },
    captureRendererEvent(event) {
      later(() => {
        if (active) sdk?.captureSentryEvent(event);
      });
    },
  };
}
