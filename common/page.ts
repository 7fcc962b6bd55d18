import { z } from 'zod/mini';
import { IncidentBackend } from './incident-key.js';
import { IsoTime, multiLineText, singleLineText } from './text.js';

export const SUMMARY_MAX = 120;
export const DETAILS_MAX = 4000;

/** Client-generated, so a retried request never makes a second page. */
export const IdempotencyKey = z
  .string({ error: 'idempotencyKey must be text' })
  .check(z.regex(/^[A-Za-z0-9_-]{16,128}$/, 'idempotencyKey must be 16-128 letters, digits, "-" or "_"'));

/** What a person submits when they page SRE. Unknown keys are refused. */
export const PageRequest = z.strictObject({
  summary: singleLineText('summary', 1, SUMMARY_MAX),
  details: z._default(multiLineText('details', DETAILS_MAX), ''),
  /** Id of one of the server's configured page targets; omitted = the default target. */
  target: z.optional(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'target must be a configured target id'))),
  idempotencyKey: IdempotencyKey,
});
export type PageRequest = z.input<typeof PageRequest>;
export type ValidPageRequest = z.output<typeof PageRequest>;

export const PageStatus = z.enum(['queued', 'delivering', 'delivered', 'failing', 'acknowledged', 'resolved']);
export type PageStatus = z.infer<typeof PageStatus>;

export const Person = z.strictObject({ sub: z.string(), name: z.string(), email: z.nullable(z.string()) });
export type Person = z.infer<typeof Person>;

export const ClientKind = z.enum(['desktop', 'web', 'api']);
export type ClientKind = z.infer<typeof ClientKind>;

/** A page as the server tracks it, from the outbox to acknowledgement. */
export const Page = z.strictObject({
  id: z.uuid(),
  requester: Person,
  summary: z.string(),
  details: z.string(),
  target: z.strictObject({ id: z.string(), label: z.string() }),
  client: ClientKind,
  status: PageStatus,
  attempts: z.int().check(z.nonnegative()),
  /** Plain-language reason of the last failed attempt; null once delivered. */
  lastError: z.nullable(z.string()),
  /** When the next delivery attempt is due (while queued/failing). */
  nextAttemptAt: z.nullable(IsoTime),
  /** Set when delivery has stopped retrying; an operator must act (status stays `failing`). */
  gaveUpAt: z.nullable(IsoTime),
  incidentNumber: z.nullable(z.string()),
  /** The paging service the page goes to (its target's), where its incident lives; absent: On-Call. */
  backend: z.optional(IncidentBackend),
  ackedBy: z.nullable(z.string()),
  ackedAt: z.nullable(IsoTime),
  /** Who acknowledged, as people read it (see `Incident.ackedByName`); absent or null: `ackedBy`. */
  ackedByName: z.optional(z.nullable(z.string())),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  deliveredAt: z.nullable(IsoTime),
  /**
   * Set while the page's incident pages nobody because paging is muted for its target (maintenance
   * mode): when the server noticed. Cleared once someone is paged. Absent from older servers.
   */
  mutedAt: z.optional(z.nullable(IsoTime)),
  /**
   * Set while a delivered page's incident has not appeared within the server's
   * `delivery.unconfirmedAfterSeconds` (it may have been rewritten or dropped); cleared when it appears.
   */
  unconfirmedAt: z.optional(z.nullable(IsoTime)),
});
export type Page = z.infer<typeof Page>;

/** The REST `entity_id` used for a page: stable across retries, so On-Call rolls retries into one incident. */
export const pageEntityId = (pageId: string): string => `klaxon/${pageId}`;
