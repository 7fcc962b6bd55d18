// The security gate itself must be able to fail: parse the CSV correctly and fail on a bad window.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingsFromCsv, judge, parseCsv, scan } from '../../security/electronegativity-gate.js';


describe('electronegativity gate', () => {
  it('parses quoted CSV fields with commas, quotes and newlines', () => {
    expect(parseCsv('a,"b, c","say ""hi""\nthere"\r\n1,2,3\n')).toEqual([['a', 'b, c', 'say "hi"\nthere'], ['1', '2', '3']]);
  });
  it('fails MEDIUM and above unless allow-listed for that file; LOW only reports', () => {
    const csv = [
      'issue, severity, confidence, filename, location, sample, description, url',
      'CONTEXT_ISOLATION_JS_CHECK,"HIGH","FIRM","electron/shell/x.ts","1:1","new BrowserWindow({})","Review",https://x',
      'OPEN_EXTERNAL_JS_CHECK,"MEDIUM","TENTATIVE","electron/shell/klaxon-app.ts","2:2","shell.openExternal(u)","Review",https://x',
      'OPEN_EXTERNAL_JS_CHECK,"MEDIUM","TENTATIVE","electron/shell/other.ts","3:3","shell.openExternal(u)","Review",https://x',
      'CSP_GLOBAL_CHECK,"LOW","FIRM","renderer/index.html","5:0","default-src \'none\'","weak",https://x',
    ].join('\n');
    const r = judge(findingsFromCsv(csv));
    expect(r.failing.map((f) => `${f.issue}@${f.filename}`)).toEqual(['CONTEXT_ISOLATION_JS_CHECK@electron/shell/x.ts', 'OPEN_EXTERNAL_JS_CHECK@electron/shell/other.ts']);
    expect(r.allowed).toHaveLength(1);
    expect(r.below).toHaveLength(1);
  });
  it('a deliberately insecure main process fails the real scan', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-eng-bad-'));
    try {
      mkdirSync(path.join(dir, 'electron'));
      writeFileSync(path.join(dir, 'electron', 'main.ts'), "import { BrowserWindow } from 'electron';\nexport const w = new BrowserWindow({ webPreferences: { contextIsolation: false, nodeIntegration: true, webSecurity: false } });\nw.loadURL('http://example.org');\n");
      const findings = await scan(dir, ['electron']);
      const { failing } = judge(findings);
      expect(failing.map((f) => f.issue)).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'WEB_SECURITY_JS_CHECK']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 45_000);
});
