/**
 * Thin electron-updater adapter: carries out the plan of `electron/updates.ts` (who may
 * update, which feed and channel, when to check) and reports the status (running version, last check,
 * progress, problems) through `onStatus`.
 *
 * Signature checks stay on: this file never touches `verifyUpdateCodeSignature` (Windows: the
 * publisher in app-update.yml must match the update's Authenticode signature; macOS: Squirrel.Mac
 * checks the Developer ID signature).
 *
 *   const updates = startAutoUpdates(effectiveSettings, (status) => pushToUi(status));
 *   // settings changed: updates.applySettings(next); quitting: updates.stop();
 *
 * `startUpdater(settings, log, onStatus)` is the shorter entry the app shell (klaxon-app.ts) calls:
 * the same updater, status written to the log and handed to `onStatus` (the shell turns it into
 * `ClientState.app` with `appInfoFromUpdateStatus`).
 */
import { app } from 'electron';
import electronUpdater, { type AppUpdater, type ProgressInfo, type UpdateInfo } from 'electron-updater';
import path from 'node:path';
import {
  DEFAULT_SETTINGS,
  SETTING_KEYS,
  type EffectiveSettings,
  type Settings,
  type SettingSource,
} from '#common/index.js';
import {
  applyUpdateEvent,
  detectInstallKind,
  initialUpdateStatus,
  nextCheckDelayMs,
  planUpdates,
  updateStateFile,
  type InstallKind,
  type UpdateEvent,
  type UpdatePlan,
  type UpdateStatus,
} from '../updates.js';

export type { UpdateStatus } from '../updates.js';

export interface AutoUpdates {
  status(): UpdateStatus;
  /** "Check now" in Settings; resolves when the check has finished (errors end up in the status). */
  checkNow(): Promise<void>;
  /** New effective settings (policy re-read or user change). A different feed URL applies after a restart. */
  applySettings(settings: EffectiveSettings): void;
  stop(): void;
}

export function startAutoUpdates(settings: EffectiveSettings, onStatus: (status: UpdateStatus) => void): AutoUpdates {
  const install: InstallKind = detectInstallKind({
    platform: process.platform,
    isPackaged: app.isPackaged,
    exePath: app.getPath('exe'),
    env: process.env,
  });
  const stateFile = updateStateFile(path.join(app.getPath('userData'), 'update-state.json'));
  let plan: UpdatePlan = planUpdates(settings, install);
  let status = initialUpdateStatus(app.getVersion(), plan, stateFile.read());
  let timer: NodeJS.Timeout | null = null;
  let updater: AppUpdater | null = null;
  let feedSet = false;
  let stopped = false;

  const emit = (e: UpdateEvent): void => {
    status = applyUpdateEvent(status, e, plan);
    if (e.type === 'not-available' || e.type === 'available' || e.type === 'error') {
      try {
        stateFile.write(e.at);
      } catch {
        /* the status still carries the time; the next start checks early */
      }
    }
    onStatus(status);
  };

  // electron-updater creates its platform updater on first access, so only touch it when enabled.
  const ensureUpdater = (): AppUpdater => {
    if (updater) return updater;
    const u = electronUpdater.autoUpdater;
    u.on('checking-for-update', () => emit({ type: 'checking' }));
    u.on('update-not-available', () => emit({ type: 'not-available', at: new Date() }));
    u.on('update-available', (info: UpdateInfo) => emit({ type: 'available', version: info.version, at: new Date() }));
    u.on('download-progress', (p: ProgressInfo) => emit({ type: 'progress', percent: p.percent }));
    u.on('update-downloaded', (info: UpdateInfo) => emit({ type: 'downloaded', version: info.version }));
    u.on('error', (err: Error) => emit({ type: 'error', message: err.message, at: new Date() }));
    updater = u;
    return u;
  };

  const configure = (u: AppUpdater): void => {
    u.autoDownload = plan.autoDownload;
    u.autoInstallOnAppQuit = true;
    u.allowPrerelease = plan.allowPrerelease;
    u.channel = plan.channel;
    // Setting the channel turns allowDowngrade on; a pinned channel must not roll machines back.
    u.allowDowngrade = plan.allowDowngrade;
    if (plan.feedUrl && !feedSet) {
      u.setFeedURL({ provider: 'generic', url: plan.feedUrl, channel: plan.channel });
      feedSet = true;
    }
  };

  const check = async (): Promise<void> => {
    if (!plan.enabled || stopped) return;
    const u = ensureUpdater();
    configure(u);
    try {
      await u.checkForUpdates();
    } catch (err) {
      // Usually already reported through the 'error' event; make sure the user sees something.
      if (status.state !== 'error') emit({ type: 'error', message: (err as Error).message, at: new Date() });
    }
  };

  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!plan.enabled || stopped) return;
    const last = status.lastCheckAt ? new Date(status.lastCheckAt) : null;
    timer = setTimeout(
      () => {
        void check().finally(schedule);
      },
      nextCheckDelayMs(last, new Date(), plan),
    );
    timer.unref?.();
  };

  onStatus(status);
  schedule();

  return {
    status: () => status,
    checkNow: async () => {
      await check();
      schedule();
    },
    applySettings(next) {
      const before = plan;
      plan = planUpdates(next, install);
      if (plan.enabled !== before.enabled || plan.reason !== before.reason) {
        status = plan.enabled
          ? {
              ...status,
              state: status.state === 'disabled' ? 'idle' : status.state,
              channel: plan.channel,
              message: plan.reason,
            }
          : { ...status, state: 'disabled', channel: plan.channel, message: plan.reason };
        onStatus(status);
      }
      if (updater && plan.enabled) configure(updater);
      schedule();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

let running: AutoUpdates | null = null;
let statusListener: ((status: UpdateStatus) => void) | null = null;

/**
 * Starts the updater on the first call and re-applies settings on later calls (the app shell calls it
 * at start and whenever an update setting changes). Pass the EffectiveSettings where available, so
 * the status can say whether IT or the user turned updates off; bare values count as the user's.
 */
export function startUpdater(
  settings: EffectiveSettings | Partial<Settings>,
  log: (m: string) => void,
  onStatus?: (status: UpdateStatus) => void,
): AutoUpdates {
  const effective =
    'values' in settings && 'sources' in settings
      ? (settings as EffectiveSettings)
      : fromValues(settings as Partial<Settings>);
  if (onStatus) statusListener = onStatus;
  if (running) {
    if (onStatus) onStatus(running.status()); // a new listener hears the current status at once
    running.applySettings(effective);
    return running;
  }
  let lastLogged = '';
  running = startAutoUpdates(effective, (s) => {
    const line = `updates: ${s.state} (Klaxon ${s.currentVersion}, last check ${s.lastCheckAt ?? 'never'}): ${s.message}`;
    if (s.state !== 'downloading' && line !== lastLogged) log(line);
    lastLogged = line;
    statusListener?.(s);
  });
  return running;
}

function fromValues(values: Partial<Settings>): EffectiveSettings {
  const sources: Record<string, SettingSource> = {};
  for (const k of SETTING_KEYS) sources[k] = values[k] === undefined ? 'default' : 'user';
  return { values: { ...DEFAULT_SETTINGS, ...values }, sources, locked: {} };
}
