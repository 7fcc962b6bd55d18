import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type EffectiveSettings } from '#common/index.js';
import {
  checkServerUrl,
  checkSettings,
  checkShortcut,
  draftFrom,
  placeSettingsError,
  planSave,
  settingsPatch,
} from '#renderer/model/settings-form.js';

const effective = (
  over: Partial<EffectiveSettings['values']> = {},
  locked: Record<string, string> = {},
): EffectiveSettings => ({
  values: { ...DEFAULT_SETTINGS, ...over },
  sources: {},
  locked,
});

describe('settings form', () => {
  it('shows "default for SRE" for a null incident-notification setting and sends null back', () => {
    const s = effective({ notifyNewIncidents: true });
    const d = draftFrom(s);
    expect(d.notifyNewIncidents).toBe('on');
    expect(draftFrom(effective()).notifyNewIncidents).toBe('default');
    expect(settingsPatch({ ...d, notifyNewIncidents: 'default' }, s)).toEqual({ notifyNewIncidents: null });
    expect(settingsPatch({ ...d, notifyNewIncidents: 'off' }, s)).toEqual({ notifyNewIncidents: false });
  });

  it('sends only what changed, never a key locked by policy', () => {
    const s = effective({ serverUrl: 'https://klaxon.example.org' }, { startAtLogin: 'Set by your IT department' });
    const d = draftFrom(s);
    expect(settingsPatch(d, s)).toEqual({});
    expect(
      settingsPatch({ ...d, startAtLogin: true, notifyOwnPages: false, serverUrl: ' https://k2.example.org ' }, s),
    ).toEqual({ notifyOwnPages: false, serverUrl: 'https://k2.example.org' });
  });

  it('refuses a server URL that is not an http(s) address, saying what it should look like', () => {
    expect(checkServerUrl('https://klaxon.example.org')).toBeNull();
    expect(checkServerUrl('http://127.0.0.1:8787')).toBeNull();
    expect(checkServerUrl('')).toMatch(/empty/);
    expect(checkServerUrl('klaxon.example.org')).toMatch(/https:\/\/klaxon\.example\.org/);
    expect(checkServerUrl('ftp://klaxon.example.org')).toMatch(/must start with https:\/\//);
    expect(checkServerUrl('https://me:secret@klaxon.example.org')).toMatch(/password/);
  });

  it('accepts Electron accelerators with a modifier and refuses bare or unknown keys', () => {
    expect(checkShortcut('CommandOrControl+Shift+K')).toBeNull();
    expect(checkShortcut('Alt+F12')).toBeNull();
    expect(checkShortcut('K')).toMatch(/at least one modifier/);
    expect(checkShortcut('Hyper+K')).toMatch(/at least one modifier/);
    expect(checkShortcut('Ctrl+Shift+Banana')).toMatch(/"Banana" is not a key/);
    expect(checkShortcut('')).toMatch(/empty/);
  });

  it('checks only fields the person may change', () => {
    const d = { ...draftFrom(effective()), serverUrl: 'nope', globalShortcut: 'K' };
    expect(Object.keys(checkSettings(d, {}))).toEqual(['serverUrl', 'globalShortcut']);
    expect(Object.keys(checkSettings(d, { serverUrl: 'Set by your IT department' }))).toEqual(['globalShortcut']);
  });

  it('puts an error from the desktop core under the field it names', () => {
    expect(placeSettingsError({ message: 'serverUrl: serverUrl must be an http(s) URL', field: 'serverUrl' })).toEqual({
      field: 'serverUrl',
      message: 'serverUrl: serverUrl must be an http(s) URL',
    });
    expect(placeSettingsError({ message: 'Disk full.' })).toEqual({ field: null, message: 'Disk full.' });
    expect(placeSettingsError({ message: 'Unknown field "x".', field: 'x' }).field).toBeNull();
  });
});

describe('Save', () => {
  it('points at the first wrong field in screen order, says when nothing changed, else sends the patch', () => {
    const s = effective();
    const bad = { ...draftFrom(s), globalShortcut: 'K', serverUrl: 'not a url' };
    const invalid = planSave(bad, s);
    expect(invalid.kind === 'invalid' && invalid.first).toBe('globalShortcut');
    expect(invalid.kind === 'invalid' && Object.keys(invalid.errors).sort()).toEqual(['globalShortcut', 'serverUrl']);
    expect(planSave(draftFrom(s), s)).toEqual({ kind: 'unchanged' });
    expect(planSave({ ...draftFrom(s), startAtLogin: true }, s)).toEqual({
      kind: 'save',
      patch: { startAtLogin: true },
    });
  });
});
