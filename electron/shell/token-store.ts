/**
 * Binds the Electron-free secure token store to `safeStorage` and electron-store (a JSON file in
 * the user's profile holding ciphertext only; no electron-store `encryptionKey`: that key would ship
 * inside every installer, so it only obfuscates). Call after `app.whenReady()`: before it
 * safeStorage says "not available".
 */
import { safeStorage } from 'electron';
import Store from 'electron-store';
import { createSecureTokenStore, type StoredRefreshToken } from '../token-store.js';
import type { TokenStore } from '../token-vault.js';

interface TokenFile {
  refreshToken?: StoredRefreshToken;
}

export function createElectronTokenStore(log: (m: string) => void = () => {}): TokenStore {
  const file = new Store<TokenFile>({ name: 'klaxon-session', clearInvalidConfig: true });
  return createSecureTokenStore({
    platform: process.platform,
    safeStorage,
    record: {
      read: () => file.get('refreshToken'),
      write: (v) => file.set('refreshToken', v),
      remove: () => file.delete('refreshToken'),
    },
    log,
  });
}
