import { z } from 'zod';
import { IsoTime } from './text.js';

/**
 * The audit log as auditors read it (`/api/v1/audit…`, the web UI's Audit view) and the
 * access-review report. The server writes the entries (server/store/audit-entry.ts); this is what
 * it shows of them.
 */

/** The actions that use Klaxon's powers, as the access review counts them, with the word it shows. */
export const POWER_ACTIONS = {
  'page.accepted': 'paged',
  'incident.acknowledged': 'acknowledged',
  'incident.escalated': 'escalated',
} as const;
export type PowerAction = keyof typeof POWER_ACTIONS;
export type PowerUse = (typeof POWER_ACTIONS)[PowerAction];

/** Every action the server writes, for the filter's choices (a filter may still name any action). */
export const AUDIT_ACTIONS = [
  'page.accepted',
  'page.delivered',
  'page.gave_up',
  'page.unconfirmed',
  'incident.acknowledged',
  'incident.escalated',
] as const;

export const AUDIT_PAGE_MAX = 500;
export const AUDIT_PAGE_DEFAULT = 50;

/** Query-string text: an empty parameter (`?person=`) means "not filtered". */
const optionalText = (field: string, max: number) =>
  z
    .string()
    .max(max, `${field} must be at most ${max} characters`)
    .optional()
    .transform((s) => (s && s.trim() ? s.trim() : undefined));
const optionalTime = (field: string) =>
  z
    .string()
    .optional()
    .transform((s) => (s ? s : undefined))
    .pipe(
      z
        .string()
        .datetime({ offset: true, message: `${field} must be an ISO-8601 timestamp such as 2026-01-31T00:00:00Z` })
        .optional(),
    );

/** What an auditor filters by; every filter is optional, and they combine (AND). */
export const AuditFilter = z
  .object({
    /** A person: their exact subject, or part of their name (any case). */
    person: optionalText('person', 200),
    /** One action, exactly (`page.accepted`). */
    action: optionalText('action', 64),
    /** Entries at or after this time. */
    from: optionalTime('from'),
    /** Entries before this time. */
    to: optionalTime('to'),
  })
  .strict();
export type AuditFilter = z.output<typeof AuditFilter>;

/** `GET /api/v1/audit`: a filter plus where this page of entries starts (newest first). */
export const AuditQuery = AuditFilter.extend({
  limit: z.coerce
    .number()
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(AUDIT_PAGE_MAX, `limit must be at most ${AUDIT_PAGE_MAX}`)
    .default(AUDIT_PAGE_DEFAULT),
  /** `nextCursor` of the previous page; absent: the newest entries. */
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'cursor must be the nextCursor of an earlier answer')
    .optional(),
}).strict();
/** What a client sends (the query string's values; `limit` is coerced from text by the server). */
export type AuditQuery = Omit<z.input<typeof AuditQuery>, 'limit'> & { limit?: number };

/** `GET /api/v1/audit/export`: the same filter, every matching entry, as CSV or JSON. */
export const AuditExportQuery = AuditFilter.extend({
  format: z.enum(['csv', 'json'], { message: 'format must be csv or json' }).default('csv'),
}).strict();

export const AuditRecord = z
  .object({
    id: z.string(),
    at: IsoTime,
    /** Who did it; null for what the server did by itself (a delivery, a give-up). */
    actor: z.object({ sub: z.string(), name: z.string().nullable() }).strict().nullable(),
    /** The groups on the person's token or session when they did it; null when not recorded. */
    groups: z.array(z.string()).nullable(),
    action: z.string(),
    pageId: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  })
  .strict();
export type AuditRecord = z.infer<typeof AuditRecord>;

export const AuditLogPage = z
  .object({
    entries: z.array(AuditRecord),
    /** Pass as `cursor` for the next (older) entries; null: there are no more. */
    nextCursor: z.string().nullable(),
    /** How long entries are kept (`audit.retentionDays`): nothing older can be shown. */
    retentionDays: z.number().int().positive(),
  })
  .strict();
export type AuditLogPage = z.infer<typeof AuditLogPage>;

/** `GET /api/v1/audit/access-review?months=N`. */
export const AccessReviewQuery = z
  .object({
    months: z.coerce
      .number()
      .int('months must be a whole number')
      .min(1, 'months must be at least 1')
      .max(120, 'months must be at most 120')
      .default(6),
  })
  .strict();

export const AccessReviewPerson = z
  .object({
    sub: z.string(),
    name: z.string().nullable(),
    /** The groups on their token or session at their last use; null when that entry recorded none. */
    groups: z.array(z.string()).nullable(),
    lastUsedAt: IsoTime,
    lastUse: z.enum(['paged', 'acknowledged', 'escalated']),
    uses: z.object({ paged: z.number(), acknowledged: z.number(), escalated: z.number() }).strict(),
    /** No use in the last `months` months: a candidate for removal from the groups. */
    inactive: z.boolean(),
  })
  .strict();
export type AccessReviewPerson = z.infer<typeof AccessReviewPerson>;

export const AccessReview = z
  .object({
    generatedAt: IsoTime,
    months: z.number().int().positive(),
    /** People whose last use is before this time are `inactive`. */
    inactiveBefore: IsoTime,
    retentionDays: z.number().int().positive(),
    /** Everyone with a use still in the log, most recent use first. */
    people: z.array(AccessReviewPerson),
  })
  .strict();
export type AccessReview = z.infer<typeof AccessReview>;
