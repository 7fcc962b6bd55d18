/**
 * Where Klaxon connects: the Klaxon server, the sign-in provider and the sign-in client id. Every
 * refreshed token goes to that server and every sign-in to that provider, and the server's
 * configuration decides which links Klaxon opens (external-links.ts). A script running in the
 * window could send `settings:set` itself, so a change of these needs a decision the window
 * cannot make: the person's click in a native dialog of the main process (shell/server-change.ts).
 * IT can lock all three by policy (docs/it-deployment.md §4).
 */
import type { Settings, UserSettings } from '#common/index.js';

export const SERVER_KEYS = ['serverUrl', 'issuer', 'clientId'] as const;
export type ServerKey = (typeof SERVER_KEYS)[number];

export interface ServerChange {
  key: ServerKey;
  /** null: the value the Klaxon server advertises (issuer, client id). */
  from: string | null;
  to: string | null;
}

/** Asks the person whether Klaxon may connect as these changes say; true only for "Connect". */
export type ConfirmServerChange = (changes: readonly ServerChange[]) => Promise<boolean>;

export const SERVER_CHANGE_NOT_CONFIRMED =
  'Klaxon did not change where it connects: the change was not confirmed in Klaxon’s own dialog. Change the server in Settings and choose Connect when Klaxon asks.';

/** The connection settings a patch really changes (the same value again is no change). */
export function serverChangesIn(patch: UserSettings, current: Settings): ServerChange[] {
  const changes: ServerChange[] = [];
  for (const key of SERVER_KEYS) {
    const to = patch[key];
    if (to === undefined || to === current[key]) continue;
    changes.push({ key, from: current[key], to });
  }
  return changes;
}

/** What the dialog says; `buttons[connectId]` is the only answer that applies the change. */
export interface ServerChangePrompt {
  title: string;
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
  connectId: number;
}

const SERVERS_OWN = 'the one the Klaxon server names';
const LABELS: Record<ServerKey, string> = {
  serverUrl: 'Klaxon server',
  issuer: 'Sign-in provider',
  clientId: 'Sign-in client id',
};

/** A URL as the person should check it: scheme, host and port, nothing that could hide the host. */
function shown(key: ServerKey, value: string | null): string {
  if (value === null) return SERVERS_OWN;
  if (key === 'clientId') return value;
  return URL.parse(value)?.origin ?? value;
}

export function serverChangePrompt(changes: readonly ServerChange[]): ServerChangePrompt {
  const server = changes.find((c) => c.key === 'serverUrl');
  const issuer = changes.find((c) => c.key === 'issuer');
  const host = (v: string | null) => (v === null ? null : (URL.parse(v)?.host ?? v));
  const message = server
    ? `Connect Klaxon to ${host(server.to)}?`
    : issuer?.to
      ? `Sign in to Klaxon with ${host(issuer.to)}?`
      : issuer
        ? 'Sign in to Klaxon with the provider the Klaxon server names?'
        : 'Sign in to Klaxon with a different client id?';
  const lines = changes.map((c) => `• ${LABELS[c.key]}: ${shown(c.key, c.to)} (now ${shown(c.key, c.from)})`);
  const detail = [
    'Klaxon will send your sign-in there from now on:',
    ...lines,
    '',
    'Only connect if you changed this yourself in Klaxon’s settings just now. If you did not, choose Cancel and tell your IT department.',
  ].join('\n');
  return {
    title: 'Change where Klaxon connects',
    message,
    detail,
    // Cancel first and the default: Enter or Escape never connects.
    buttons: ['Cancel', 'Connect'],
    defaultId: 0,
    cancelId: 0,
    connectId: 1,
  };
}
