/**
 * Effective desktop settings = managed policy (IT) > user settings > defaults, with where each value
 * came from and why a key is locked. Bad values never crash the app: each is named, logged and
 * ignored, and the next layer down is used.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_SETTINGS,
  SETTING_KEYS,
  UserSettings,
  settingsShape,
  type EffectiveSettings,
  type ManagedPolicy,
  type SettingKey,
  type Settings,
  type SettingSource,
} from '#common/index.js';

export const LOCKED_BY_POLICY = 'Set by your IT department';

export interface LayerProblem {
  key: string;
  message: string;
}

/**
 * Keeps the valid keys of an untrusted settings object, naming every unknown key and invalid value.
 * Checked key by key (not with the strict whole-object schema) so one bad key does not throw away the rest.
 */
export function validSettingsLayer(
  raw: unknown,
  origin: string,
  allowed: readonly SettingKey[] = SETTING_KEYS,
): { values: Partial<Settings>; problems: LayerProblem[] } {
  const values: Partial<Settings> = {};
  const problems: LayerProblem[] = [];
  if (raw === null || raw === undefined) return { values, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { values, problems: [{ key: '*', message: `${origin} must be an object of settings; ignored.` }] };
  }
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(allowed as readonly string[]).includes(key)) {
      problems.push({ key, message: `${origin}: unknown setting "${key}" ignored.` });
      continue;
    }
    const r = settingsShape[key as SettingKey].safeParse(value);
    if (!r.success) {
      problems.push({
        key,
        message: `${origin}: invalid value for "${key}" ignored (${r.error.issues[0]?.message ?? 'invalid'}).`,
      });
      continue;
    }
    (values as Record<string, unknown>)[key] = r.data;
  }
  return { values, problems };
}

export function effectiveSettings(policy: ManagedPolicy, user: Partial<Settings>): EffectiveSettings {
  const values = { ...DEFAULT_SETTINGS } as Record<SettingKey, unknown>;
  const sources: Record<string, SettingSource> = {};
  const locked: Record<string, string> = {};
  for (const key of SETTING_KEYS) {
    if (policy[key] !== undefined) {
      values[key] = policy[key];
      sources[key] = 'policy';
      locked[key] = LOCKED_BY_POLICY;
    } else if (user[key] !== undefined) {
      values[key] = user[key];
      sources[key] = 'user';
    } else {
      sources[key] = 'default';
    }
  }
  // The update feed is an IT decision only (UserSettings has no such key).
  if (!locked.updateFeedUrl) locked.updateFeedUrl = 'Only your IT department can change the update feed';
  // So is where error reports go (docs/it-deployment.md): a person cannot send them elsewhere.
  if (!locked.sentryDsn) locked.sentryDsn = 'Only your IT department can change where error reports go';
  return { values: values as Settings, sources, locked };
}

export interface SettingsFileOptions {
  policy: ManagedPolicy;
  userSettingsFile: string;
  log?(message: string): void;
}

/** The user's settings file plus the policy in force; writes are atomic and refuse locked keys. */
export class DesktopSettings {
  private user: Partial<Settings>;
  private readonly log: (m: string) => void;

  constructor(private readonly opts: SettingsFileOptions) {
    this.log = opts.log ?? ((m) => console.warn(`[settings] ${m}`));
    this.user = this.readUserFile();
  }

  private readUserFile(): Partial<Settings> {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.opts.userSettingsFile, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log(`could not read ${this.opts.userSettingsFile} (${(e as Error).message}); using defaults.`);
      return {};
    }
    const { values, problems } = validSettingsLayer(
      raw,
      'user settings',
      Object.keys(UserSettings.shape) as SettingKey[],
    );
    for (const p of problems) this.log(p.message);
    return values;
  }

  get(): EffectiveSettings {
    return effectiveSettings(this.opts.policy, this.user);
  }

  /**
   * Applies a patch (already validated with `UserSettings`). A locked key fails the whole patch with
   * the key named, so the UI never shows a change that did not happen.
   */
  set(
    patch: UserSettings,
  ): { ok: true; value: EffectiveSettings; changed: SettingKey[] } | { ok: false; field: string; message: string } {
    const locked = this.get().locked;
    for (const key of Object.keys(patch)) {
      if (locked[key])
        return { ok: false, field: key, message: `"${key}" is set by your IT department and cannot be changed here.` };
    }
    const before = this.get().values;
    const next = { ...this.user };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      (next as Record<string, unknown>)[k] = v;
    }
    this.writeUserFile(next);
    this.user = next;
    const after = this.get().values;
    const changed = SETTING_KEYS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    return { ok: true, value: this.get(), changed };
  }

  private writeUserFile(values: Partial<Settings>): void {
    mkdirSync(path.dirname(this.opts.userSettingsFile), { recursive: true });
    const tmp = `${this.opts.userSettingsFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.opts.userSettingsFile);
  }
}
