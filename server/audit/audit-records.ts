import type { AuditFilter, AuditRecord } from '#common/index.js';
import type { AuditSearch, StoredAuditEntry } from '../store/store.js';

/** An entry as the audit routes show it (common/audit.ts). */
export function auditRecord(e: StoredAuditEntry): AuditRecord {
  return {
    id: String(e.id),
    at: e.at.toISOString(),
    actor: e.actorSub === null ? null : { sub: e.actorSub, name: e.actorName },
    groups: e.actorGroups,
    action: e.action,
    pageId: e.pageId,
    detail: e.detail,
  };
}

/** The contract's filter as the store's search. */
export function auditSearch(f: AuditFilter, limit: number, beforeId?: number): AuditSearch {
  return {
    limit,
    ...(f.person !== undefined ? { person: f.person } : {}),
    ...(f.action !== undefined ? { action: f.action } : {}),
    ...(f.from !== undefined ? { from: new Date(f.from) } : {}),
    ...(f.to !== undefined ? { to: new Date(f.to) } : {}),
    ...(beforeId !== undefined ? { beforeId } : {}),
  };
}
