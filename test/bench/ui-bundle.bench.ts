/**
 * Production bundle size of the Klaxon UI: gzipped JS and CSS as a browser downloads them.
 * `ui.bundle.js.*` counts every chunk; `ui.bundle.js.initial.gzip` only what index.html loads
 * (its module script and preloads), without the chunks loaded on demand (the error-report SDK,
 * fetched only when a Sentry DSN is configured).
 * Builds into a temporary folder so a running server's dist/renderer is left alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const root = path.resolve(import.meta.dirname, '../..');
const out = mkdtempSync(path.join(os.tmpdir(), 'klaxon-bundle-'));
try {
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'renderer/vite.config.mts',
      '--outDir',
      out,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const assets = path.join(out, 'assets');
  const sizes = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 } };
  for (const f of readdirSync(assets)) {
    const kind = f.endsWith('.js') ? 'js' : f.endsWith('.css') ? 'css' : null;
    if (!kind) continue;
    const buf = readFileSync(path.join(assets, f));
    sizes[kind].raw += buf.length;
    sizes[kind].gzip += gzipSync(buf, { level: 9 }).length;
  }
  const html = readFileSync(path.join(out, 'index.html'), 'utf8');
  const initial = [
    ...html.matchAll(/<(?:script type="module"[^>]*\ssrc|link rel="modulepreload"[^>]*\shref)="\.\/([^"]+\.js)"/g),
  ]
    .map((m) => gzipSync(readFileSync(path.join(out, m[1]!)), { level: 9 }).length)
    .reduce((a, b) => a + b, 0);
  const kb = (n: number) => (n / 1024).toFixed(1);
  console.log(`BENCH ui.bundle.js.gzip ${kb(sizes.js.gzip)} KiB`);
  console.log(`BENCH ui.bundle.js.initial.gzip ${kb(initial)} KiB`);
  console.log(`BENCH ui.bundle.css.gzip ${kb(sizes.css.gzip)} KiB`);
  console.log(`BENCH ui.bundle.js.raw ${kb(sizes.js.raw)} KiB`);
  console.log(`BENCH ui.bundle.css.raw ${kb(sizes.css.raw)} KiB`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
