import { IDLE_LINK, type ClientState, type TokenStorage } from './client-state.js';
import type { IncidentSnapshot } from './incident.js';
import { incidentKey } from './incident-key.js';
import type { Page } from './page.js';
import { mergePages } from './page-list.js';
import type { ServerEvent } from './sse.js';

/**
 * How server events change what a client shows. Klaxon desktop's main process and the web UI both
 * fold the same SSE stream with these functions, so the two shells can never disagree.
 */

/** The state a client starts in: signed out, not connected, nothing known yet. */
export function initialClientState(serverUrl: string, storage: TokenStorage): ClientState {
  return {
    serverUrl,
    config: null,
    auth: { status: 'signed-out', message: null },
    link: IDLE_LINK,
    snapshot: null,
    storage,
  };
}

const newestFirst = <T extends { startedAt: string }>(a: T, b: T) => b.startedAt.localeCompare(a.startedAt);

/** Folds an event into the incident snapshot (incidents newest first). */
export function reduceSnapshot(snapshot: IncidentSnapshot | null, e: ServerEvent): IncidentSnapshot | null {
  switch (e.type) {
    case 'snapshot':
      return { ...e.data.incidents, incidents: [...e.data.incidents.incidents].sort(newestFirst) };
    case 'incident': {
      if (!snapshot) return snapshot; // a snapshot always comes first; an orphan change is ignored
      const key = incidentKey(e.data.incident);
      const others = snapshot.incidents.filter((i) => incidentKey(i) !== key);
      const incidents = e.data.change === 'removed' ? others : [e.data.incident, ...others].sort(newestFirst); // ties: the news first
      // A change carries its own freshness: it was just read from On-Call.
      return {
        ...snapshot,
        incidents,
        ...(e.data.fetchedAt ? { fetchedAt: e.data.fetchedAt, ageSeconds: 0, stale: false } : {}),
      };
    }
    case 'heartbeat':
      if (!snapshot) return snapshot;
      return {
        ...snapshot,
        fetchedAt: e.data.fetchedAt,
        ageSeconds: e.data.ageSeconds,
        stale: e.data.stale,
        upstream: e.data.upstream,
      };
    default:
      return snapshot;
  }
}

/** The user's pages, newest first, updated from snapshot and page events (by the rule in page-list.ts). */
export function reducePages(pages: readonly Page[], e: ServerEvent): Page[] {
  if (e.type === 'snapshot') return mergePages([], e.data.pages);
  if (e.type !== 'page') return [...pages];
  return mergePages(pages, [e.data]);
}
