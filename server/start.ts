import { buildApp } from './app.js';
import type { ServerConfig } from './config/index.js';
import { listen } from './http/listen.js';
import type { LogOption } from './http/logging.js';
import { openStore } from './store/open-store.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** false: no logs; true (default): JSON logs to stdout; an object: extra pino options (e.g. `{ stream }`). */
  logger?: LogOption;
}

/**
 * Opens storage, builds the app, listens and starts the background work. Used by `main.ts`, the
 * demo launcher and tests. Start-up failures an operator can fix are thrown as ConfigErrors.
 */
export async function startKlaxonServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const store = await openStore(config);
  let klaxon: Awaited<ReturnType<typeof buildApp>> | null = null;
  let url: string;
  try {
    klaxon = await buildApp({ config, store, ...(opts.logger !== undefined ? { logger: opts.logger } : {}) });
    url = await listen(klaxon.app, config.listen);
  } catch (e) {
    await klaxon?.close().catch(() => undefined);
    await store.close();
    throw e;
  }
  await klaxon.start();
  klaxon.app.log.info({ url, publicUrl: config.publicUrl ?? url }, 'Klaxon server listening');

  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      // The deliveries in flight finish (or are abandoned under lease) before storage goes away.
      closing ??= klaxon.close().then(() => store.close());
      return closing;
    },
  };
}
