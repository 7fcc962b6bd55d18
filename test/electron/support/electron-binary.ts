/**
 * Where the Electron executable is, or null. Resolved like `require('electron')` does (path.txt in
 * the electron package, or ELECTRON_OVERRIDE_DIST_PATH) but WITHOUT calling it: electron ≥ 42's
 * index.js starts a download when the binary is missing, which cannot work on the build machines.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const NO_ELECTRON_MESSAGE =
  'No Electron binary on this machine (it cannot be downloaded here); these specs run in the release workflow (.github/workflows/release.yml)';

export function electronBinary(): string | null {
  try {
    const pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = path.join(pkgDir, 'path.txt');
    const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const full = override ? path.join(override, rel ?? 'electron') : rel ? path.join(pkgDir, 'dist', rel) : null;
    if (!full || !existsSync(full)) return null;
    accessSync(full, constants.X_OK);
    return full;
  } catch {
    return null;
  }
}

export const REPO = path.resolve(import.meta.dirname, '../../..');
export const MAIN_BUNDLE = path.join(REPO, 'dist/desktop/main.js');
