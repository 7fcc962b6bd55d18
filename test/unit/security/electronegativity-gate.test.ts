// The security gate itself must be able to fail: parse the CSV strictly, refuse a broken report, and
// fail on a bad window or on a NEW shell.openExternal call next to the allow-listed ones.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EXPECTED_HEADER,
  KLAXON_CANARY,
  ORDERED_WRITES,
  checkReport,
  findingsFromCsv,
  judge,
  parseCsv,
  scan,
} from '../../security/electronegativity-gate.js';

const row = (issue: string, severity: string, file: string, sample: string) =>
  `${issue},"${severity}","TENTATIVE","${file}","1:1","${sample}","Review",https://x`;
const preload = row('PRELOAD_JS_CHECK', 'MEDIUM', 'electron/shell/popover-window.ts', 'preload: preloadPath,');

describe('electronegativity gate', () => {
  it('parses quoted CSV fields with commas, quotes and newlines', () => {
    expect(parseCsv('a,"b, c","say ""hi""\nthere"\r\n1,2,3\n')).toEqual([
      ['a', 'b, c', 'say "hi"\nthere'],
      ['1', '2', '3'],
    ]);
  });

  it('fails MEDIUM and above unless allow-listed for that file and line; LOW only reports', () => {
    const csv = [
      EXPECTED_HEADER,
      row('CONTEXT_ISOLATION_JS_CHECK', 'HIGH', 'electron/shell/x.ts', 'new BrowserWindow({})'),
      row(
        'OPEN_EXTERNAL_JS_CHECK',
        'MEDIUM',
        'electron/shell/klaxon-app.ts',
        'openBrowser: (url) => shell.openExternal(url.href),',
      ),
      row('OPEN_EXTERNAL_JS_CHECK', 'MEDIUM', 'electron/shell/other.ts', 'shell.openExternal(u)'),
      row('CSP_GLOBAL_CHECK', 'LOW', 'renderer/index.html', "default-src 'none'"),
    ].join('\n');
    const r = judge(findingsFromCsv(csv));
    expect(r.failing.map((f) => `${f.issue}@${f.filename}`)).toEqual([
      'CONTEXT_ISOLATION_JS_CHECK@electron/shell/x.ts',
      'OPEN_EXTERNAL_JS_CHECK@electron/shell/other.ts',
    ]);
    expect(r.allowed).toHaveLength(1);
    expect(r.below).toHaveLength(1);
  });

  it('a NEW shell.openExternal call in an allow-listed file fails, and so does a copy of an allowed line', () => {
    const csv = [
      EXPECTED_HEADER,
      row(
        'OPEN_EXTERNAL_JS_CHECK',
        'MEDIUM',
        'electron/shell/klaxon-app.ts',
        'openBrowser: (url) => shell.openExternal(url.href),',
      ),
      row('OPEN_EXTERNAL_JS_CHECK', 'MEDIUM', 'electron/shell/klaxon-app.ts', 'void shell.openExternal(anything);'),
      row('OPEN_EXTERNAL_JS_CHECK', 'MEDIUM', 'electron/ipc.ts', 'await deps.openExternal(new URL(payload.url));'),
      row('OPEN_EXTERNAL_JS_CHECK', 'MEDIUM', 'electron/ipc.ts', 'await deps.openExternal(new URL(payload.url));'),
    ].join('\n');
    const r = judge(findingsFromCsv(csv));
    expect(r.allowed.map((f) => f.sample)).toEqual([
      'openBrowser: (url) => shell.openExternal(url.href),',
      'await deps.openExternal(new URL(payload.url));',
    ]);
    expect(r.failing.map((f) => `${f.filename}: ${f.sample}`)).toEqual([
      'electron/shell/klaxon-app.ts: void shell.openExternal(anything);',
      'electron/ipc.ts: await deps.openExternal(new URL(payload.url));',
    ]);
  });

  it('refuses a report it cannot trust: header-only, body before header, short rows, unknown severity, no canary', () => {
    expect(checkReport(`${EXPECTED_HEADER}\n${preload}\n`, { canary: KLAXON_CANARY })).toMatchObject({
      ok: true,
      findings: [{ issue: 'PRELOAD_JS_CHECK' }],
    });
    const bad: [string, RegExp][] = [
      [
        `${EXPECTED_HEADER}\n`,
        /canary finding PRELOAD_JS_CHECK on electron\/shell\/popover-window\.ts is missing \(0 finding/,
      ],
      [`${preload}\n${EXPECTED_HEADER}\n`, /first line is not the expected header/],
      ['', /first line is not the expected header/],
      [`${EXPECTED_HEADER}\n${preload}\n"MEDIUM","TENTATIVE","electron/x.ts"\n`, /row 2 has 3 fields, not 8/],
      [
        `${EXPECTED_HEADER}\n${row('PRELOAD_JS_CHECK', 'SEVERE', 'electron/shell/popover-window.ts', 'p')}\n`,
        /unknown severity "SEVERE"/,
      ],
      [`${EXPECTED_HEADER}${preload}\n`, /first line is not the expected header/], // interleaved writes
    ];
    for (const [text, problem] of bad)
      expect(checkReport(text, { canary: KLAXON_CANARY })).toEqual({
        ok: false,
        problem: expect.stringMatching(problem),
      });
    expect(() => findingsFromCsv(`${EXPECTED_HEADER}\n`, { canary: KLAXON_CANARY })).toThrow(
      /unusable electronegativity report/,
    );
  });

  const insecureTree = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-eng-bad-'));
    mkdirSync(path.join(dir, 'electron'));
    writeFileSync(
      path.join(dir, 'electron', 'main.ts'),
      "import { BrowserWindow } from 'electron';\nexport const w = new BrowserWindow({ webPreferences: { contextIsolation: false, nodeIntegration: true, webSecurity: false } });\nw.loadURL('http://example.org');\n",
    );
    return dir;
  };

  it('a deliberately insecure main process fails the real scan', async () => {
    const dir = insecureTree();
    try {
      // The expected finding is the canary: a garbled or header-only report under load is scanned again.
      const findings = await scan(dir, ['electron'], {
        canary: { issue: 'CONTEXT_ISOLATION_JS_CHECK', file: 'electron/main.ts' },
        attempts: 3,
      });
      const { failing } = judge(findings);
      expect(failing.map((f) => f.issue)).toEqual(
        expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'WEB_SECURITY_JS_CHECK']),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a real report without the canary is scanned once more, then refused (never "no findings")', async () => {
    const dir = insecureTree();
    try {
      await expect(scan(dir, ['electron'], { canary: KLAXON_CANARY })).rejects.toThrow(
        /no usable report \(attempt 1: .*canary.*; attempt 2: .*canary/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the scanner preload', () => {
  it("keeps the report's header and rows in call order: each write is on disk before the next starts", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-ordered-'));
    try {
      const file = path.join(dir, 'report.csv');
      const script = [
        "const fs = require('node:fs');",
        `fs.writeFile(${JSON.stringify(file)}, 'header\\n', () => {});`,
        `process.stdout.write(fs.readFileSync(${JSON.stringify(file)}, 'utf8'));`,
        `fs.writeFile(${JSON.stringify(file)}, 'row\\n', { flag: 'a' }, () => {});`,
      ].join('\n');
      const out = execFileSync(process.execPath, ['--require', ORDERED_WRITES, '-e', script], { encoding: 'utf8' });
      expect(out).toBe('header\n');
      expect(readFileSync(file, 'utf8')).toBe('header\nrow\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
