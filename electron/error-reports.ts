/**
 * Klaxon desktop's error reports (Sentry): whether they are on, where they go, and how the
 * renderer's errors reach them. IT's policy comes first (`sentryDsn`: a DSN, or `off`); otherwise
 * the DSN the server's client configuration names; with neither, nothing is initialised and nothing
 * is sent. The SDK itself is started by shell/error-reports.ts.
 *
 * The renderer never talks to Sentry: its SDK's transport hands each envelope to the main process
 * over the IPC contract (`errors:report`, sender-checked and schema-validated like every channel),
 * and the main process sends the events in it with its own DSN, release and scrubber. So the
 * renderer's CSP keeps `connect-src 'self'` and the preload exposes nothing but `window.klaxon`.
 */
import { PROCESS_TAG, type ClientErrorReports } from '#common/index.js';

export interface DesktopErrorReports {
  dsn: string;
  environment: string;
  /** `klaxon@<this app's version>`: desktops update on their own schedule, not with the server. */
  release: string;
  sampleRate: number;
  /** Who turned them on: IT's policy, or the server's operator. */
  source: 'policy' | 'server';
}

/** Pure: the decision from IT's `sentryDsn` policy value, the server's client config, and the app's version. */
export function desktopErrorReports(
  policyDsn: string | null,
  server: ClientErrorReports | null | undefined,
  appVersion: string,
): DesktopErrorReports | null {
  if (policyDsn === 'off') return null;
  const release = `klaxon@${appVersion}`;
  const environment = server?.environment ?? 'production';
  const sampleRate = server?.sampleRate ?? 1;
  if (policyDsn) return { dsn: policyDsn, environment, release, sampleRate, source: 'policy' };
  if (server) return { dsn: server.dsn, environment, release, sampleRate, source: 'server' };
  return null;
}

const same = (a: DesktopErrorReports | null, b: DesktopErrorReports | null) =>
  a === b || (a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b));

type EventObject = Record<string, unknown>;

/**
 * The error events in an envelope as the renderer's transport serialised it: a JSON header line,
 * then items, each a JSON header line (with `length` in bytes when the payload may hold newlines)
 * and its payload. Anything else in it (sessions, client reports, attachments) is left out;
 * an envelope that does not parse yields nothing.
 */
export function envelopeEvents(envelope: string): EventObject[] {
  const bytes = new TextEncoder().encode(envelope);
  const decoder = new TextDecoder();
  const lineEnd = (from: number) => {
    const i = bytes.indexOf(10, from);
    return i === -1 ? bytes.length : i;
  };
  const events: EventObject[] = [];
  try {
    let at = lineEnd(0) + 1; // the envelope header: the renderer's placeholder DSN, nothing needed
    while (at < bytes.length) {
      const headerEnd = lineEnd(at);
      const headerText = decoder.decode(bytes.subarray(at, headerEnd)).trim();
      at = headerEnd + 1;
      if (!headerText) continue;
      const header = JSON.parse(headerText) as { type?: unknown; length?: unknown };
      const end = typeof header.length === 'number' ? at + header.length : lineEnd(at);
      const payload = bytes.subarray(at, end);
      at = end + 1;
      if (header.type !== 'event') continue;
      const event = JSON.parse(decoder.decode(payload)) as unknown;
      if (event && typeof event === 'object' && !Array.isArray(event)) events.push(event as EventObject);
    }
  } catch {
    return [];
  }
  return events;
}

/**
 * A renderer event made ready for the main process's SDK: the renderer's own environment,
 * release and SDK name are dropped so the main process's apply instead, and the event says where it came from.
 */
export function rendererEvent(event: EventObject): EventObject {
  const { environment: _e, release: _r, dist: _d, sdk: _s, ...rest } = event;
  const tags = rest.tags && typeof rest.tags === 'object' ? (rest.tags as Record<string, unknown>) : {};
  return { ...rest, tags: { ...tags, [PROCESS_TAG]: 'desktop-renderer' } };
}

/** What the Electron shell does with the decisions (shell/error-reports.ts). */
export interface ErrorReportsShell {
  appVersion: string;
  /**
   * Starts the main process's SDK (or stops it, with null). `sensitive` names what the main process
   * knows to be sensitive at the moment of a report (the signed-in person's name and e-mail).
   */
  applyDecision(decision: DesktopErrorReports | null, sensitive: () => string[]): void;
  /** Sends one renderer event (already made ready by `rendererEvent`) through the main process's SDK. */
  captureRendererEvent(event: EventObject): void;
}

/** The current decision, kept up to date by the desktop core; null without a shell (tests, the e2e bridge). */
export class DesktopErrorReporting {
  /** The last decision handed to the shell (also when it failed to start: not retried at every state change). */
  private decided: DesktopErrorReports | null = null;
  private current: DesktopErrorReports | null = null;

  constructor(
    private readonly shell: ErrorReportsShell | undefined,
    private readonly sensitive: () => string[],
    private readonly log: (m: string) => void,
  ) {}

  get enabled(): boolean {
    return this.current !== null;
  }

  /** Re-decides from the policy value and the server's config; tells the shell only when something changed. */
  update(policyDsn: string | null, server: ClientErrorReports | null | undefined): boolean {
    if (!this.shell) return false;
    const next = desktopErrorReports(policyDsn, server, this.shell.appVersion);
    if (same(next, this.decided)) return this.enabled;
    this.decided = next;
    this.current = next;
    this.log(
      next
        ? `error reports on (${next.source === 'policy' ? 'DSN from IT policy' : "DSN from the server's configuration"}, environment ${next.environment})`
        : 'error reports off',
    );
    try {
      this.shell.applyDecision(next, this.sensitive);
    } catch (e) {
      this.current = null;
      this.log(`error reports could not start: ${e instanceof Error ? e.message : String(e)}`);
    }
    return this.enabled;
  }

  /** An envelope from the renderer: its error events go out through the main process, if reports are on. */
  fromRenderer(envelope: string): number {
    if (!this.shell || !this.current) return 0;
    const events = envelopeEvents(envelope);
    for (const e of events) this.shell.captureRendererEvent(rendererEvent(e));
    return events.length;
  }
}
