import type { EscalationReason } from '#common/index.js';
import type { EscalationRecord, EscalationStatus, KlaxonAck } from './store.js';

/**
 * The `klaxon_acks` and `escalations` rows as both stores read and write them, mapped in one place
 * (as `page-row.ts` does for pages); `T` is how the database holds a time (SQLite: epoch
 * milliseconds, PostgreSQL: `Date`).
 */
export interface AckRowOf<T> {
  incident_number: string;
  person_sub: string;
  person_name: string;
  sent_as: string;
  at: T;
}

export interface EscalationRowOf<T> {
  incident_number: string;
  reason: string;
  policy: string;
  policy_name: string;
  as_user: string;
  page_id: string | null;
  requester_sub: string | null;
  requester_name: string | null;
  after_minutes: number | null;
  status: string;
  message: string | null;
  created_at: T;
  updated_at: T;
}

/** The `escalations` columns, in the order `values` gives them. */
export const ESCALATION_COLUMNS =
  'incident_number, reason, policy, policy_name, as_user, page_id, requester_sub, requester_name, after_minutes, status, message, created_at, updated_at';

/**
 * The mapping for one database; `date` turns its time into a `Date`, `time` a `Date` into its time.
 * `values` gives an escalation as the values of `ESCALATION_COLUMNS`.
 */
export function incidentRecordRows<T>(date: (t: T) => Date, time: (d: Date) => T) {
  return {
    ack: (r: AckRowOf<T>): KlaxonAck => ({
      incidentNumber: r.incident_number,
      personSub: r.person_sub,
      personName: r.person_name,
      sentAs: r.sent_as,
      at: date(r.at),
    }),
    escalation: (r: EscalationRowOf<T>): EscalationRecord => ({
      incidentNumber: r.incident_number,
      reason: r.reason as EscalationReason,
      policy: r.policy,
      policyName: r.policy_name,
      asUser: r.as_user,
      pageId: r.page_id,
      requesterSub: r.requester_sub,
      requesterName: r.requester_name,
      afterMinutes: r.after_minutes,
      status: r.status as EscalationStatus,
      message: r.message,
      createdAt: date(r.created_at),
      updatedAt: date(r.updated_at),
    }),
    values: (e: EscalationRecord) => [
      e.incidentNumber,
      e.reason,
      e.policy,
      e.policyName,
      e.asUser,
      e.pageId,
      e.requesterSub,
      e.requesterName,
      e.afterMinutes,
      e.status,
      e.message,
      time(e.createdAt),
      time(e.updatedAt),
    ],
  };
}
