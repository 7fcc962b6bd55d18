/**
 * .github/workflows/release.yml cannot run here (no GitHub, no Electron binary); these checks keep its
 * promises: three hosted OS builds, the full suite and the Electron specs on each, signing secrets only
 * from GitHub secrets, checksums published with the release. And build/checksums.ts, which it runs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { releaseArtifacts, verifyChecksums, writeChecksums } from '#build/checksums.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const text = readFileSync(path.join(ROOT, '.github/workflows/release.yml'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: { node: string } };

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  needs?: string | string[];
  strategy?: { matrix: { include: { os: string; platform: string }[] } };
  steps: Step[];
  permissions?: Record<string, string>;
  env?: Record<string, string>;
}
const wf = parse(text) as {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const build = wf.jobs.build!;
const publish = wf.jobs.publish!;
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');

describe('release workflow', () => {
  it('runs on version tags with read-only default permissions', () => {
    expect(wf.on.push.tags).toEqual(['v*']);
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(publish.permissions).toEqual({ contents: 'write' });
  });

  it('builds on the three hosted runner images', () => {
    expect(build['runs-on']).toBe('${{ matrix.os }}');
    expect(build.strategy!.matrix.include).toEqual([
      { os: 'windows-latest', platform: 'win' },
      { os: 'macos-latest', platform: 'mac' },
      { os: 'ubuntu-latest', platform: 'linux' },
    ]);
  });

  it('uses pinned major versions of the official actions, and the major of the Node that npm ci installs', () => {
    const uses = [...build.steps, ...publish.steps].map((s) => s.uses).filter(Boolean);
    expect(new Set(uses)).toEqual(
      new Set([
        'actions/checkout@v4',
        'actions/setup-node@v4',
        'actions/upload-artifact@v4',
        'actions/download-artifact@v4',
      ]),
    );
    const pinnedNode = Number(pkg.devDependencies.node.split('.')[0]);
    expect(pinnedNode).toBe(24);
    for (const s of [...build.steps, ...publish.steps].filter((x) => x.uses === 'actions/setup-node@v4'))
      expect(s.with?.['node-version']).toBe(pinnedNode);
  });

  it('installs with npm ci, fetches the Electron binary, then runs npm test and the Electron specs (xvfb on Linux)', () => {
    const r = runs(build);
    const order = [
      'npm ci',
      'node node_modules/electron/install.js',
      'xvfb-run -a npm test',
      'npm run test:electron',
      'npm run build',
      'electron-builder --config build/electron-builder.config.ts',
    ];
    let at = -1;
    for (const cmd of order) {
      const i = r.indexOf(cmd, at + 1);
      expect(i, cmd).toBeGreaterThan(at);
      at = i;
    }
    expect(r).toContain('xvfb-run -a npm run test:electron');
    expect(r).toMatch(/s\.skipped > 0/); // the Electron specs may not silently skip on CI
  });

  it('packages each platform with --publish never, signing material only from secrets', () => {
    const pack = build.steps.filter((s) => s.run?.includes('npx electron-builder'));
    expect(pack.map((s) => s.if)).toEqual(["runner.os == 'Windows'", "runner.os == 'macOS'", "runner.os == 'Linux'"]);
    for (const s of pack) expect(s.run).toContain('--publish never');
    for (const s of pack) {
      for (const [k, v] of Object.entries(s.env ?? {})) {
        expect(v, k).toMatch(/^\$\{\{ (secrets|vars)\.[A-Z0-9_]+ \}\}$/);
        if (/LINK|PASSWORD|SECRET|KEY/.test(k) && !/KEY_ID/.test(k)) expect(v, k).toMatch(/^\$\{\{ secrets\./);
      }
    }
    expect(build.env?.KLAXON_REQUIRE_SIGNING).toBe('true');
    expect(build.env?.KLAXON_UPDATE_URL).toBe('${{ vars.KLAXON_UPDATE_URL }}');
  });

  it('writes per-platform checksums, uploads them with the installers, and publishes one verified SHA256SUMS.txt', () => {
    expect(runs(build)).toContain('npx tsx build/checksums.ts write release "SHA256SUMS-${{ matrix.platform }}.txt"');
    const upload = build.steps.find((s) => s.uses === 'actions/upload-artifact@v4')!;
    expect(String(upload.with?.path)).toContain('release/SHA256SUMS-*.txt');
    for (const ext of ['exe', 'msi', 'dmg', 'zip', 'deb', 'rpm', 'AppImage', 'yml', 'blockmap'])
      expect(String(upload.with?.path)).toContain(`release/*.${ext}`);
    expect(upload.with?.['if-no-files-found']).toBe('error');
    expect(publish.needs).toBe('build');
    const r = runs(publish);
    expect(r).toContain('sha256sum -c SHA256SUMS.txt');
    expect(r).toContain('gh release create "$GITHUB_REF_NAME" dist-release/*');
  });
});

describe('docs/it-deployment.md', () => {
  const guide = readFileSync(path.join(ROOT, 'docs/it-deployment.md'), 'utf8');
  it('documents every secret and variable the release workflow reads', () => {
    const names = new Set([...text.matchAll(/\$\{\{ (?:secrets|vars)\.([A-Z0-9_]+) \}\}/g)].map((m) => m[1]!));
    expect(names.size).toBeGreaterThan(10);
    expect([...names].filter((n) => !guide.includes(n))).toEqual([]);
  });
  it('gives the silent install commands and the IdP registration essentials', () => {
    for (const s of [
      'msiexec /i Klaxon-1.4.0-x64.msi /qn',
      'Klaxon-Setup-1.4.0-x64.exe /S',
      'http://127.0.0.1/callback',
      'S256',
      'offline_access',
      'HKLM\\Software\\Policies\\Klaxon',
      '/etc/klaxon/policy.json',
      'org.klaxon.desktop',
    ]) {
      expect(guide, s).toContain(s);
    }
  });
});

describe('build/checksums.ts', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('lists installers and update files only, writes sha256sum lines, and catches a changed file', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-sums-'));
    writeFileSync(path.join(dir, 'Klaxon-1.0.0-x64.msi'), 'msi');
    writeFileSync(path.join(dir, 'latest.yml'), 'version: 1.0.0\n');
    writeFileSync(path.join(dir, 'builder-debug.yml'), 'x');
    writeFileSync(path.join(dir, 'notes.txt'), 'x');
    expect(releaseArtifacts(dir)).toEqual(['Klaxon-1.0.0-x64.msi', 'latest.yml']);
    const lines = await writeChecksums(dir, 'SHA256SUMS.txt');
    // sha256("msi"), as `sha256sum` prints it
    expect(lines[0]).toBe('7f1d49243ee662770bbdff7da2cec54eb382cd9d76dfa7b049a620ec457db57b  Klaxon-1.0.0-x64.msi');
    expect(readFileSync(path.join(dir, 'SHA256SUMS.txt'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
    expect(await verifyChecksums(dir, 'SHA256SUMS.txt')).toEqual([]);
    writeFileSync(path.join(dir, 'latest.yml'), 'version: 6.6.6\n');
    expect(await verifyChecksums(dir, 'SHA256SUMS.txt')).toEqual(['latest.yml']);
  });
});
