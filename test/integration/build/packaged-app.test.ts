/**
 * The packaged file set, as electron-builder really lays it out: `electron-builder --linux dir` with a
 * stand-in Electron (`electronDist` pointing at a folder holding a fake `electron` executable; the real
 * Electron zip cannot be downloaded on the build machines, which reach only the npm and Debian registries). Then:
 *  - app.asar holds the bundled main, preload and renderer, and nothing from server/, test/, dev/, no
 *    node_modules (so no better-sqlite3, oidc-provider, fastify), no source maps, no .node binaries;
 *  - the fuses are really flipped in the packaged executable (the stand-in carries Electron's fuse
 *    wire with Electron's defaults, so every required fuse must change);
 *  - app-update.yml carries the generic https feed, and the autostart files are in resources/linux.
 *
 * The app folder is built fresh into a temporary directory from the current sources (the same
 * bundleDesktop() that `npm run build:desktop` runs); dist/renderer is built first if missing.
 */
import { extractFile, listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleDesktop } from '#build/bundle-desktop.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's own defaults, in wire order (RunAsNode … GrantFileProtocolExtraPrivileges). */
const ELECTRON_DEFAULT_WIRE = '10110001';
const UPDATE_URL = 'https://updates.example.test/klaxon';

let tmp: string;
let appOut: string;
let asarPath: string;
let entries: string[];

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 180_000,
    shell: process.platform === 'win32',
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${out.slice(-4000)}`);
  return out;
}

// Packaging for Linux on a Windows host is not supported offline; the release workflow packages the
// Windows installers for real on its Windows runner.
describe.runIf(process.platform !== 'win32')('packaged app (electron-builder --linux dir, stand-in Electron)', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'klaxon-pack-'));
    if (!existsSync(path.join(ROOT, 'dist/renderer/index.html'))) run('npm', ['run', '--silent', 'build:renderer']);
    const appDir = path.join(tmp, 'app');
    await bundleDesktop({ outDir: appDir });

    const stub = path.join(tmp, 'electron-stub');
    mkdirSync(stub);
    writeFileSync(
      path.join(stub, 'electron'),
      Buffer.concat([
        Buffer.from('#!/bin/sh\necho "stand-in Electron: cannot run"\nexit 1\n# '),
        Buffer.from(SENTINEL),
        Buffer.from([1, ELECTRON_DEFAULT_WIRE.length]),
        Buffer.from(ELECTRON_DEFAULT_WIRE),
        Buffer.from('\n'),
      ]),
      { mode: 0o755 },
    );
    writeFileSync(path.join(stub, 'LICENSE'), 'stand-in\n');

    const output = path.join(tmp, 'release');
    const env = {
      ...process.env,
      KLAXON_UPDATE_URL: UPDATE_URL,
      // Keep electron-builder's caches out of the user's home and away from the network.
      ELECTRON_CACHE: path.join(tmp, 'electron-cache'),
      ELECTRON_BUILDER_CACHE: path.join(tmp, 'builder-cache'),
      CSC_IDENTITY_AUTO_DISCOVERY: 'false',
    };
    run(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/electron-builder/cli.js'),
        '--linux',
        'dir',
        '--publish',
        'never',
        '--config',
        'build/electron-builder.config.ts',
        `-c.electronDist=${stub}`,
        '-c.electronVersion=45.4.1',
        `-c.directories.app=${appDir}`,
        `-c.directories.output=${output}`,
      ],
      env,
    );
    appOut = path.join(output, 'linux-unpacked');
    asarPath = path.join(appOut, 'resources/app.asar');
    entries = listPackage(asarPath, { isPack: false }).map((e) => e.split(path.sep).join('/'));
  }, 240_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('lays out the Linux app with the klaxon executable and an asar', () => {
    expect(statSync(path.join(appOut, 'klaxon')).isFile()).toBe(true);
    expect(existsSync(path.join(appOut, 'resources/app'))).toBe(false); // only the asar, no loose app folder
    expect(statSync(asarPath).size).toBeGreaterThan(100_000);
  });

  it('contains the built main process, preload and renderer', () => {
    expect(entries).toEqual(
      expect.arrayContaining(['/main.js', '/preload.cjs', '/package.json', '/renderer/index.html']),
    );
    expect(entries.some((e) => /^\/renderer\/assets\/.+\.js$/.test(e))).toBe(true);
    // Tray and overlay images the main process loads from app.getAppPath()/assets at run time.
    expect(entries).toContain('/assets/icon.png');
    expect(entries.some((e) => /^\/assets\/tray\/.+\.png$/.test(e))).toBe(true);
    const pkg = JSON.parse(extractFile(asarPath, 'package.json').toString('utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ main: 'main.js', type: 'module', productName: 'Klaxon' });
    expect(pkg).not.toHaveProperty('dependencies');
    expect(pkg).not.toHaveProperty('devDependencies');
  });

  it('contains nothing from server/, test/, dev/, no node_modules, no source maps, no TypeScript, no native binaries', () => {
    const bad = entries.filter(
      (e) =>
        /^\/(server|test|dev|common|electron|build|src)(\/|$)/.test(e) ||
        e.includes('/node_modules') ||
        /\.(map|node|ts|tsx)$/.test(e),
    );
    expect(bad).toEqual([]);
    for (const pkgName of ['better-sqlite3', 'oidc-provider', 'fastify'])
      expect(entries.join('\n')).not.toContain(pkgName);
    const main = extractFile(asarPath, 'main.js').toString('utf8');
    expect(main).not.toMatch(
      /require\(["'](better-sqlite3|oidc-provider|fastify)["']\)|from ["'](better-sqlite3|oidc-provider|fastify)["']/,
    );
    expect(main).not.toContain('sourceMappingURL');
    expect(main).toMatch(/from ["']electron["']/);
  });

  it('carries the Sentry Electron SDK inside main.js, without its optional native module', () => {
    const main = extractFile(asarPath, 'main.js').toString('utf8');
    // The SDK is bundled (error reports can start when a DSN appears), yet it asks for no native code:
    // the build refuses any `.node` import, and @sentry/node-native is not installed.
    expect(main).toContain('sentry.javascript.electron');
    expect(main).not.toMatch(/@sentry\/node-native|@sentry-internal\/node-native|\.node["']\)/);
  });

  it('flips the Electron fuses in the packaged executable', async () => {
    const wire = (await getCurrentFuseWire(path.join(appOut, 'klaxon'))) as unknown as Record<number, number>;
    const state = (o: FuseV1Options) => String.fromCharCode(wire[o]!);
    expect({
      runAsNode: state(FuseV1Options.RunAsNode),
      enableCookieEncryption: state(FuseV1Options.EnableCookieEncryption),
      enableNodeOptionsEnvironmentVariable: state(FuseV1Options.EnableNodeOptionsEnvironmentVariable),
      enableNodeCliInspectArguments: state(FuseV1Options.EnableNodeCliInspectArguments),
      enableEmbeddedAsarIntegrityValidation: state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation),
      onlyLoadAppFromAsar: state(FuseV1Options.OnlyLoadAppFromAsar),
      loadBrowserProcessSpecificV8Snapshot: state(FuseV1Options.LoadBrowserProcessSpecificV8Snapshot),
      grantFileProtocolExtraPrivileges: state(FuseV1Options.GrantFileProtocolExtraPrivileges),
    }).toEqual({
      runAsNode: '0',
      enableCookieEncryption: '1',
      enableNodeOptionsEnvironmentVariable: '0',
      enableNodeCliInspectArguments: '0',
      enableEmbeddedAsarIntegrityValidation: '1',
      onlyLoadAppFromAsar: '1',
      loadBrowserProcessSpecificV8Snapshot: '0',
      grantFileProtocolExtraPrivileges: '0',
    });
  });

  it('bakes the generic https update feed into resources/app-update.yml', () => {
    const yml = readFileSync(path.join(appOut, 'resources/app-update.yml'), 'utf8');
    expect(yml).toContain('provider: generic');
    expect(yml).toContain(`url: ${UPDATE_URL}`);
  });

  it('ships the autostart entry and its policy-driven installer script in resources/linux', () => {
    const script = path.join(appOut, 'resources/linux/klaxon-autostart-sync.sh');
    expect(statSync(script).mode & 0o111).not.toBe(0);
    expect(readFileSync(path.join(appOut, 'resources/linux/klaxon-autostart.desktop'), 'utf8')).toContain(
      'Exec=/opt/Klaxon/klaxon',
    );
    expect(() => execFileSync('sh', ['-n', script])).not.toThrow();
  });
});
