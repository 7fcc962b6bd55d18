// The app:// scheme handler (electron/shell/app-protocol.ts) against the recording fake of `electron`.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fake from '#test/support/fake-electron.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));

let dir: string;
beforeEach(() => {
  fake.resetFake();
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-shell-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('serves only files under the renderer directory, with the CSP header', async () => {
    const { serveRenderer } = await import('#electron/shell/app-protocol.js');
    const root = path.join(dir, 'renderer');
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Klaxon</title>');
    writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'secret.txt'), 'secret');
    symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'assets', 'leak.txt'));
    serveRenderer(root);
    const handle = fake.protocol.handlers.get('app')!;
    const get = (u: string) => handle(new Request(u));

    const index = await get('app://klaxon/index.html');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(await index.text()).toContain('<title>Klaxon</title>');
    expect((await get('app://klaxon/')).status).toBe(200);
    expect((await get('app://klaxon/assets/app.js')).headers.get('content-type')).toMatch(/javascript/);
    expect((await get('app://klaxon/..%2fsecret.txt')).status).toBe(403);
    const dotted = await get('app://klaxon/assets/%2e%2e/%2e%2e/secret.txt'); // URL parsing folds it to /secret.txt inside the root
    expect(dotted.status).toBe(404);
    expect(await dotted.text()).not.toContain('secret');
    expect((await get('app://klaxon/assets/leak.txt')).status).toBe(403);
    expect((await get('app://other/index.html')).status).toBe(403);
    expect((await get('app://klaxon/missing.html')).status).toBe(404);
  });
});
