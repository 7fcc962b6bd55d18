import type { AuditEntry } from './store.js';
import type { Viewer } from '../auth/viewer.js';

/**
 * Who did what, kept in the store next to the pages (an operator can answer "who paged at 03:12,
 * and from where?"). Never holds tokens; request details are limited to the client kind and IP.
 */
export function auditEntry(
  action: string,
  viewer: (Pick<Viewer, 'sub' | 'name'> & { groups?: readonly string[] }) | null,
  detail: Record<string, unknown> = {},
  pageId: string | null = null,
): AuditEntry {
  return {
    at: new Date(),
    actorSub: viewer?.sub ?? null,
    actorName: viewer?.name ?? null,
    // What the person's groups were when they acted: the access review shows them next to the use.
    actorGroups: viewer?.groups ? [...viewer.groups] : null,
    action,
    pageId,
    detail,
  };
}
