import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM_PATH } from './support/chromium.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Builds the renderer once if `npm test` has not already, and fails early without Chromium. */
export default function globalSetup(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}. Install it with: apt-get install -y chromium (never \`npx playwright install\`), or set KLAXON_CHROMIUM_PATH.`);
  }
  if (!existsSync(path.join(root, 'dist/renderer/index.html'))) {
    console.log('Building the renderer (dist/renderer is missing)…');
    execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.mts'], { cwd: root, stdio: 'inherit' });
  }
}
