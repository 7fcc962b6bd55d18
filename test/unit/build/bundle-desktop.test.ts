/**
 * build/bundle-desktop.ts on small fixture projects (the real entry points belong to the desktop
 * shell): what lands in dist/desktop, that main.js runs with nothing but `electron` next to it, and
 * that server-only, native or Node-in-preload imports stop the build with a message naming them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleDesktop, ROOT } from '#build/bundle-desktop.js';

let root: string;

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

const MAIN = `
import { app } from 'electron';
import electronUpdater from 'electron-updater';
import * as oidc from 'openid-client';
import axios from 'axios';
import Store from 'electron-store';
import { z } from 'zod';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
console.log(JSON.stringify({
  updater: typeof electronUpdater.NsisUpdater, oidc: typeof oidc.discovery, axios: typeof axios.get,
  store: typeof Store, zod: z.string().safeParse('x').success, require: typeof require, ready: typeof app.whenReady,
}));
`;
const PRELOAD = `import { contextBridge, ipcRenderer } from 'electron';\ncontextBridge.exposeInMainWorld('klaxon', { invoke: (c: string) => ipcRenderer.invoke(c) });\n`;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'klaxon-bundle-'));
  symlinkSync(
    path.join(ROOT, 'node_modules'),
    path.join(root, 'node_modules'),
    process.platform === 'win32' ? 'junction' : 'dir',
  );
  write(
    'package.json',
    JSON.stringify({
      name: 'klaxon',
      version: '1.2.3',
      description: 'd',
      author: { name: 'a' },
      homepage: 'https://h.example',
      license: 'Apache-2.0',
      type: 'module',
      dependencies: { fastify: '5' },
    }),
  );
  write('dist/renderer/index.html', '<!doctype html><title>Klaxon</title>');
  write('dist/renderer/assets/app.js', 'console.log(1)');
  write('dist/renderer/assets/app.js.map', '{}');
  write('assets/icon.png', 'png');
  write('assets/tray/idle.png', 'png');
  write('assets/notes.md', 'not an image');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('bundleDesktop', () => {
  it('fails with a clear message until the Electron entry points exist', async () => {
    await expect(bundleDesktop({ root })).rejects.toThrow(
      /electron\/shell\/main\.ts and electron\/shell\/preload\.ts not found.*write them first/,
    );
  });

  it('fails with a clear message when the UI has not been built', async () => {
    write('electron/shell/main.ts', MAIN);
    write('electron/shell/preload.ts', PRELOAD);
    rmSync(path.join(root, 'dist/renderer'), { recursive: true });
    await expect(bundleDesktop({ root })).rejects.toThrow(
      /dist\/renderer\/index\.html not found\. Build the UI first with npm run build:renderer/,
    );
  });

  it('lays out a self-contained app: bundled main, CJS preload, renderer without source maps, no dependencies', async () => {
    write('electron/shell/main.ts', MAIN);
    write('electron/shell/preload.ts', PRELOAD);
    const r = await bundleDesktop({ root });
    expect(r.files).toEqual([
      'assets/icon.png',
      'assets/tray/idle.png',
      'main.js',
      'package.json',
      'preload.cjs',
      'renderer/assets/app.js',
      'renderer/index.html',
    ]);
    const pkg = JSON.parse(readFileSync(path.join(r.outDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({
      name: 'klaxon',
      productName: 'Klaxon',
      version: '1.2.3',
      main: 'main.js',
      type: 'module',
      desktopName: 'klaxon.desktop',
    });
    expect(pkg).not.toHaveProperty('dependencies');
    expect(r.inputs.main.some((p) => p.includes('node_modules/electron-updater/'))).toBe(true);

    const preload = readFileSync(path.join(r.outDir, 'preload.cjs'), 'utf8');
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*(import|export) /m);

    // Run main.js with nothing installed but a stand-in `electron`: every other dependency is inside it.
    rmSync(path.join(root, 'node_modules'));
    write('node_modules/electron/package.json', JSON.stringify({ name: 'electron', main: 'index.js' }));
    write(
      'node_modules/electron/index.js',
      'exports.app = { whenReady: () => Promise.resolve(), getVersion: () => "1.2.3", isPackaged: true, getPath: () => "/tmp" };',
    );
    const run = spawnSync(process.execPath, [path.join(r.outDir, 'main.js')], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      updater: 'function',
      oidc: 'function',
      axios: 'function',
      store: 'function',
      zod: true,
      require: 'function',
      ready: 'function',
    });
  });

  it('refuses server-only and native packages, naming the package and the importer', async () => {
    write('electron/shell/main.ts', `import Database from 'better-sqlite3';\nconsole.log(Database);\n`);
    write('electron/shell/preload.ts', PRELOAD);
    await expect(bundleDesktop({ root })).rejects.toThrow(
      /"better-sqlite3" must not be part of the desktop app.*electron\/shell\/main\.ts/,
    );
    write('electron/shell/main.ts', `import Provider from 'oidc-provider';\nconsole.log(Provider);\n`);
    await expect(bundleDesktop({ root })).rejects.toThrow(/"oidc-provider" must not be part of the desktop app/);
  });

  it('refuses code from server/ (the parts meet only in common/)', async () => {
    write('server/config.ts', 'export const secret = 1;\n');
    write('electron/shell/main.ts', `import { secret } from '../../server/config.js';\nconsole.log(secret);\n`);
    write('electron/shell/preload.ts', PRELOAD);
    await expect(bundleDesktop({ root })).rejects.toThrow(
      /pulls in files that belong to other parts of Klaxon: server\/config\.ts/,
    );
  });

  it('refuses a preload that needs Node (a sandboxed preload only has electron)', async () => {
    write('electron/shell/main.ts', 'console.log(1);\n');
    write('electron/shell/preload.ts', `import { readFileSync } from 'node:fs';\nconsole.log(readFileSync);\n`);
    await expect(bundleDesktop({ root })).rejects.toThrow(/preload/);
    expect(existsSync(path.join(root, 'dist/desktop/package.json'))).toBe(false);
  });
});
