import { buildApp, type KlaxonApp } from './app.js';
import { ConfigError, type ServerConfig } from './config/index.js';
import { listen } from './http/listen.js';
import type { LogOption } from './http/logging.js';
import { sentryRelease, startErrorReports } from './runtime/error-reports.js';
import { openStore } from './store/open-store.js';

export interface RunningServer {
  url: string;
  /** Where `/metrics` and readiness details are served when `metrics.listen` is set; null otherwise. */
  metricsUrl: string | null;
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
 * A configured issuer that is not the provider's own (often only a trailing slash) refuses every
 * sign-in while everything else looks healthy: found at start, it stops the start naming the value
 * to set (or, with `oidc.issuerMismatch: warn`, is logged and keeps /readyz not ready). A provider
 * that cannot be reached at start does not stop the start: tokens are checked once it answers.
 */
async function checkIdentityProvider(klaxon: KlaxonApp, config: ServerConfig): Promise<void> {
  const { mismatch, unreachable } = await klaxon.checkIdentityProvider();
  const configured = config.oidc.issuer;
  if (mismatch !== null && config.oidc.issuerMismatch === 'refuse')
    throw new ConfigError(
      `oidc.issuer: "${configured}" is not the issuer the sign-in provider names ("${mismatch}"), so every sign-in would be refused; set oidc.issuer to "${mismatch}" (or oidc.issuerMismatch to "warn" to start anyway).`,
      'oidc.issuer',
    );
  if (unreachable !== null)
    klaxon.app.log.warn(
      { key: 'oidc.issuer', issuer: configured, err: unreachable },
      'the sign-in provider could not be reached at start to check oidc.issuer; it is checked again with the first token',
    );
}

/**
 * Opens storage, builds the app, listens and starts the background work. Used by `main.ts`, the
 * demo launcher and tests. Start-up failures an operator can fix are thrown as ConfigErrors.
 */
export async function startKlaxonServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const store = await openStore(config);
  let klaxon: Awaited<ReturnType<typeof buildApp>> | null = null;
  let url: string;
  let metricsUrl: string | null = null;
  const errorReports = await startErrorReports(config, { ownsProcess: opts.ownsProcess ?? false });
  try {
    klaxon = await buildApp({
      config,
      store,
      errorReports,
      ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    });
    await checkIdentityProvider(klaxon, config);
    if (config.targetChecks.atStart === 'refuse') await refuseBrokenTargets(klaxon);
    url = await listen(klaxon.app, config.listen);
    if (klaxon.operatorApp && config.metrics.listen)
      metricsUrl = await listen(klaxon.operatorApp, config.metrics.listen, 'metrics.listen');
  } catch (e) {
    await klaxon?.close().catch(() => undefined);
    await store.close();
    await errorReports.close();
    throw e;
  }
  await klaxon.start();
  klaxon.app.log.info({ url, publicUrl: config.publicUrl ?? url, metricsUrl }, 'Klaxon server listening');
  if (errorReports.enabled) {
    const { environment, sampleRate } = config.sentry;
    klaxon.app.log.info({ environment, release: sentryRelease(config), sampleRate }, 'error reports to Sentry are on');
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    metricsUrl,
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

/**
 * `targetChecks.atStart: refuse`: a target whose routing key On-Call does not know, or that wakes
 * nobody at once by its set-up, stops the start with the key named. When On-Call cannot be asked,
 * the server starts anyway (and keeps checking): an outage must not keep Klaxon and its fallback
 * contacts away from people.
 */
async function refuseBrokenTargets(klaxon: KlaxonApp): Promise<void> {
  const problem = await klaxon.targets.firstSetupProblem();
  if (problem) throw new ConfigError(problem.detail, problem.configKey);
}
