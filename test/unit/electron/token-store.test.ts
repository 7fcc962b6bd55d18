import { describe, expect, it } from 'vitest';
import {
  createSecureTokenStore,
  decideTokenStorage,
  type SafeStorageLike,
  type StoredRefreshToken,
} from '#electron/token-store.js';

/** A stand-in for safeStorage per backend: reversible "encryption" that never contains the plain text. */
function safeStorage(backend: string | null, available = true): SafeStorageLike & { broken: boolean } {
  const s = {
    broken: false,
    isEncryptionAvailable: () => available,
    encryptString: (p: string) => {
      if (!available) throw new Error('Encryption is not available.');
      return Buffer.from([...Buffer.from(p)].map((b) => b ^ 0x5a));
    },
    decryptString: (b: Buffer) => {
      if (s.broken) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from([...b].map((x) => x ^ 0x5a)).toString();
    },
    ...(backend !== null ? { getSelectedStorageBackend: () => backend } : {}),
  };
  return s;
}
function record() {
  let v: StoredRefreshToken | undefined;
  return {
    read: () => v,
    write: (x: StoredRefreshToken) => {
      v = x;
    },
    remove: () => {
      v = undefined;
    },
    peek: () => v,
  };
}

describe('choosing where the refresh token lives', () => {
  it('encrypts with a real keyring on Linux, the Keychain on macOS and DPAPI on Windows', () => {
    expect(decideTokenStorage('linux', safeStorage('gnome_libsecret'))).toEqual({
      mode: 'encrypted',
      backend: 'gnome_libsecret',
      message: null,
    });
    expect(decideTokenStorage('linux', safeStorage('kwallet6')).mode).toBe('encrypted');
    expect(decideTokenStorage('darwin', safeStorage(null))).toEqual({
      mode: 'encrypted',
      backend: 'keychain',
      message: null,
    });
    expect(decideTokenStorage('win32', safeStorage(null))).toEqual({
      mode: 'encrypted',
      backend: 'dpapi',
      message: null,
    });
  });
  it('falls back to memory only on Linux basic_text / unknown, naming what to install', () => {
    for (const backend of ['basic_text', 'unknown']) {
      const d = decideTokenStorage('linux', safeStorage(backend, backend !== 'unknown'));
      expect(d.mode).toBe('memory-only');
      expect(d.message).toMatch(/gnome-keyring with libsecret.*KWallet/);
      expect(d.message).toContain(`"${backend}"`);
    }
    expect(decideTokenStorage('darwin', safeStorage(null, false)).message).toMatch(/Keychain/);
  });
});

describe('secure token store', () => {
  it('writes only ciphertext, with the backend that wrote it, and reads it back', async () => {
    const rec = record();
    const s = createSecureTokenStore({ platform: 'linux', safeStorage: safeStorage('gnome_libsecret'), record: rec });
    await s.set('rt-secret-123');
    const stored = rec.peek()!;
    expect(stored.backend).toBe('gnome_libsecret');
    expect(JSON.stringify(stored)).not.toContain('rt-secret-123');
    expect(Buffer.from(stored.ciphertext, 'base64').toString()).not.toContain('rt-secret');
    const again = createSecureTokenStore({
      platform: 'linux',
      safeStorage: safeStorage('gnome_libsecret'),
      record: rec,
    });
    expect(await again.get()).toBe('rt-secret-123');
    await again.clear();
    expect(rec.peek()).toBeUndefined();
  });
  it('memory-only on basic_text: never touches disk, forgets on restart', async () => {
    const rec = record();
    const s = createSecureTokenStore({ platform: 'linux', safeStorage: safeStorage('basic_text'), record: rec });
    await s.set('rt-1');
    expect(await s.get()).toBe('rt-1');
    expect(rec.peek()).toBeUndefined();
    expect(s.mode).toBe('memory-only');
    expect(
      await createSecureTokenStore({ platform: 'linux', safeStorage: safeStorage('basic_text'), record: rec }).get(),
    ).toBeNull();
  });
  it('a token that cannot be decrypted is deleted and the user is asked to sign in again', async () => {
    const rec = record();
    await createSecureTokenStore({ platform: 'darwin', safeStorage: safeStorage(null), record: rec }).set('rt-2');
    const broken = safeStorage(null);
    broken.broken = true;
    const logs: string[] = [];
    const s = createSecureTokenStore({
      platform: 'darwin',
      safeStorage: broken,
      record: rec,
      log: (m) => logs.push(m),
    });
    expect(await s.get()).toBeNull();
    expect(rec.peek()).toBeUndefined();
    expect(s.message).toMatch(/Sign in again/);
    expect(logs[0]).toMatch(/could not be decrypted/);
  });
  it('a token written by another backend is not trusted', async () => {
    const rec = record();
    await createSecureTokenStore({ platform: 'linux', safeStorage: safeStorage('kwallet5'), record: rec }).set('rt-3');
    const s = createSecureTokenStore({ platform: 'linux', safeStorage: safeStorage('gnome_libsecret'), record: rec });
    expect(await s.get()).toBeNull();
    expect(s.message).toMatch(/Sign in again/);
  });
  it('never falls back to plain text when encryption fails at write time', async () => {
    const rec = record();
    const ss = safeStorage('gnome_libsecret');
    ss.encryptString = () => {
      throw new Error('keyring locked');
    };
    const s = createSecureTokenStore({ platform: 'linux', safeStorage: ss, record: rec });
    await expect(s.set('rt-4')).rejects.toThrow(/keyring locked/);
    expect(rec.peek()).toBeUndefined();
  });
});
