import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Whether a build output is older than its sources, so `npm start` rebuilds after an edit instead
 * of serving yesterday's UI. Plain modification times, like make: cheap enough to run on every start.
 */

const SKIP = new Set(['node_modules', '.git']);

/** The newest modification time (ms) of the given files and of every file below the given folders; 0 if none. */
export function newestChange(paths: readonly string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return; // missing source: nothing to compare
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (!SKIP.has(e)) visit(path.join(p, e));
    } else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const p of paths) visit(p);
  return newest;
}

/** Missing, or older than the newest of its sources. */
export function isStale(output: string, sources: readonly string[]): boolean {
  if (!existsSync(output)) return true;
  return newestChange(sources) > statSync(output).mtimeMs;
}

/** What `dist/renderer/index.html` is built from. */
export const rendererSources = (root: string): string[] => ['renderer', 'common'].map((d) => path.join(root, d));

/** What `dist/desktop/main.js` is built from (it also carries a copy of dist/renderer). */
export const desktopSources = (root: string): string[] => [
  ...['electron', 'common', 'assets', 'build/bundle-desktop.ts'].map((d) => path.join(root, d)),
  path.join(root, 'dist/renderer/index.html'),
];
