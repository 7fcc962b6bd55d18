import { z } from 'zod';
import { IsoTime } from './text.js';

/** On-Call's `currentPhase`, upper-case on the wire (docs/splunk-oncall.md#phases). */
export const IncidentPhase = z.enum(['UNACKED', 'ACKED', 'RESOLVED']);
export type IncidentPhase = z.infer<typeof IncidentPhase>;

export const TeamRef = z.object({ slug: z.string(), name: z.string() }).strict();
export type TeamRef = z.infer<typeof TeamRef>;

/**
 * An On-Call incident normalised by the server. Clients receive only what they show (number,
 * title, phase, start, teams, who is paged, link, who acknowledged); the optional fields are
 * facts the server keeps for itself (a page finds its incident by `entityId`) and leaves out of
 * snapshots and events, so a storm of hundreds of incidents costs each client less.
 */
export const Incident = z
  .object({
    /** On-Call incident number: a string of digits on the wire. */
    number: z.string().regex(/^\d+$/, 'must be a string of digits'),
    title: z.string(),
    phase: IncidentPhase,
    startedAt: IsoTime,
    teams: z.array(TeamRef),
    /** Usernames currently being paged (On-Call empties this once acknowledged). */
    pagedUsers: z.array(z.string()),
    /** Link to the incident in the On-Call web UI, when known (http(s) only: it becomes a clickable link). */
    link: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'link must be an http(s) URL')
      .nullable(),
    ackedBy: z.string().nullable(),
    // Kept by the server, not sent to clients:
    lastAlertAt: IsoTime.nullable().optional(),
    routingKey: z.string().nullable().optional(),
    /** The REST `entity_id`; Klaxon pages use `klaxon/<page id>` so a page can find its incident. */
    entityId: z.string().nullable().optional(),
    alertCount: z.number().int().nonnegative().optional(),
    ackedAt: IsoTime.nullable().optional(),
    resolvedBy: z.string().nullable().optional(),
    resolvedAt: IsoTime.nullable().optional(),
  })
  .strict();
export type Incident = z.infer<typeof Incident>;

/** The server's view of On-Call incidents at one moment, with how fresh it is. */
export const IncidentSnapshot = z
  .object({
    incidents: z.array(Incident),
    /** When the server last got a good answer from On-Call (null: never yet). */
    fetchedAt: IsoTime.nullable(),
    /** Seconds since `fetchedAt` when this snapshot was sent. */
    ageSeconds: z.number().nonnegative().nullable(),
    /** True when the data is older than two poll intervals. */
    stale: z.boolean(),
    upstream: z.object({ ok: z.boolean(), error: z.string().nullable() }).strict(),
    /** Incidents older than this (and not open) are left out. */
    windowMinutes: z.number().int().positive(),
    pollIntervalSeconds: z.number().positive(),
  })
  .strict();
export type IncidentSnapshot = z.infer<typeof IncidentSnapshot>;
