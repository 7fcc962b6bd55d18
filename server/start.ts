import { buildApp } from './app.js';
import type { ServerConfig } from './config/index.js';
import { listen } from './http/listen.js';
import type { LogOption } from './http/logging.js';
import { sentryRelease, startErrorReports } from './runtime/error-reports.js';
import { openStore } from './store/open-store.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** false: no logs; true (default): JSON logs to stdout; an object: extra pino options (e.g. `{ stream }`). */
  logger?: LogOption;
  /**
   * The server is the process (the CLI): with error reports on, uncaught exceptions and unhandled
   * rejections are reported too before the process ends. Tests and the demo embed the server.
   */
  ownsProcess?: boolean;
}

/**
 * Opens storage, builds the app, listens and starts the background work. Used by `main.ts`, the
 * demo launcher and tests. Start-up failures an operator can fix are thrown as ConfigErrors.
 */
export async function startKlaxonServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const store = openStore(config.storage.sqlitePath);
  let klaxon: Awaited<ReturnType<typeof buildApp>> | null = null;
  let url: string;
  const errorReports = await startErrorReports(config, { ownsProcess: opts.ownsProcess ?? false });
  try {
    klaxon = await buildApp({
      config,
      store,
      errorReports,
      ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    });
    url = await listen(klaxon.app, config.listen);
  } catch (e) {
    await klaxon?.close().catch(() => undefined);
    await store.close();
    await errorReports.close();
    throw e;
  }
  klaxon.start();
  klaxon.app.log.info({ url, publicUrl: config.publicUrl ?? url }, 'Klaxon server listening');
  if (errorReports.enabled) {
    const { environment, sampleRate } = config.sentry;
    klaxon.app.log.info({ environment, release: sentryRelease(config), sampleRate }, 'error reports to Sentry are on');
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      // The deliveries in flight finish (or are abandoned under lease) before storage goes away.
      // Error reports last: a failure while closing is still sent.
      closing ??= klaxon
        .close()
        .then(() => store.close())
        .finally(() => errorReports.close());
      return closing;
    },
  };
}
