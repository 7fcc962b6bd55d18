import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desktopSources, isStale, rendererSources } from '#dev/demo/build-freshness.js';

// `npm start` (dev/demo, owned with the renderer) must rebuild the UI after a source edit.
let root: string;
const at = (file: string, secondsAgo: number) => {
  const p = path.join(root, file);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, 'x');
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(p, t, t);
  return p;
};

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'klaxon-demo-build-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('demo build freshness', () => {
  it('builds when there is no build yet', () => {
    at('renderer/components/App.tsx', 100);
    expect(isStale(path.join(root, 'dist/renderer/index.html'), rendererSources(root))).toBe(true);
  });

  it('reuses a build newer than every source', () => {
    at('renderer/components/App.tsx', 100);
    at('common/page.ts', 100);
    const out = at('dist/renderer/index.html', 50);
    expect(isStale(out, rendererSources(root))).toBe(false);
  });

  it('rebuilds after a file deep under renderer/ or common/ changed', () => {
    at('renderer/components/App.tsx', 100);
    const out = at('dist/renderer/index.html', 50);
    at('renderer/styles/app.css', 10);
    expect(isStale(out, rendererSources(root))).toBe(true);
    at('renderer/styles/app.css', 100);
    at('common/ipc.ts', 5);
    expect(isStale(out, rendererSources(root))).toBe(true);
  });

  it('rebuilds the desktop bundle when electron/ or the renderer build is newer', () => {
    at('electron/desktop-core.ts', 100);
    at('dist/renderer/index.html', 100);
    const main = at('dist/desktop/main.js', 50);
    expect(isStale(main, desktopSources(root))).toBe(false);
    at('dist/renderer/index.html', 10);
    expect(isStale(main, desktopSources(root))).toBe(true);
    at('dist/renderer/index.html', 100);
    at('electron/shell/main.ts', 10);
    expect(isStale(main, desktopSources(root))).toBe(true);
  });
});
