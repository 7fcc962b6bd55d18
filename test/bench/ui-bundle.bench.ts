/**
 * Production bundle size of the Klaxon UI: gzipped JS and CSS as a browser downloads them.
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
  const kb = (n: number) => (n / 1024).toFixed(1);
  console.log(`BENCH ui.bundle.js.gzip ${kb(sizes.js.gzip)} KiB`);
  console.log(`BENCH ui.bundle.css.gzip ${kb(sizes.css.gzip)} KiB`);
  console.log(`BENCH ui.bundle.js.raw ${kb(sizes.js.raw)} KiB`);
  console.log(`BENCH ui.bundle.css.raw ${kb(sizes.css.raw)} KiB`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
