import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isStale, rendererSources } from '#dev/demo/build-freshness.js';
import { CHROMIUM_PATH } from './support/chromium.js';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Builds the renderer if `npm test` has not already, or if renderer/ or common/ changed since the
 * last build (tests of yesterday's UI prove nothing, and the demo launcher spec would otherwise
 * rebuild dist/renderer under the feet of the specs serving it). Fails early without Chromium.
 */
export default function globalSetup(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}. Install it with: apt-get install -y chromium (never \`npx playwright install\`), or set KLAXON_CHROMIUM_PATH.`,
    );
  }
  const index = path.join(root, 'dist/renderer/index.html');
  if (isStale(index, rendererSources(root))) {
    console.log(
      existsSync(index)
        ? 'Rebuilding the renderer (renderer/ or common/ changed since dist/renderer was built)…'
        : 'Building the renderer (dist/renderer is missing)…',
    );
    execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.mts'],
      { cwd: root, stdio: 'inherit' },
    );
  }
}
