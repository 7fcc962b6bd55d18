import { z } from 'zod/mini';
import { IsoTime } from './text.js';

/**
 * The audit log as auditors read it (`/api/v1/audit…`, the web UI's Audit view) and the
 * access-review report. The server writes the entries (server/store/audit-entry.ts); this is what
 * it shows of them.
 */

/** The actions that use Klaxon's powers, as the access review counts them, with the word it shows. */
export const POWER_ACTIONS = {
  'page.accepted': 'paged',
  // An acknowledgement made through Klaxon (server/app.ts, recordAck).
  'incident.acknowledge': 'acknowledged',
  // "Escalate now" asked by a person (server/escalation/rerouter.ts); the escalate-unpaged job acts as nobody.
  'escalation.claimed': 'escalated',
} as const;
export type PowerAction = keyof typeof POWER_ACTIONS;
export type PowerUse = (typeof POWER_ACTIONS)[PowerAction];

/** Every action the server writes, for the filter's choices (a filter may still name any action). */
export const AUDIT_ACTIONS = [
  'page.accepted',
  'page.delivered',
  'page.gave_up',
  'page.unconfirmed',
  'incident.acknowledge',
  'escalation.claimed',
  'escalation.done',
  'escalation.refused',
  'escalation.failed',
  'escalation.released',
  'escalation.dry_run',
] as const;

export const AUDIT_PAGE_MAX = 500;
export const AUDIT_PAGE_DEFAULT = 50;

/** Query-string text: an empty parameter (`?person=`) means "not filtered". */
const optionalText = (field: string, max: number) =>
  z.pipe(
    z.optional(z.string().check(z.maxLength(max, `${field} must be at most ${max} characters`))),
    z.transform((s: string | undefined) => (s && s.trim() ? s.trim() : undefined)),
  );
const optionalTime = (field: string) =>
  z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((s: string | undefined) => s || undefined),
    ),
    z.optional(
      z.iso.datetime({ offset: true, error: `${field} must be an ISO-8601 timestamp such as 2026-01-31T00:00:00Z` }),
    ),
  );
/** A whole number given as query-string text, `min`..`max`, `fallback` when absent. */
const wholeNumber = (field: string, min: number, max: number, fallback: number) =>
  z._default(
    z.pipe(
      z.pipe(
        z.string().check(z.regex(/^\d{1,9}$/, `${field} must be a whole number`)),
        z.transform((s: string) => Number(s)),
      ),
      z
        .number()
        .check(z.minimum(min, `${field} must be at least ${min}`), z.maximum(max, `${field} must be at most ${max}`)),
    ),
    fallback,
  );

const filterShape = {
  /** A person: their exact subject, or part of their name (any case). */
  person: optionalText('person', 200),
  /** One action, exactly (`page.accepted`). */
  action: optionalText('action', 64),
  /** Entries at or after this time. */
  from: optionalTime('from'),
  /** Entries before this time. */
  to: optionalTime('to'),
};

/** What an auditor filters by; every filter is optional, and they combine (AND). */
export const AuditFilter = z.strictObject(filterShape);
export type AuditFilter = z.output<typeof AuditFilter>;

/** `GET /api/v1/audit`: a filter plus where this page of entries starts (newest first). */
export const AuditQuery = z.strictObject({
  ...filterShape,
  limit: wholeNumber('limit', 1, AUDIT_PAGE_MAX, AUDIT_PAGE_DEFAULT),
  /** `nextCursor` of the previous page; absent: the newest entries. */
  cursor: z.optional(z.string().check(z.regex(/^\d{1,15}$/, 'cursor must be the nextCursor of an earlier answer'))),
});
/** What a client sends (the query string's values; `limit` is sent as text and checked by the server). */
export type AuditQuery = Omit<z.input<typeof AuditQuery>, 'limit'> & { limit?: number };

/** `GET /api/v1/audit/export`: the same filter, every matching entry, as CSV or JSON. */
export const AuditExportQuery = z.strictObject({
  ...filterShape,
  format: z._default(z.enum(['csv', 'json'], { error: 'format must be csv or json' }), 'csv'),
});

export const AuditRecord = z.strictObject({
  id: z.string(),
  at: IsoTime,
  /** Who did it; null for what the server did by itself (a delivery, a give-up). */
  actor: z.nullable(z.strictObject({ sub: z.string(), name: z.nullable(z.string()) })),
  /** The groups on the person's token or session when they did it; null when not recorded. */
  groups: z.nullable(z.array(z.string())),
  action: z.string(),
  pageId: z.nullable(z.string()),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const AuditLogPage = z.strictObject({
  entries: z.array(AuditRecord),
  /** Pass as `cursor` for the next (older) entries; null: there are no more. */
  nextCursor: z.nullable(z.string()),
  /** How long entries are kept (`audit.retentionDays`): nothing older can be shown. */
  retentionDays: z.int().check(z.positive()),
});
export type AuditLogPage = z.infer<typeof AuditLogPage>;

/** `GET /api/v1/audit/access-review?months=N`. */
export const AccessReviewQuery = z.strictObject({ months: wholeNumber('months', 1, 120, 6) });

export const AccessReviewPerson = z.strictObject({
  sub: z.string(),
  name: z.nullable(z.string()),
  /** The groups on their token or session at their last use; null when that entry recorded none. */
  groups: z.nullable(z.array(z.string())),
  lastUsedAt: IsoTime,
  lastUse: z.enum(['paged', 'acknowledged', 'escalated']),
  uses: z.strictObject({ paged: z.number(), acknowledged: z.number(), escalated: z.number() }),
  /** No use in the last `months` months: a candidate for removal from the groups. */
  inactive: z.boolean(),
});
export type AccessReviewPerson = z.infer<typeof AccessReviewPerson>;

export const AccessReview = z.strictObject({
  generatedAt: IsoTime,
  months: z.int().check(z.positive()),
  /** People whose last use is before this time are `inactive`. */
  inactiveBefore: IsoTime,
  retentionDays: z.int().check(z.positive()),
  /** Everyone with a use still in the log, most recent use first. */
  people: z.array(AccessReviewPerson),
});
export type AccessReview = z.infer<typeof AccessReview>;
