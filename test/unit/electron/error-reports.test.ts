// Klaxon desktop's error-report decisions (electron/error-reports.ts) and how the desktop core uses
// them: policy first, then the server's client config; the renderer's envelopes reach the main
// process's reporter over `errors:report`, and with no DSN nothing is started at all.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientErrorReports, ManagedPolicy } from '#common/index.js';
import { createDesktopCore } from '#electron/desktop-core.js';
import {
  DesktopErrorReporting,
  desktopErrorReports,
  envelopeEvents,
  rendererEvent,
  type DesktopErrorReports,
  type ErrorReportsShell,
} from '#electron/error-reports.js';
import { memoryTokenStore } from '#electron/token-vault.js';

const SERVER: ClientErrorReports = {
  dsn: 'https://clientkey@o2.ingest.sentry.io/22',
  environment: 'staging',
  release: 'klaxon@9.9.9',
  sampleRate: 0.25,
};
const POLICY_DSN = 'https://itkey@sentry.example.org/7';

/** Records what the shell would do with the SDK. */
function recordingShell(): ErrorReportsShell & { applied: (DesktopErrorReports | null)[]; captured: object[] } {
  const applied: (DesktopErrorReports | null)[] = [];
  const captured: object[] = [];
  return {
    appVersion: '1.4.0',
    applied,
    captured,
    applyDecision: (d) => void applied.push(d),
    captureRendererEvent: (e) => void captured.push(e),
  };
}

/** An envelope as the browser SDK serialises one: header line, then item header and payload lines. */
function envelope(...items: [Record<string, unknown>, unknown][]): string {
  const lines = [
    JSON.stringify({ event_id: 'e1', sent_at: '2026-11-30T10:00:00Z', dsn: 'https://12345@dummy.dsn/12345' }),
  ];
  for (const [header, payload] of items) lines.push(JSON.stringify(header), JSON.stringify(payload));
  return lines.join('\n');
}

describe('desktopErrorReports', () => {
  it("uses IT's DSN first, then the server's, and reports the app's own version", () => {
    expect(desktopErrorReports(POLICY_DSN, SERVER, '1.4.0')).toEqual({
      dsn: POLICY_DSN,
      environment: 'staging',
      release: 'klaxon@1.4.0',
      sampleRate: 0.25,
      source: 'policy',
    });
    expect(desktopErrorReports(null, SERVER, '1.4.0')).toEqual({
      dsn: SERVER.dsn,
      environment: 'staging',
      release: 'klaxon@1.4.0',
      sampleRate: 0.25,
      source: 'server',
    });
    expect(desktopErrorReports(POLICY_DSN, undefined, '1.4.0')).toMatchObject({
      environment: 'production',
      sampleRate: 1,
      source: 'policy',
    });
  });

  it("is off with IT's `off`, whatever the server says, and off when nobody names a DSN", () => {
    expect(desktopErrorReports('off', SERVER, '1.4.0')).toBeNull();
    expect(desktopErrorReports(null, undefined, '1.4.0')).toBeNull();
    expect(desktopErrorReports(null, null, '1.4.0')).toBeNull();
  });
});

describe('envelopeEvents and rendererEvent', () => {
  it('takes the events out of an envelope and leaves sessions, client reports and attachments', () => {
    const body = envelope(
      [{ type: 'session' }, { sid: 's1', status: 'ok' }],
      [{ type: 'event' }, { event_id: 'a', message: 'first\nline two', tags: { x: '1' } }],
      [{ type: 'attachment', length: 12, filename: 'a.txt' }, 'hello\nworld!'.slice(0, 12)],
      [{ type: 'client_report' }, { discarded_events: [] }],
      [{ type: 'event' }, { event_id: 'b', environment: 'production', release: 'x', sdk: { name: 'browser' } }],
    );
    // The attachment's payload is length-delimited and holds a newline: written raw, not as JSON.
    const raw = body.replace(JSON.stringify('hello\nworld!'), 'hello\nworld!');
    expect(envelopeEvents(raw).map((e) => e.event_id)).toEqual(['a', 'b']);
  });

  it('counts `length` in bytes, not characters', () => {
    const payload = JSON.stringify({ event_id: 'ü', message: 'Grüße — ✓' });
    const body = [
      JSON.stringify({}),
      JSON.stringify({ type: 'event', length: new TextEncoder().encode(payload).length }),
      payload,
    ].join('\n');
    expect(envelopeEvents(body)).toEqual([{ event_id: 'ü', message: 'Grüße — ✓' }]);
  });

  it('yields nothing for what is not an envelope', () => {
    expect(envelopeEvents('')).toEqual([]);
    expect(envelopeEvents('not json\n{"type":"event"}\n{broken')).toEqual([]);
    expect(envelopeEvents(envelope([{ type: 'event' }, ['an', 'array']]))).toEqual([]);
  });

  it("drops the renderer's environment, release and SDK, and tags the process", () => {
    expect(
      rendererEvent({ message: 'm', environment: 'production', release: 'r', dist: 'd', sdk: {}, tags: { a: 'b' } }),
    ).toEqual({ message: 'm', tags: { a: 'b', 'klaxon.process': 'desktop-renderer' } });
  });
});

describe('DesktopErrorReporting', () => {
  it('tells the shell only about changes, and hands renderer events over only while on', () => {
    const shell = recordingShell();
    const logs: string[] = [];
    const r = new DesktopErrorReporting(
      shell,
      () => [],
      (m) => logs.push(m),
    );
    expect(r.update(null, undefined)).toBe(false);
    expect(shell.applied).toEqual([]);
    expect(r.fromRenderer(envelope([{ type: 'event' }, { message: 'early' }]))).toBe(0);

    expect(r.update(null, SERVER)).toBe(true);
    expect(r.update(null, SERVER)).toBe(true);
    expect(shell.applied).toHaveLength(1);
    expect(logs).toEqual(["error reports on (DSN from the server's configuration, environment staging)"]);
    expect(r.fromRenderer(envelope([{ type: 'event' }, { message: 'boom', environment: 'production' }]))).toBe(1);
    expect(shell.captured).toEqual([{ message: 'boom', tags: { 'klaxon.process': 'desktop-renderer' } }]);

    expect(r.update(null, undefined)).toBe(false);
    expect(shell.applied).toEqual([expect.objectContaining({ source: 'server' }), null]);
    expect(r.fromRenderer(envelope([{ type: 'event' }, { message: 'late' }]))).toBe(0);
  });

  it('stays off without a shell (tests, the e2e bridge)', () => {
    expect(
      new DesktopErrorReporting(
        undefined,
        () => [],
        () => {},
      ).update(POLICY_DSN, SERVER),
    ).toBe(false);
  });

  it('counts a shell that fails to start as off, and does not retry at every state change', () => {
    let calls = 0;
    const shell: ErrorReportsShell = {
      appVersion: '1.4.0',
      applyDecision: () => {
        calls++;
        throw new Error('no network stack');
      },
      captureRendererEvent: () => {},
    };
    const logs: string[] = [];
    const r = new DesktopErrorReporting(
      shell,
      () => [],
      (m) => logs.push(m),
    );
    expect(r.update(POLICY_DSN, undefined)).toBe(false);
    expect(r.update(POLICY_DSN, undefined)).toBe(false);
    expect(calls).toBe(1);
    expect(logs.at(-1)).toBe('error reports could not start: no network stack');
  });
});

describe('desktop core and error reports', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-core-reports-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const core = (policy: ManagedPolicy, shell?: ErrorReportsShell) =>
    createDesktopCore({
      settings: { policy: { serverUrl: 'http://127.0.0.1:9', ...policy }, userSettingsFile: path.join(dir, 's.json') },
      tokenStore: memoryTokenStore('memory only'),
      openBrowser: async () => {},
      log: () => {},
      ...(shell ? { errorReports: shell } : {}),
    });

  it("with IT's DSN: on before the server answers, the renderer is told, and its envelopes go to the main process", async () => {
    const shell = recordingShell();
    const c = core({ sentryDsn: POLICY_DSN }, shell);
    expect(shell.applied).toEqual([expect.objectContaining({ dsn: POLICY_DSN, source: 'policy' })]);
    expect(c.state.get().errorReports).toBe(true);
    const r = await c.invoke('errors:report', {
      envelope: envelope([{ type: 'event' }, { message: 'renderer boom' }]),
    });
    expect(r).toEqual({ ok: true, value: null });
    expect(shell.captured).toEqual([{ message: 'renderer boom', tags: { 'klaxon.process': 'desktop-renderer' } }]);
    await c.stop();
  });

  it('with no DSN anywhere: the shell is never asked to start, and reports from the renderer are dropped', async () => {
    const shell = recordingShell();
    const c = core({}, shell);
    await c.start();
    expect(shell.applied).toEqual([]);
    expect(c.state.get().errorReports).toBeUndefined();
    expect(await c.invoke('errors:report', { envelope: envelope([{ type: 'event' }, { message: 'x' }]) })).toEqual({
      ok: true,
      value: null,
    });
    expect(shell.captured).toEqual([]);
    await c.stop();
  });

  it("refuses what is not a report: the channel's schema checks the payload first", async () => {
    const shell = recordingShell();
    const c = core({ sentryDsn: POLICY_DSN }, shell);
    expect(await c.invoke('errors:report', { envelope: 'x'.repeat(1_000_001) })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(await c.invoke('errors:report', { envelope: 'e', extra: 1 })).toMatchObject({ ok: false });
    expect(shell.captured).toEqual([]);
  });

  it("IT's `off` wins, and the user cannot change where reports go", async () => {
    const shell = recordingShell();
    const c = core({ sentryDsn: 'off' }, shell);
    expect(shell.applied).toEqual([]);
    expect(c.settings().locked.sentryDsn).toBe('Set by your IT department');
    const u = core({}, recordingShell());
    expect(u.settings().locked.sentryDsn).toBe('Only your IT department can change where error reports go');
    expect(await u.invoke('settings:set', { sentryDsn: POLICY_DSN } as never)).toMatchObject({ ok: false });
  });
});
