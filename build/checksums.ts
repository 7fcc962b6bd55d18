/**
 * Writes a SHA256SUMS file (the `sha256sum` format: "<hex>  <name>") for the release artifacts in a
 * folder, so `sha256sum -c` (Linux) or `shasum -a 256 -c` (macOS) can check a download, and checks
 * one. Used by .github/workflows/release.yml:
 *
 *   npx tsx build/checksums.ts write release SHA256SUMS-linux.txt
 *   npx tsx build/checksums.ts verify dist-release SHA256SUMS.txt
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** What electron-builder leaves in its output folder that users or the updater download. */
export const ARTIFACT_PATTERN = /\.(exe|msi|dmg|zip|deb|rpm|AppImage|blockmap|yml)$/;

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Artifact files directly in `dir` (not the unpacked app folders), sorted by name. */
export function releaseArtifacts(dir: string): string[] {
  return readdirSync(dir)
    .filter(
      (name) => ARTIFACT_PATTERN.test(name) && name !== 'builder-debug.yml' && name !== 'builder-effective-config.yaml',
    )
    .filter((name) => statSync(path.join(dir, name)).isFile())
    .sort();
}

export async function writeChecksums(dir: string, outName: string): Promise<string[]> {
  const names = releaseArtifacts(dir);
  if (names.length === 0) throw new Error(`no release artifacts in ${dir}: did electron-builder run?`);
  const lines: string[] = [];
  for (const name of names) lines.push(`${await sha256File(path.join(dir, name))}  ${name}`);
  writeFileSync(path.join(dir, outName), `${lines.join('\n')}\n`);
  return lines;
}

/** Checks every line of a SHA256SUMS file; returns the names that are missing or differ. */
export async function verifyChecksums(dir: string, sumsName: string): Promise<string[]> {
  const bad: string[] = [];
  for (const line of readFileSync(path.join(dir, sumsName), 'utf8').split('\n').filter(Boolean)) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) {
      bad.push(`malformed line: ${line}`);
      continue;
    }
    const [, expected, name] = m as unknown as [string, string, string];
    try {
      if ((await sha256File(path.join(dir, name))) !== expected) bad.push(name);
    } catch {
      bad.push(name);
    }
  }
  return bad;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [cmd, dir, name] = process.argv.slice(2);
  if (!cmd || !dir || !name || !['write', 'verify'].includes(cmd)) {
    console.error('usage: tsx build/checksums.ts write|verify <folder> <SHA256SUMS file name>');
    process.exit(2);
  }
  if (cmd === 'write') {
    writeChecksums(dir, name).then(
      (lines) => console.log(`${name}: ${lines.length} files`),
      (e: unknown) => {
        console.error((e as Error).message);
        process.exit(1);
      },
    );
  } else {
    verifyChecksums(dir, name).then(
      (bad) => {
        if (bad.length > 0) {
          console.error(`checksum mismatch or missing: ${bad.join(', ')}`);
          process.exit(1);
        }
        console.log(`${name}: all files match`);
      },
      (e: unknown) => {
        console.error((e as Error).message);
        process.exit(1);
      },
    );
  }
}
