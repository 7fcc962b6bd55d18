import type { EffectiveSettings, UserSettings } from '#common/index.js';

/**
 * The settings screen's form: what the person sees (a draft), the checks done before anything is
 * sent, the patch of what really changed, and where an error from the desktop core belongs.
 * Pure, so it is unit-tested; the desktop core validates again (`UserSettings`) and has the last word.
 */

const EDITABLE_KEYS = ['notifyNewIncidents', 'notifyOwnPages', 'startAtLogin', 'globalShortcut', 'serverUrl'] as const;
export type EditableKey = (typeof EDITABLE_KEYS)[number];

/** `default` = null in the contract: on for SRE (who may acknowledge), off for everyone else. */
export type NotifyChoice = 'on' | 'off' | 'default';

export interface SettingsDraft {
  notifyNewIncidents: NotifyChoice;
  notifyOwnPages: boolean;
  startAtLogin: boolean;
  globalShortcut: string;
  serverUrl: string;
}

export type SettingsErrors = Partial<Record<EditableKey, string>>;

export function draftFrom(s: EffectiveSettings): SettingsDraft {
  const v = s.values;
  return {
    notifyNewIncidents: v.notifyNewIncidents === null ? 'default' : v.notifyNewIncidents ? 'on' : 'off',
    notifyOwnPages: v.notifyOwnPages,
    startAtLogin: v.startAtLogin,
    globalShortcut: v.globalShortcut,
    serverUrl: v.serverUrl,
  };
}

const notifyValue = (c: NotifyChoice): boolean | null => (c === 'default' ? null : c === 'on');

export function checkServerUrl(raw: string): string | null {
  const s = raw.trim();
  if (!s) return 'Server URL is empty: enter the address of your Klaxon server, e.g. https://klaxon.example.org.';
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return 'Server URL is not a web address: it should look like https://klaxon.example.org.';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    return 'Server URL must start with https:// (or http:// for a server on this machine).';
  if (u.username || u.password) return 'Server URL must not contain a user name or password.';
  return null;
}

// Electron accelerator syntax: modifiers joined with "+" and one key.
const MODIFIERS = new Set([
  'command',
  'cmd',
  'control',
  'ctrl',
  'commandorcontrol',
  'cmdorctrl',
  'alt',
  'option',
  'altgr',
  'shift',
  'super',
  'meta',
]);
const NAMED_KEYS = new Set([
  'plus',
  'space',
  'tab',
  'backspace',
  'delete',
  'insert',
  'return',
  'enter',
  'up',
  'down',
  'left',
  'right',
  'home',
  'end',
  'pageup',
  'pagedown',
  'escape',
  'esc',
]);
const isKey = (k: string) =>
  /^[a-z0-9]$/i.test(k) ||
  /^f([1-9]|1\d|2[0-4])$/i.test(k) ||
  /^[)!@#$%^&*(:;:<_>?~{|}"',./`[\]\\=-]$/.test(k) ||
  NAMED_KEYS.has(k.toLowerCase());

export function checkShortcut(raw: string): string | null {
  const s = raw.trim();
  if (!s) return 'Shortcut is empty: enter one such as CommandOrControl+Shift+K.';
  if (s.length > 64) return 'Shortcut is too long: at most 64 characters.';
  const parts = s.split('+');
  const key = parts.pop() ?? '';
  if (parts.length === 0 || parts.some((m) => !MODIFIERS.has(m.toLowerCase()))) {
    return 'Shortcut needs at least one modifier (CommandOrControl, Alt, Shift, Super) before the key, e.g. CommandOrControl+Shift+K.';
  }
  if (!isKey(key))
    return `Shortcut key "${key}" is not a key Klaxon knows: use a letter, digit or F1–F24, e.g. CommandOrControl+Shift+K.`;
  return null;
}

/** Checks every field the person may change (locked ones are not theirs to fix). */
export function checkSettings(d: SettingsDraft, locked: Record<string, string>): SettingsErrors {
  const errors: SettingsErrors = {};
  if (!locked.serverUrl) {
    const e = checkServerUrl(d.serverUrl);
    if (e) errors.serverUrl = e;
  }
  if (!locked.globalShortcut) {
    const e = checkShortcut(d.globalShortcut);
    if (e) errors.globalShortcut = e;
  }
  return errors;
}

/** Only what changed and is not locked by policy: sending a locked key fails the whole patch. */
export function settingsPatch(d: SettingsDraft, s: EffectiveSettings): UserSettings {
  const v = s.values;
  const next: Record<EditableKey, unknown> = {
    notifyNewIncidents: notifyValue(d.notifyNewIncidents),
    notifyOwnPages: d.notifyOwnPages,
    startAtLogin: d.startAtLogin,
    globalShortcut: d.globalShortcut.trim(),
    serverUrl: d.serverUrl.trim(),
  };
  const patch: Record<string, unknown> = {};
  for (const k of EDITABLE_KEYS) {
    if (s.locked[k]) continue;
    if (next[k] !== v[k]) patch[k] = next[k];
  }
  return patch as UserSettings;
}

/** Where an error from `settings:set` is shown: under its field when it names one, else at the top. */
export function placeSettingsError(error: { message: string; field?: string | undefined }): {
  field: EditableKey | null;
  message: string;
} {
  const field = error.field?.split('.')[0];
  return {
    field: (EDITABLE_KEYS as readonly string[]).includes(field ?? '') ? (field as EditableKey) : null,
    message: error.message,
  };
}

/** What Save does with the draft: point at the first field to fix, say nothing changed, or send the patch. */
export type SavePlan =
  | { kind: 'invalid'; errors: SettingsErrors; first: EditableKey }
  | { kind: 'unchanged' }
  | { kind: 'save'; patch: UserSettings };

export function planSave(d: SettingsDraft, s: EffectiveSettings): SavePlan {
  const errors = checkSettings(d, s.locked);
  // Fields are checked, and the first wrong one focused, in the order the screen shows them.
  const first = EDITABLE_KEYS.find((k) => errors[k]);
  if (first) return { kind: 'invalid', errors, first };
  const patch = settingsPatch(d, s);
  return Object.keys(patch).length === 0 ? { kind: 'unchanged' } : { kind: 'save', patch };
}
