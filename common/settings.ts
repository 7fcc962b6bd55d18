import { z } from 'zod/mini';

/**
 * Klaxon desktop settings. Effective value = managed policy (IT) > user setting > default.
 * Policy sources (one schema): Linux `/etc/klaxon/policy.json` (root-owned), macOS managed
 * preferences (domain `org.klaxon.desktop`), Windows `HKLM\Software\Policies\Klaxon`.
 */
/** Whether a URL's host is this machine (127.0.0.0/8, ::1, localhost): nothing crosses a network. */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * A URL Klaxon sends bearer tokens or sign-ins to: https, or plain http only to this machine
 * (the demo and tests), since anyone on the network path could read or replace a token sent
 * over plain http to another host.
 */
function tokenBearingUrl(key: string) {
  return z.url(`${key} must be a URL, e.g. https://klaxon.example.org`).check(
    z.refine((u) => {
      const url = URL.parse(u);
      return url?.protocol === 'https:' || (url?.protocol === 'http:' && isLoopbackHostname(url.hostname));
    }, `${key} must be an https URL (plain http only to this computer: 127.0.0.1, ::1 or localhost), because Klaxon sends your sign-in there`),
  );
}

export const settingsShape = {
  /** Klaxon server base URL. */
  serverUrl: tokenBearingUrl('serverUrl'),
  /** Override the identity provider advertised by the server (null: use the server's). */
  issuer: z.nullable(tokenBearingUrl('issuer')),
  /** Override the desktop OIDC client id advertised by the server (null: use the server's). */
  clientId: z.nullable(z.string().check(z.minLength(1))),
  autoUpdate: z.boolean(),
  updateChannel: z.enum(['latest', 'beta']),
  /** Generic HTTPS update feed (null: the one built into the installer). */
  updateFeedUrl: z.nullable(z.url().check(z.refine((u) => u.startsWith('https://'), 'updateFeedUrl must be https'))),
  startAtLogin: z.boolean(),
  /** Desktop notification for new unacknowledged incidents. null: on for SRE (acknowledge permission), off otherwise. */
  notifyNewIncidents: z.nullable(z.boolean()),
  /** Desktop notification when your own page is delivered or acknowledged. */
  notifyOwnPages: z.boolean(),
  /** Electron accelerator that opens the popover. */
  globalShortcut: z.string().check(z.minLength(1)).check(z.maxLength(64)),
} as const;

export const Settings = z.strictObject(settingsShape);
export type Settings = z.infer<typeof Settings>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(settingsShape) as SettingKey[];

export const DEFAULT_SETTINGS: Settings = {
  serverUrl: 'http://127.0.0.1:8787',
  issuer: null,
  clientId: null,
  autoUpdate: true,
  updateChannel: 'latest',
  updateFeedUrl: null,
  startAtLogin: false,
  notifyNewIncidents: null,
  notifyOwnPages: true,
  globalShortcut: 'CommandOrControl+Shift+K',
};

/** What IT may set. Any subset of settings; unknown keys are refused with their name. */
export const ManagedPolicy = z.partial(Settings);
export type ManagedPolicy = z.infer<typeof ManagedPolicy>;

/** What a user may change in the UI (keys locked by policy are refused at runtime). */
export const UserSettings = z.partial(z.omit(Settings, { updateFeedUrl: true }));
export type UserSettings = z.infer<typeof UserSettings>;

export const SettingSource = z.enum(['policy', 'user', 'default']);
export type SettingSource = z.infer<typeof SettingSource>;

export const EffectiveSettings = z.strictObject({
  values: Settings,
  sources: z.record(z.string(), SettingSource),
  /** Keys the user cannot change, with the reason shown in the UI. */
  locked: z.record(z.string(), z.string()),
});
export type EffectiveSettings = z.infer<typeof EffectiveSettings>;
