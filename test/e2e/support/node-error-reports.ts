import { NodeClient, defaultStackParser, makeNodeTransport } from '@sentry/node';
import { PROCESS_TAG, errorReportHooks } from '#common/index.js';
import type { ErrorReportsShell } from '#electron/error-reports.js';

/**
 * The main process's error reporter for the desktop core running under Node (desktop-bridge.ts):
 * a real Sentry client, the NodeClient that @sentry/electron/main runs on in Klaxon desktop, with
 * Klaxon's scrubber, sending real envelopes. Not installed globally: nothing else in the test
 * process reports. What only Electron has (its integrations, the `net` transport) is covered by
 * test/electron/error-reports.spec.ts.
 */
export function nodeErrorReports(): ErrorReportsShell & { close(): Promise<void> } {
  let client: NodeClient | null = null;
  return {
    appVersion: '0.1.0',
    applyDecision(decision, sensitive) {
      void client?.close();
      client = null;
      if (!decision) return;
      client = new NodeClient({
        dsn: decision.dsn,
        environment: decision.environment,
        release: decision.release,
        sampleRate: decision.sampleRate,
        transport: makeNodeTransport,
        stackParser: defaultStackParser,
        integrations: [],
        sendClientReports: false,
        initialScope: { tags: { [PROCESS_TAG]: 'desktop-main' } },
        ...errorReportHooks(sensitive),
      });
      client.init();
    },
    captureRendererEvent(event) {
      client?.captureEvent(event);
    },
    async close() {
      await client?.close(2000);
    },
  };
}
