// @vitest-environment node
/**
 * electron/shell/error-reports.ts and sentry-main.ts against the recording fake of `electron` and a
 * recording stand-in of @sentry/electron/main (the SDK's main entry needs a running Electron). Checks
 * what reaches the SDK: nothing at all until the core decides, then one init with the decided DSN,
 * release and environment, Klaxon's scrubber as beforeSend, no sentry-ipc:// scheme, errors-only
 * integrations; renderer events go through captureEvent; turning off closes the SDK.
 * The real SDK in a real Electron is covered by test/electron/error-reports.spec.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import type { DesktopErrorReports } from '#electron/error-reports.js';

const sdk = vi.hoisted(() => ({
  loaded: false,
  inits: [] as Record<string, unknown>[],
  captured: [] as unknown[],
  closed: 0,
}));

vi.mock('electron', () => import('#test/support/fake-electron.js'));
vi.mock('@sentry/electron/main', () => {
  sdk.loaded = true;
  const integration = (name: string) => () => ({ name });
  return {
    IPCMode: { Classic: 1, Protocol: 2, Both: 3 },
    init: (o: Record<string, unknown>) => void sdk.inits.push(o),
    captureEvent: (e: unknown) => void sdk.captured.push(e),
    close: async () => void sdk.closed++,
    makeElectronTransport: () => ({}),
    onUncaughtExceptionIntegration: integration('OnUncaughtException'),
    onUnhandledRejectionIntegration: integration('OnUnhandledRejection'),
    eventFiltersIntegration: integration('EventFilters'),
    functionToStringIntegration: integration('FunctionToString'),
    linkedErrorsIntegration: integration('LinkedErrors'),
    dedupeIntegration: integration('Dedupe'),
    electronContextIntegration: integration('ElectronContext'),
    normalizePathsIntegration: integration('NormalizePaths'),
  };
});

const { createMainErrorReports } = await import('#electron/shell/error-reports.js');

const DECISION: DesktopErrorReports = {
  dsn: 'https://key@sentry.example.org/7',
  environment: 'staging',
  release: 'klaxon@0.1.0',
  sampleRate: 0.5,
  source: 'policy',
};
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('createMainErrorReports', () => {
  it('does not load the SDK until reports are on, then starts it once with the decision and the scrubber', async () => {
    const logs: string[] = [];
    const r = createMainErrorReports((m) => logs.push(m));
    expect(r.appVersion).toBe('0.1.0');
    r.applyDecision(null, () => []);
    r.captureRendererEvent({ message: 'too early' });
    await settle();
    expect(sdk.loaded).toBe(false);

    r.applyDecision(DECISION, () => ['Alice Liddell']);
    r.applyDecision(DECISION, () => ['Alice Liddell']);
    await vi.waitFor(() => expect(sdk.inits).toHaveLength(1));
    await settle();
    expect(sdk.inits).toHaveLength(1);
    const o = sdk.inits[0]!;
    expect(o).toMatchObject({
      dsn: DECISION.dsn,
      environment: 'staging',
      release: 'klaxon@0.1.0',
      sampleRate: 0.5,
      ipcMode: 1,
      defaultIntegrations: false,
      skipOpenTelemetrySetup: true,
      sendDefaultPii: false,
      initialScope: { tags: { 'klaxon.process': 'desktop-main' } },
    });
    expect((o.integrations as { name: string }[]).map((i) => i.name)).toEqual([
      'OnUncaughtException',
      'OnUnhandledRejection',
      'EventFilters',
      'FunctionToString',
      'LinkedErrors',
      'Dedupe',
      'ElectronContext',
      'NormalizePaths',
    ]);
    const beforeSend = o.beforeSend as (e: object) => object | null;
    expect(beforeSend({ message: 'Alice Liddell <alice@klaxon.test> failed', user: { id: 'alice' } })).toEqual({
      message: '[Filtered] <[Filtered]> failed',
    });

    r.captureRendererEvent({ message: 'renderer boom' });
    await settle();
    expect(sdk.captured).toEqual([{ message: 'renderer boom' }]);

    // Off (another server without a DSN): closed, and nothing more goes out.
    r.applyDecision(null, () => []);
    r.captureRendererEvent({ message: 'after' });
    await settle();
    expect(sdk.closed).toBe(1);
    expect(sdk.captured).toEqual([{ message: 'renderer boom' }]);
    // On again: the SDK cannot start twice in one run.
    r.applyDecision(DECISION, () => []);
    await settle();
    expect(sdk.inits).toHaveLength(1);
    expect(logs).toEqual(['error reports: the new settings take effect when Klaxon next starts']);
  });
});
