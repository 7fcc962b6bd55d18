import type { Page } from './page.js';

/**
 * The one rule for a client's list of the user's pages: the newest version of each page (by
 * `updatedAt`), newest page first. Versions arrive from several places (page events, the snapshot,
 * a refetch of "my pages", the answer to Send) in no guaranteed order, so an older version that
 * arrives late must not replace a newer one.
 */
export function mergePages(current: readonly Page[], incoming: readonly Page[]): Page[] {
  const byId = new Map(current.map((p) => [p.id, p]));
  for (const p of incoming) {
    const old = byId.get(p.id);
    if (!old || Date.parse(p.updatedAt) >= Date.parse(old.updatedAt)) byId.set(p.id, p);
  }
  return [...byId.values()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}
