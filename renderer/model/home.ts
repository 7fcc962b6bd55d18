import type { ClientConfig } from '#common/index.js';

/** Minutes of incident history on the home screen: the snapshot's window, else the server's setting, else an hour. */
export function recentWindowMinutes(state: {
  snapshot: { windowMinutes: number } | null;
  config: { recentWindowMinutes: number } | null;
}): number {
  return state.snapshot?.windowMinutes ?? state.config?.recentWindowMinutes ?? 60;
}

/** The groups that may page, for someone who may only look: "ask for membership of: staff or sre". */
export function pageGroupsText(config: Pick<ClientConfig, 'groups'> | null): string {
  return config ? config.groups.page.join(' or ') : '';
}
