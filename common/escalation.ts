import { z } from 'zod/mini';
import { IsoTime } from './text.js';

/**
 * Klaxon's own escalations: an incident sent on to the server's fallback escalation policy because
 * nobody was being paged for it, because a page made in Klaxon stayed unacknowledged, or because
 * the person who paged asked for it ("Escalate now").
 */
export const EscalationReason = z.enum(['nobody_paged', 'page_unacknowledged', 'requested']);
export type EscalationReason = z.infer<typeof EscalationReason>;

/** What Klaxon did to an incident, shown on it in every client. */
export const IncidentEscalation = z.strictObject({
  /** The escalation policy's name as the paging service shows it (its id when the name is unknown). */
  to: z.string(),
  at: IsoTime,
  reason: EscalationReason,
  /** Who asked (`requested`); the minutes a page waited (`page_unacknowledged`) are in `afterMinutes`. */
  requestedBy: z.nullable(z.string()),
  afterMinutes: z.nullable(z.number().check(z.nonnegative())),
});
export type IncidentEscalation = z.infer<typeof IncidentEscalation>;

/** What a client needs to offer "Escalate now" on the person's own page (in the client config). */
export const EscalationOffer = z.strictObject({
  /** The fallback policy's name ("SRE Batphone"). */
  policyName: z.string(),
  /** A page may be escalated by its sender this long after it was delivered and not acknowledged. */
  manualAfterMinutes: z.number().check(z.nonnegative()),
});
export type EscalationOffer = z.infer<typeof EscalationOffer>;
