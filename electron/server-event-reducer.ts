/** Folds server events into the incident snapshot the badge and UI show (pure, so it is easy to test). */
import type { IncidentSnapshot, Page, ServerEvent } from '../common/index.js';

export function applyServerEvent(snapshot: IncidentSnapshot | null, e: ServerEvent): IncidentSnapshot | null {
  switch (e.type) {
    case 'snapshot':
      return e.data.incidents;
    case 'incident': {
      if (!snapshot) return snapshot; // a snapshot always comes first; an orphan change is ignored
      const others = snapshot.incidents.filter((i) => i.number !== e.data.incident.number);
      const incidents = e.data.change === 'removed' ? others : [...others, e.data.incident].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
      return {
        ...snapshot,
        incidents,
        ...(e.data.fetchedAt ? { fetchedAt: e.data.fetchedAt, ageSeconds: 0, stale: false } : {}),
      };
    }
    case 'heartbeat':
      if (!snapshot) return snapshot;
      return { ...snapshot, fetchedAt: e.data.fetchedAt, ageSeconds: e.data.ageSeconds, stale: e.data.stale, upstream: e.data.upstream };
    default:
      return snapshot;
  }
}

/** The user's pages by id, newest first, updated from snapshot and page events. */
export function applyPageEvent(pages: readonly Page[], e: ServerEvent): Page[] {
  if (e.type === 'snapshot') return [...e.data.pages].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (e.type !== 'page') return [...pages];
  const others = pages.filter((p) => p.id !== e.data.id);
  return [e.data, ...others].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
