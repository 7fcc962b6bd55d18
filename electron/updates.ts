/**
 * Auto-update decisions, without Electron: whether this installation may update itself, from which
 * feed and channel, when to check next, and what to tell the user. `electron/shell/updates.ts` is the
 * thin electron-updater adapter that carries these decisions out.
 *
 * Rules (docs/it-deployment.md, "5. Control updates"):
 * - `autoUpdate: false` (policy or user) turns checks off entirely.
 * - A per-machine install (MSI under Program Files) and a deb/rpm install are updated by whoever
 *   installed them (IT's software distribution, the package manager), never by the app itself: the
 *   user has no right to write there, and a per-user NSIS update would install a second copy.
 * - The feed is the managed `updateFeedUrl` when set, otherwise the one built into the installer
 *   (`app-update.yml`, from KLAXON_UPDATE_URL at build time). Only https feeds are accepted.
 * - Signature verification is never switched off (the adapter never touches it).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppInfo, EffectiveSettings } from '#common/index.js';

type UpdateChannel = 'latest' | 'beta';

export type InstallKind =
  'development' | 'windows-per-user' | 'windows-per-machine' | 'macos-app' | 'linux-appimage' | 'linux-package';

/** First check shortly after start (not during start-up), then every few hours. */
export const FIRST_CHECK_DELAY_MS = 30_000;
export const CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000;

export interface UpdatePlan {
  enabled: boolean;
  /** Shown in Settings under the version; why updates are off or where they come from. */
  reason: string;
  channel: UpdateChannel;
  /** Feed to set with setFeedURL; null: the feed built into the installer (app-update.yml). */
  feedUrl: string | null;
  allowPrerelease: boolean;
  /** Keep false: a pinned channel must not roll a machine back to an older version. */
  allowDowngrade: false;
  autoDownload: boolean;
  checkIntervalMs: number;
}

export interface InstallFacts {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  /** Path of the running executable (Electron: app.getPath('exe')). */
  exePath: string;
  env: Record<string, string | undefined>;
}

/** Where this copy of Klaxon came from, which decides who may update it. */
export function detectInstallKind(f: InstallFacts): InstallKind {
  if (!f.isPackaged) return 'development';
  if (f.platform === 'win32') {
    const exe = f.exePath.toLowerCase().replace(/\//g, '\\');
    const machineDirs = [f.env.ProgramFiles, f.env.ProgramW6432, f.env['ProgramFiles(x86)']]
      .filter((d): d is string => typeof d === 'string' && d.length > 0)
      .map((d) => `${d.toLowerCase().replace(/\//g, '\\').replace(/\\+$/, '')}\\`);
    return machineDirs.some((d) => exe.startsWith(d)) ? 'windows-per-machine' : 'windows-per-user';
  }
  if (f.platform === 'darwin') return 'macos-app';
  if (f.platform === 'linux') return f.env.APPIMAGE ? 'linux-appimage' : 'linux-package';
  return 'development';
}

const NOT_SELF_UPDATING: Partial<Record<InstallKind, string>> = {
  development: 'Updates are not checked in a development build.',
  'windows-per-machine':
    'Klaxon is installed for all users of this computer; your IT department installs new versions.',
  'linux-package': 'Klaxon was installed from a .deb or .rpm package; new versions come through your package manager.',
};

export function planUpdates(settings: EffectiveSettings, install: InstallKind): UpdatePlan {
  const { autoUpdate, updateChannel, updateFeedUrl } = settings.values;
  const channel: UpdateChannel = updateChannel;
  const base = {
    channel,
    allowPrerelease: channel === 'beta',
    allowDowngrade: false as const,
    checkIntervalMs: CHECK_INTERVAL_MS,
  };
  const off = (reason: string): UpdatePlan => ({ ...base, enabled: false, reason, feedUrl: null, autoDownload: false });

  if (!autoUpdate) {
    return off(
      settings.sources.autoUpdate === 'policy'
        ? 'Automatic updates are turned off by your IT department.'
        : 'Automatic updates are turned off in Settings.',
    );
  }
  const notSelf = NOT_SELF_UPDATING[install];
  if (notSelf) return off(notSelf);

  // The schema already refuses non-https feeds; checked again because this decides what code runs.
  const feedUrl = updateFeedUrl !== null && updateFeedUrl.startsWith('https://') ? updateFeedUrl : null;
  const from = feedUrl
    ? settings.sources.updateFeedUrl === 'policy'
      ? 'the update server set by your IT department'
      : feedUrl
    : 'the Klaxon update server';
  const channelText = channel === 'beta' ? 'beta releases' : 'stable releases';
  const pinned = settings.sources.updateChannel === 'policy' ? ' (channel set by your IT department)' : '';
  return { ...base, enabled: true, reason: `Checks ${from} for ${channelText}${pinned}.`, feedUrl, autoDownload: true };
}

/** Milliseconds until the next check, given when the last one happened (persisted across restarts). */
export function nextCheckDelayMs(
  lastCheckAt: Date | null,
  now: Date,
  plan: Pick<UpdatePlan, 'checkIntervalMs'>,
): number {
  if (lastCheckAt === null || Number.isNaN(lastCheckAt.getTime())) return FIRST_CHECK_DELAY_MS;
  const due = lastCheckAt.getTime() + plan.checkIntervalMs - now.getTime();
  // A clock moved backwards (last check "in the future") counts as due, not as a check far away.
  if (lastCheckAt.getTime() > now.getTime()) return FIRST_CHECK_DELAY_MS;
  return Math.max(FIRST_CHECK_DELAY_MS, due);
}

// ---------------------------------------------------------------------------------------------
// Status shown to the user: the running version, when Klaxon last checked, and what happened.

type UpdateState =
  'disabled' | 'idle' | 'checking' | 'up-to-date' | 'available' | 'downloading' | 'downloaded' | 'error';

export interface UpdateStatus {
  currentVersion: string;
  state: UpdateState;
  channel: UpdateChannel;
  /** ISO time of the last completed check (success or failure), null if never. */
  lastCheckAt: string | null;
  availableVersion: string | null;
  progressPercent: number | null;
  /** One sentence for the user: what happened and, for problems, what to do next. */
  message: string;
}

export type UpdateEvent =
  | { type: 'checking' }
  | { type: 'not-available'; at: Date }
  | { type: 'available'; version: string; at: Date }
  | { type: 'progress'; percent: number }
  | { type: 'downloaded'; version: string }
  | { type: 'error'; message: string; at: Date };

export function initialUpdateStatus(currentVersion: string, plan: UpdatePlan, lastCheckAt: Date | null): UpdateStatus {
  return {
    currentVersion,
    state: plan.enabled ? 'idle' : 'disabled',
    channel: plan.channel,
    lastCheckAt: lastCheckAt ? lastCheckAt.toISOString() : null,
    availableVersion: null,
    progressPercent: null,
    message: plan.reason,
  };
}

/** Folds one electron-updater event into the status. */
export function applyUpdateEvent(
  s: UpdateStatus,
  e: UpdateEvent,
  plan: Pick<UpdatePlan, 'checkIntervalMs'>,
): UpdateStatus {
  switch (e.type) {
    case 'checking':
      return { ...s, state: 'checking', message: 'Checking for updates…' };
    case 'not-available':
      return {
        ...s,
        state: 'up-to-date',
        lastCheckAt: e.at.toISOString(),
        availableVersion: null,
        progressPercent: null,
        message: `Klaxon ${s.currentVersion} is the latest version.`,
      };
    case 'available':
      return {
        ...s,
        state: 'available',
        lastCheckAt: e.at.toISOString(),
        availableVersion: e.version,
        progressPercent: 0,
        message: `Klaxon ${e.version} is available and is being downloaded.`,
      };
    case 'progress':
      return {
        ...s,
        state: 'downloading',
        progressPercent: Math.max(0, Math.min(100, Math.round(e.percent))),
        message: `Downloading Klaxon ${s.availableVersion ?? 'update'}…`,
      };
    case 'downloaded':
      return {
        ...s,
        state: 'downloaded',
        availableVersion: e.version,
        progressPercent: 100,
        message: `Klaxon ${e.version} is ready and will be installed when you quit Klaxon.`,
      };
    case 'error': {
      const hours = Math.round(plan.checkIntervalMs / 3_600_000);
      return {
        ...s,
        state: 'error',
        lastCheckAt: e.at.toISOString(),
        progressPercent: null,
        message: `Could not check for updates (${oneLine(e.message)}). Klaxon tries again in ${hours} hour${hours === 1 ? '' : 's'}; if this keeps happening, tell your IT department.`,
      };
    }
  }
}

/** The status as the popover footer shows it (`ClientState.app`). */
export function appInfoFromUpdateStatus(s: UpdateStatus): AppInfo {
  return {
    version: s.currentVersion,
    updates: { enabled: s.state !== 'disabled', lastCheckedAt: s.lastCheckAt, message: s.message },
  };
}

function oneLine(msg: string): string {
  const first = msg.split('\n')[0]?.trim() ?? '';
  return first.length > 160 ? `${first.slice(0, 157)}…` : first || 'unknown error';
}

// ---------------------------------------------------------------------------------------------
// Last-check time, kept in the user's profile so a restart does not trigger a check every time.

export interface UpdateStateFile {
  read(): Date | null;
  write(at: Date): void;
}

export function updateStateFile(file: string): UpdateStateFile {
  return {
    read() {
      try {
        const raw = JSON.parse(readFileSync(file, 'utf8')) as { lastCheckAt?: unknown };
        if (typeof raw.lastCheckAt !== 'string') return null;
        const d = new Date(raw.lastCheckAt);
        return Number.isNaN(d.getTime()) ? null : d;
      } catch {
        return null; // missing or damaged: behave as if never checked
      }
    },
    write(at) {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ lastCheckAt: at.toISOString() })}\n`);
      renameSync(tmp, file);
    },
  };
}
