/**
 * Where the refresh token lives on disk, decided without importing Electron:
 * encrypted with `safeStorage` when the OS offers a real secret store, otherwise in memory only
 * (VS Code's choice) with a message naming what to install. The token is never written in the clear.
 * Like Element's store.ts, the record names the backend that wrote it, so a later backend change
 * (keyring reset, different desktop session) is caught instead of producing garbage.
 */
import type { TokenStore } from './token-vault.js';

/** The part of Electron's `safeStorage` this needs (after `app.whenReady()`). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux builds only. */
  getSelectedStorageBackend?(): string;
}

/** What electron-store (or a test) persists: ciphertext only. */
export interface StoredRefreshToken {
  ciphertext: string; // base64
  backend: string;
  /** Not read by Klaxon: tells a person looking at the profile when the sign-in was saved. */
  writtenAt: string;
}

interface TokenRecord {
  read(): StoredRefreshToken | undefined;
  write(v: StoredRefreshToken): void;
  remove(): void;
}

export interface StorageDecision {
  mode: 'encrypted' | 'memory-only';
  /** `gnome_libsecret`, `kwallet6`, `keychain`, `dpapi`, … recorded with the ciphertext. */
  backend: string;
  message: string | null;
}

const LINUX_WEAK = new Set(['basic_text', 'unknown', '']);

export function decideTokenStorage(platform: NodeJS.Platform, safeStorage: SafeStorageLike): StorageDecision {
  const available = safeStorage.isEncryptionAvailable();
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (!available || LINUX_WEAK.has(backend)) {
      return {
        mode: 'memory-only',
        backend,
        message: `No secure keyring was found on this computer (Electron reports the "${backend}" password store), so Klaxon keeps your sign-in in memory only and you will sign in again after each restart. To stay signed in, install and unlock a Secret Service keyring: gnome-keyring with libsecret (GNOME), or KWallet (KDE), then restart Klaxon.`,
      };
    }
    return { mode: 'encrypted', backend, message: null };
  }
  const backend = platform === 'darwin' ? 'keychain' : platform === 'win32' ? 'dpapi' : platform;
  if (!available) {
    return {
      mode: 'memory-only',
      backend,
      message:
        platform === 'darwin'
          ? 'Klaxon cannot use your macOS Keychain, so it keeps your sign-in in memory only and you will sign in again after each restart. Unlock the login keychain (Keychain Access) and restart Klaxon.'
          : "Klaxon cannot use the operating system's protected storage, so it keeps your sign-in in memory only and you will sign in again after each restart. Ask your IT department to check this computer's credential storage.",
    };
  }
  return { mode: 'encrypted', backend, message: null };
}

export interface SecureTokenStoreOptions {
  platform: NodeJS.Platform;
  safeStorage: SafeStorageLike;
  record: TokenRecord;
  log?(message: string): void;
}

const UNREADABLE =
  'Klaxon could not read your saved sign-in (the keyring was reset or changed since it was saved), so it was removed. Sign in again.';

export function createSecureTokenStore(opts: SecureTokenStoreOptions): TokenStore {
  const decision = decideTokenStorage(opts.platform, opts.safeStorage);
  let message = decision.message;
  if (decision.mode === 'memory-only') {
    // A record written earlier by a real keyring stays untouched: it is ciphertext, and the keyring
    // may be back next time. It is simply not used now.
    let value: string | null = null;
    return {
      mode: 'memory-only',
      get message() {
        return message;
      },
      get: async () => value,
      set: async (rt) => {
        value = rt;
      },
      clear: async () => {
        value = null;
      },
    };
  }
  let cached: string | null | undefined; // undefined: not read yet
  return {
    mode: 'encrypted',
    get message() {
      return message;
    },
    async get() {
      if (cached !== undefined) return cached;
      const stored = opts.record.read();
      if (!stored) return (cached = null);
      if (stored.backend !== decision.backend) {
        opts.log?.(`refresh token was written by the "${stored.backend}" backend, now "${decision.backend}": removed`);
        opts.record.remove();
        message = UNREADABLE;
        return (cached = null);
      }
      try {
        cached = opts.safeStorage.decryptString(Buffer.from(stored.ciphertext, 'base64'));
        return cached;
      } catch (e) {
        opts.log?.(`refresh token could not be decrypted (${e instanceof Error ? e.message : String(e)}): removed`);
        opts.record.remove();
        message = UNREADABLE;
        return (cached = null);
      }
    },
    async set(rt) {
      // encryptString throws rather than fall back to plain text; let it surface instead of writing clear text.
      const ciphertext = opts.safeStorage.encryptString(rt).toString('base64');
      opts.record.write({
        ciphertext,
        backend: decision.backend,
        writtenAt: new Date().toISOString(),
      });
      cached = rt;
      message = null;
    },
    async clear() {
      opts.record.remove();
      cached = null;
    },
  };
}
