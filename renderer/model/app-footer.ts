import type { AppInfo } from '#common/index.js';
import { relativeTime } from './relative-time.js';

/**
 * The popover footer: which Klaxon this is and whether it keeps itself up to date, e.g.
 * "Klaxon 0.1.0 · checked for updates 5 min ago". Null when there is no app info (the web UI,
 * which is updated with the server).
 */
export function describeAppFooter(app: AppInfo | null | undefined, now: number): string | null {
  if (!app) return null;
  const name = `Klaxon ${app.version}`;
  const { enabled, lastCheckedAt, message } = app.updates;
  // Turned off (by IT, the user, or the install type): the reason is the whole story.
  if (!enabled) return `${name} · ${message ?? 'Automatic updates are off.'}`;
  const checked = lastCheckedAt
    ? `checked for updates ${relativeTime(lastCheckedAt, now)}`
    : 'not checked for updates yet';
  return message ? `${name} · ${checked} · ${message}` : `${name} · ${checked}`;
}
