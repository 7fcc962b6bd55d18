/**
 * build/electron-builder.config.ts as electron-builder itself loads and validates it (its own JSON
 * schema, the same check the CLI runs before building), plus the settings that matter for IT:
 * fuses, installers, signing from the environment only, the update feed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Configuration } from 'app-builder-lib';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CONFIG = 'build/electron-builder.config.ts';

const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
  loadBrowserProcessSpecificV8Snapshot: false,
};

/** Loads the config in a fresh Node process (the config reads the environment once, when loaded). */
function loadInChild(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const code = `
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
    const { DebugLogger } = require('builder-util');
    getConfig(process.cwd(), ${JSON.stringify(CONFIG)}, null)
      .then(async (c) => { await validateConfiguration(c, new DebugLogger(false)); process.stdout.write('CONFIG ' + JSON.stringify(c.win)); })
      .catch((e) => { process.stderr.write('FAILED ' + e.message); process.exit(1); });`;
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(KLAXON_|CSC_|WIN_CSC_|APPLE_|AZURE_)/.test(k)),
  );
  const r = spawnSync(process.execPath, ['-e', code], {
    cwd: ROOT,
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('electron-builder configuration', () => {
  let config: Configuration;
  beforeAll(async () => {
    config = await getConfig(ROOT, CONFIG, null);
  });

  it("passes electron-builder 26.17's own schema validation", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('a misspelt option is refused by the same validation (so the check can fail)', async () => {
    const bad = { ...config, win: { ...config.win, verifyUpdateSignature: false } } as Configuration;
    await expect(validateConfiguration(bad, new DebugLogger(false))).rejects.toThrow(
      /Invalid configuration object.*electron-builder 26\.17\.0/s,
    );
    const badFuse = { ...config, electronFuses: { ...config.electronFuses, runAsNodeX: false } } as Configuration;
    await expect(validateConfiguration(badFuse, new DebugLogger(false))).rejects.toThrow(
      /Invalid configuration object/,
    );
  });

  it('flips exactly the required Electron fuses', () => {
    expect(config.electronFuses).toEqual(REQUIRED_FUSES);
  });

  it('packs only the bundled app folder, into an asar, with no source maps', () => {
    expect(config.appId).toBe('org.klaxon.desktop');
    expect(config.productName).toBe('Klaxon');
    expect(config.directories).toEqual({ app: 'dist/desktop', output: 'release', buildResources: 'build/resources' });
    expect(config.asar).toBe(true);
    expect(JSON.stringify(config.files)).toContain('"!**/*.map"');
    expect(config.npmRebuild).toBe(false);
    expect(config.icon).toBe('assets/icon.png');
  });

  it('points at an app icon large enough for every platform (macOS needs at least 512×512)', () => {
    const png = PNG.sync.read(readFileSync(path.join(ROOT, 'assets/icon.png')));
    expect(Math.min(png.width, png.height)).toBeGreaterThanOrEqual(512);
    expect(png.width).toBe(png.height);
  });

  it('builds a per-user NSIS and a per-machine MSI with a fixed upgrade code, and keeps update signature checks', () => {
    expect(config.win?.target).toEqual([
      { target: 'nsis', arch: ['x64'] },
      { target: 'msi', arch: ['x64'] },
    ]);
    expect(config.nsis).toMatchObject({ oneClick: true, perMachine: false });
    expect(config.msi).toMatchObject({ perMachine: true, upgradeCode: 'D067C861-2EAF-4D06-BB12-FED472103D4E' });
    expect(config.win?.verifyUpdateCodeSignature).toBe(true);
    expect(config.win?.signAndEditExecutable).toBe(true);
    expect(config.win?.signExts).toEqual(['.dll', '.node']);
  });

  it('signs and notarises macOS builds under the hardened runtime with only the JIT entitlement', () => {
    expect(config.mac).toMatchObject({
      hardenedRuntime: true,
      notarize: true,
      entitlements: 'build/entitlements.mac.plist',
      entitlementsInherit: 'build/entitlements.mac.plist',
    });
    expect((config.mac?.target as { target: string }[]).map((t) => t.target)).toEqual(['dmg', 'zip']);
    const plist = readFileSync(path.join(ROOT, 'build/entitlements.mac.plist'), 'utf8');
    expect([...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])).toEqual(['com.apple.security.cs.allow-jit']);
  });

  it('builds deb, rpm and AppImage with a desktop entry that matches the window class', () => {
    expect((config.linux?.target as { target: string }[]).map((t) => t.target)).toEqual(['deb', 'rpm', 'AppImage']);
    const entry = (config.linux?.desktop as { entry: Record<string, string> }).entry;
    expect(entry.StartupWMClass).toBe('klaxon');
    expect(entry.Categories).toMatch(/^Network;/);
    expect(config.linux?.syncDesktopName).toBe(true);
    expect(config.deb?.afterInstall).toBe('build/linux/after-install.tpl');
    expect(config.rpm?.afterInstall).toBe('build/linux/after-install.tpl');
  });

  it('publishes to a generic https feed taken from KLAXON_UPDATE_URL', () => {
    expect(config.publish).toEqual([{ provider: 'generic', url: '${env.KLAXON_UPDATE_URL}', channel: 'latest' }]);
  });

  it('holds no signing secret or certificate path: signing comes from the environment only', () => {
    const text = readFileSync(path.join(ROOT, CONFIG), 'utf8');
    const json = JSON.stringify(config);
    for (const key of [
      'cscLink',
      'cscKeyPassword',
      'certificateFile',
      'certificatePassword',
      'certificateSha1',
      'cscInstallerLink',
    ]) {
      expect(json, key).not.toContain(`"${key}"`);
    }
    expect(text).not.toMatch(/\.(p12|pfx|pem|key)['"]/);
    expect(config.win?.azureSignOptions).toBeUndefined();
  });

  it('no file in build/, electron/ or .github/ turns update signature verification off', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (/verifyUpdateCodeSignature\s*[:=]\s*(false|\(\))/.test(readFileSync(full, 'utf8')))
          offenders.push(path.relative(ROOT, full));
      }
    };
    for (const d of ['build', 'electron', '.github']) walk(path.join(ROOT, d));
    expect(offenders).toEqual([]);
  });
});

describe('electron-builder configuration from the environment', () => {
  it('switches Windows signing to Azure Trusted Signing when its variables are set', () => {
    const r = loadInChild({
      KLAXON_AZURE_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net',
      KLAXON_AZURE_SIGNING_ACCOUNT: 'klaxon-signing',
      KLAXON_AZURE_CERTIFICATE_PROFILE: 'klaxon-public',
      KLAXON_WIN_PUBLISHER_NAME: 'Example Corp',
      KLAXON_REQUIRE_SIGNING: 'true',
    });
    expect(r.stderr).not.toContain('FAILED');
    const win = JSON.parse(r.stdout.slice(r.stdout.indexOf('CONFIG ') + 7)) as Record<string, unknown>;
    expect(win.azureSignOptions).toEqual({
      endpoint: 'https://weu.codesigning.azure.net',
      codeSigningAccountName: 'klaxon-signing',
      certificateProfileName: 'klaxon-public',
      publisherName: 'Example Corp',
    });
    expect(win.forceCodeSigning).toBe(true);
  });

  it('names the missing variables when Azure signing is half configured', () => {
    const r = loadInChild({
      KLAXON_AZURE_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net',
      KLAXON_AZURE_SIGNING_ACCOUNT: 'klaxon-signing',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KLAXON_AZURE_CERTIFICATE_PROFILE, KLAXON_WIN_PUBLISHER_NAME are missing');
  });

  it('refuses a plain-http update feed', () => {
    const r = loadInChild({ KLAXON_UPDATE_URL: 'http://updates.example.com/klaxon' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KLAXON_UPDATE_URL must be an https:// URL');
  });
});
