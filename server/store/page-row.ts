import { IncidentBackend, type Page, type PageStatus } from '#common/index.js';
import type { PageRecord } from './store.js';

/**
 * A `pages` row as both stores read it; `T` is how the database hands back a time (SQLite: epoch
 * milliseconds, PostgreSQL: `Date`).
 */
export interface PageRowOf<T> {
  id: string;
  requester_sub: string;
  requester_name: string;
  requester_email: string | null;
  summary: string;
  details: string;
  target_id: string;
  target_label: string;
  routing_key: string;
  client: string;
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: T | null;
  gave_up_at: T | null;
  incident_number: string | null;
  acked_by: string | null;
  acked_at: T | null;
  acked_by_name: string | null;
  created_at: T;
  updated_at: T;
  delivered_at: T | null;
  muted_at: T | null;
  unconfirmed_at: T | null;
  /** The paging service (`Page.backend`); null: On-Call, as for every page written before PagerDuty. */
  backend: string | null;
  idempotency_key: string;
  request_hash: string;
}

/** The one mapping of a `pages` row to a page record; `iso` turns the database's time into ISO text. */
export function pageRecordOf<T>(r: PageRowOf<T>, iso: (t: T | null) => string | null): PageRecord {
  const page: Page = {
    id: r.id,
    requester: { sub: r.requester_sub, name: r.requester_name, email: r.requester_email },
    summary: r.summary,
    details: r.details,
    target: { id: r.target_id, label: r.target_label },
    client: r.client as Page['client'],
    status: r.status as PageStatus,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: iso(r.next_attempt_at),
    gaveUpAt: iso(r.gave_up_at),
    incidentNumber: r.incident_number,
    ackedBy: r.acked_by,
    ackedAt: iso(r.acked_at),
    ...(r.acked_by_name ? { ackedByName: r.acked_by_name } : {}),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    deliveredAt: iso(r.delivered_at),
    mutedAt: iso(r.muted_at),
    unconfirmedAt: iso(r.unconfirmed_at),
    ...(r.backend ? { backend: IncidentBackend.parse(r.backend) } : {}),
  };
  return { page, routingKey: r.routing_key, idempotencyKey: r.idempotency_key, requestHash: r.request_hash };
}
