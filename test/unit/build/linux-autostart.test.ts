/**
 * Linux packages: the XDG autostart entry follows the managed policy (build/linux/autostart/
 * klaxon-autostart-sync.sh, run by the deb/rpm post-install script), and the post-install / post-remove
 * templates render to valid shell with electron-builder's macros.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const BUILD = path.resolve(import.meta.dirname, '../../../build');
const SYNC = path.join(BUILD, 'linux/autostart/klaxon-autostart-sync.sh');

// POSIX owners and modes do not exist on Windows; the script only ever runs on Linux (deb/rpm).
describe.runIf(process.platform !== 'win32')('klaxon-autostart-sync.sh', () => {
  let root: string;
  const target = () => path.join(root, 'etc/xdg/autostart/klaxon.desktop');
  const policy = (json: unknown, mode = 0o644) => {
    mkdirSync(path.join(root, 'etc/klaxon'), { recursive: true });
    const file = path.join(root, 'etc/klaxon/policy.json');
    writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json, null, 2));
    chmodSync(file, mode);
  };
  // The test files belong to whoever runs the tests; the script normally requires root (uid 0).
  const sync = (...args: string[]) =>
    spawnSync('sh', [SYNC, ...args], {
      env: { ...process.env, KLAXON_SYSROOT: root, KLAXON_POLICY_OWNER_UID: String(process.getuid!()) },
      encoding: 'utf8',
    });

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'klaxon-sysroot-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('installs the system autostart entry only when policy sets startAtLogin to true', () => {
    expect(sync().status).toBe(0);
    expect(existsSync(target())).toBe(false);

    policy({ serverUrl: 'https://klaxon.example.com', startAtLogin: true });
    const r = sync();
    expect(r.status).toBe(0);
    const entry = readFileSync(target(), 'utf8');
    expect(entry).toContain('Exec=/opt/Klaxon/klaxon');
    expect(entry).toContain('X-Klaxon-Managed=true');

    policy({ serverUrl: 'https://klaxon.example.com', startAtLogin: false });
    expect(sync().status).toBe(0);
    expect(existsSync(target())).toBe(false);
  });

  it('reads a compact one-line policy too', () => {
    policy('{"startAtLogin":true}');
    sync();
    expect(existsSync(target())).toBe(true);
  });

  it('ignores a policy that group or others can write, or a symbolic link, like the app does', () => {
    policy({ startAtLogin: true }, 0o666);
    const r = sync();
    expect(r.stderr).toContain('writable by group or others');
    expect(existsSync(target())).toBe(false);

    const real = path.join(root, 'elsewhere.json');
    writeFileSync(real, '{"startAtLogin": true}');
    rmSync(path.join(root, 'etc/klaxon/policy.json'));
    symlinkSync(real, path.join(root, 'etc/klaxon/policy.json'));
    sync();
    expect(existsSync(target())).toBe(false);
  });

  it('ignores a policy not owned by the required owner (root)', () => {
    policy({ startAtLogin: true });
    const r = spawnSync('sh', [SYNC], {
      env: { ...process.env, KLAXON_SYSROOT: root, KLAXON_POLICY_OWNER_UID: String(process.getuid!() + 1) },
      encoding: 'utf8',
    });
    expect(r.stderr).toContain('is not owned by root');
    expect(existsSync(target())).toBe(false);
  });

  it('never deletes an autostart entry it did not install', () => {
    mkdirSync(path.dirname(target()), { recursive: true });
    writeFileSync(target(), '[Desktop Entry]\nType=Application\nExec=/usr/local/bin/klaxon --custom\n');
    sync('--remove');
    sync();
    expect(readFileSync(target(), 'utf8')).toContain('--custom');
  });

  it('--remove takes away the entry it installed (package removal)', () => {
    policy({ startAtLogin: true });
    sync();
    expect(existsSync(target())).toBe(true);
    expect(sync('--remove').status).toBe(0);
    expect(existsSync(target())).toBe(false);
  });
});

describe.runIf(process.platform !== 'win32')('deb/rpm maintainer script templates', () => {
  /** electron-builder's FpmTarget.writeConfigFile: ${name} macros, an unknown one is an error. */
  const render = (file: string) =>
    readFileSync(path.join(BUILD, 'linux', file), 'utf8').replace(/\${([a-zA-Z]+)}/g, (_m, name: string) => {
      const vars: Record<string, string> = {
        executable: 'klaxon',
        sanitizedProductName: 'Klaxon',
        productFilename: 'Klaxon',
      };
      if (!(name in vars)) throw new Error(`Macro ${name} is not defined (electron-builder would fail the build)`);
      return vars[name]!;
    });

  for (const file of ['after-install.tpl', 'after-remove.tpl']) {
    it(`${file} renders with electron-builder's macros into valid bash`, () => {
      const script = render(file);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-tpl-'));
      try {
        const out = path.join(dir, 'script.sh');
        writeFileSync(out, script);
        expect(() => execFileSync('bash', ['-n', out])).not.toThrow();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(script).toContain('/opt/Klaxon/resources/linux/klaxon-autostart-sync.sh');
    });
  }

  it("after-install keeps electron-builder's own steps (command link, chrome-sandbox, desktop database)", () => {
    const script = render('after-install.tpl');
    expect(script).toContain("update-alternatives --install '/usr/bin/klaxon'");
    expect(script).toContain("chmod 4755 '/opt/Klaxon/chrome-sandbox'");
    expect(script).toContain('update-desktop-database');
  });
});
