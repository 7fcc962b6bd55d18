// Where Klaxon connects (electron/server-change.ts): which settings changes need the person's
// confirmation in a dialog of the main process, and what that dialog says.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '#common/index.js';
import { serverChangePrompt, serverChangesIn } from '#electron/server-change.js';

const current = { ...DEFAULT_SETTINGS, serverUrl: 'https://klaxon.example.org' };

describe('server changes in a settings patch', () => {
  it('finds only the connection settings whose value really changes', () => {
    expect(serverChangesIn({ notifyOwnPages: false, globalShortcut: 'Alt+K' }, current)).toEqual([]);
    expect(serverChangesIn({ serverUrl: 'https://klaxon.example.org' }, current)).toEqual([]);
    expect(
      serverChangesIn(
        { serverUrl: 'https://evil.example.org', issuer: 'https://idp.evil.example', clientId: null },
        current,
      ),
    ).toEqual([
      { key: 'serverUrl', from: 'https://klaxon.example.org', to: 'https://evil.example.org' },
      { key: 'issuer', from: null, to: 'https://idp.evil.example' },
    ]);
  });
});

describe('the confirmation dialog', () => {
  it('names the new server and sign-in provider, says what is at stake, and defaults to Cancel', () => {
    const p = serverChangePrompt([
      { key: 'serverUrl', from: 'https://klaxon.example.org', to: 'https://evil.example.org:8443/klaxon' },
      { key: 'issuer', from: null, to: 'https://idp.evil.example' },
      { key: 'clientId', from: null, to: 'other-client' },
    ]);
    expect(p.message).toBe('Connect Klaxon to evil.example.org:8443?');
    expect(p.detail).toContain('Klaxon server: https://evil.example.org:8443 (now https://klaxon.example.org)');
    expect(p.detail).toContain('Sign-in provider: https://idp.evil.example (now the one the Klaxon server names)');
    expect(p.detail).toContain('Sign-in client id: other-client (now the one the Klaxon server names)');
    expect(p.detail).toMatch(/Only connect if you changed this yourself in Klaxon’s settings just now/);
    expect(p.buttons[p.connectId]).toBe('Connect');
    expect(p.buttons[p.defaultId]).toBe('Cancel');
    expect(p.cancelId).toBe(p.defaultId);
  });

  it('back to the server’s own sign-in provider is named as such', () => {
    const p = serverChangePrompt([{ key: 'issuer', from: 'https://idp.example.org', to: null }]);
    expect(p.message).toBe('Sign in to Klaxon with the provider the Klaxon server names?');
    expect(p.detail).toContain('Sign-in provider: the one the Klaxon server names (now https://idp.example.org)');
  });
});
