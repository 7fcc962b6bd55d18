import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the Electron binary is, if this machine has one. The electron package can be installed
 * without its binary (CI, offline machines): then there is no `path.txt`, and asking the package
 * for its path would try to download it, so we only look at files.
 */
export function findElectronBinary(root: string): string | null {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pkg = path.join(root, 'node_modules/electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (override) {
    const exe = path.join(override, existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron');
    return existsSync(exe) ? exe : null;
  }
  if (!existsSync(pathFile)) return null;
  const exe = path.join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}
