/**
 * The server's error reports (Sentry), off unless `sentry.dsn` is set: without it the SDK is not even
 * loaded, and `SENTRY_DSN` in the environment is ignored (the SDK only reads it when initialised).
 *
 * What is reported: unexpected failures only, never the expected ones an operator watches through
 * `/readyz` and the metrics (On-Call unreachable, refused requests): a 500 from the error handler,
 * an exception in the delivery worker, the incidents hub, the page tracker or the target check, a page that gave up,
 * and (when the server owns its process, `server/main.ts`) uncaught exceptions and unhandled rejections.
 * Every event passes the one scrubber (`common/error-reports.ts`), which also blanks out the
 * server's own secrets and, per report, the strings the caller names (a failed request's page text).
 */
import { readFileSync } from 'node:fs';
import { PROCESS_TAG, SENSITIVE_HINT, errorReportHooks } from '#common/index.js';
import type { ServerConfig } from '../config/index.js';

/** The version in package.json: the default release (`klaxon@<version>`) of the server and the web UI it serves. */
const KLAXON_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The release the server and its web UI report: `sentry.release`, or `klaxon@<version>`. */
export function sentryRelease(config: ServerConfig): string {
  return config.sentry.release ?? `klaxon@${KLAXON_VERSION}`;
}

export interface ErrorReportContext {
  /**
   * The part of the server that failed: `http`, `delivery-worker`, `incidents-hub`, `page-tracker`,
   * `target-status`, `escalator`.
   */
  where: string;
  /** A failed request: its method and route pattern (never its body, headers or query). */
  request?: { method: string; route: string };
  /** Strings known to be sensitive in this failure (a page's text, the person's e-mail): blanked out. */
  sensitive?: readonly string[];
  /** Small facts for triage (ids, counts); scrubbed like the rest. */
  extra?: Record<string, unknown>;
}

export interface ErrorReporter {
  readonly enabled: boolean;
  exception(error: unknown, ctx: ErrorReportContext): void;
  /** A failure that is not an exception (a page that gave up). */
  message(text: string, ctx: ErrorReportContext): void;
  /** Sends what is queued (at most `timeoutMs`), then stops. */
  close(timeoutMs?: number): Promise<void>;
}

export const noErrorReports: ErrorReporter = {
  enabled: false,
  exception() {},
  message() {},
  async close() {},
};

/**
 * The same failure from a loop that retries every second would otherwise fill Sentry: each
 * (part, message) is reported at most once a minute, and the next report says how many were skipped.
 */
export class ReportThrottle {
  private readonly last = new Map<string, { at: number; skipped: number }>();
  constructor(
    private readonly everyMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** null: skip this one; otherwise how many were skipped since the last report. */
  admit(key: string): number | null {
    const t = this.now();
    const seen = this.last.get(key);
    if (seen && t - seen.at < this.everyMs) {
      seen.skipped++;
      return null;
    }
    if (this.last.size >= 500) this.last.clear();
    this.last.set(key, { at: t, skipped: 0 });
    return seen?.skipped ?? 0;
  }
}

const messageOf = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** The server's secrets: blanked out of every report, wherever they would appear (a URL, an error text). */
function serverSecrets(c: ServerConfig): string[] {
  return [
    c.oncall.apiKey,
    c.oncall.restEndpointKey,
    c.oncall.webhookSecret ?? '',
    c.oidc.web.clientSecret,
    c.sessionSecret,
  ].filter((s) => s.length > 0);
}

export interface StartErrorReportsOptions {
  /**
   * The server owns its process (the CLI): uncaught exceptions and unhandled rejections are
   * reported too, and still end the process as Node would. Off when embedded (tests, the demo).
   */
  ownsProcess?: boolean;
}

export async function startErrorReports(
  config: ServerConfig,
  opts: StartErrorReportsOptions = {},
): Promise<ErrorReporter> {
  const { dsn, environment, sampleRate } = config.sentry;
  if (!dsn) return noErrorReports;
  const Sentry = await import('@sentry/node');
  const secrets = serverSecrets(config);
  const release = sentryRelease(config);
  Sentry.init({
    dsn,
    environment,
    release,
    sampleRate,
    // Errors only: no tracing, no OpenTelemetry, no module loader hooks, no automatic
    // instrumentation of HTTP (its breadcrumbs would carry On-Call URLs with the endpoint key).
    defaultIntegrations: false,
    skipOpenTelemetrySetup: true,
    registerEsmLoaderHooks: false,
    sendDefaultPii: false,
    sendClientReports: false,
    // Never a second destination: the SDK would otherwise follow SENTRY_SPOTLIGHT to a local sidecar.
    spotlight: false,
    integrations: [
      Sentry.eventFiltersIntegration(),
      Sentry.functionToStringIntegration(),
      Sentry.linkedErrorsIntegration(),
      Sentry.dedupeIntegration(),
      Sentry.contextLinesIntegration(),
      Sentry.nodeContextIntegration(),
      ...(opts.ownsProcess
        ? [Sentry.onUncaughtExceptionIntegration(), Sentry.onUnhandledRejectionIntegration({ mode: 'strict' })]
        : []),
    ],
    initialScope: { tags: { [PROCESS_TAG]: 'server' } },
    ...errorReportHooks(() => secrets),
  });

  const throttle = new ReportThrottle();
  const capture = (ctx: ErrorReportContext, key: string, send: (hint: object) => void) => {
    const skipped = throttle.admit(`${ctx.where}:${key}`);
    if (skipped === null) return;
    send({
      captureContext: {
        level: 'error',
        tags: {
          'klaxon.where': ctx.where,
          ...(ctx.request ? { 'http.method': ctx.request.method, route: ctx.request.route } : {}),
        },
        extra: { ...ctx.extra, ...(skipped > 0 ? { similarReportsSkipped: skipped } : {}) },
      },
      data: { [SENSITIVE_HINT]: [...(ctx.sensitive ?? [])] },
    });
  };
  return {
    enabled: true,
    exception(error, ctx) {
      capture(ctx, messageOf(error), (hint) => Sentry.captureException(error, hint));
    },
    message(text, ctx) {
      capture(ctx, text, (hint) => Sentry.captureEvent({ message: text, level: 'error' }, hint));
    },
    async close(timeoutMs = 2000) {
      await Sentry.close(timeoutMs);
    },
  };
}
