// The token store binding (electron/shell/token-store.ts): safeStorage and electron-store, both faked.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as fake from '#test/support/fake-electron.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));
vi.mock('electron-store', () => ({
  default: class FakeStore {
    static files = new Map<string, Record<string, unknown>>();
    private data: Record<string, unknown>;
    constructor(opts: { name: string }) {
      this.data = FakeStore.files.get(opts.name) ?? {};
      FakeStore.files.set(opts.name, this.data);
    }
    get(k: string) {
      return this.data[k];
    }
    set(k: string, v: unknown) {
      this.data[k] = v;
    }
    delete(k: string) {
      delete this.data[k];
    }
  },
}));

beforeEach(() => fake.resetFake());

describe('token store binding (safeStorage + electron-store)', () => {
  it('with a keyring: stores only ciphertext and the backend; reads it back in a new process', async () => {
    const { createElectronTokenStore } = await import('#electron/shell/token-store.js');
    const Store = (await import('electron-store')).default as unknown as {
      files: Map<string, Record<string, unknown>>;
    };
    Store.files.clear();
    const s = createElectronTokenStore();
    expect(s.mode).toBe(process.platform === 'linux' ? 'encrypted' : 'encrypted');
    await s.set('refresh-token-secret');
    const file = JSON.stringify(Store.files.get('klaxon-session'));
    expect(file).not.toContain('refresh-token-secret');
    expect(file).toContain(process.platform === 'linux' ? 'gnome_libsecret' : '');
    expect(await createElectronTokenStore().get()).toBe('refresh-token-secret');
  });
  it('Linux basic_text: memory only, nothing written, and a message saying what to install', async () => {
    if (process.platform !== 'linux') return;
    const { createElectronTokenStore } = await import('#electron/shell/token-store.js');
    const Store = (await import('electron-store')).default as unknown as {
      files: Map<string, Record<string, unknown>>;
    };
    Store.files.clear();
    fake.safeStorage.backend = 'basic_text';
    const s = createElectronTokenStore();
    await s.set('refresh-token-secret');
    expect(s.mode).toBe('memory-only');
    expect(s.message).toMatch(/gnome-keyring/);
    expect(JSON.stringify(Store.files.get('klaxon-session') ?? {})).toBe('{}');
  });
});
