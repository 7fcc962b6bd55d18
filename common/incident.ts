import { z } from 'zod/mini';
import { IncidentBackend } from './incident-key.js';
import { IncidentEscalation } from './escalation.js';
import { IsoTime } from './text.js';

/** On-Call's `currentPhase`, upper-case on the wire (docs/splunk-oncall.md#phases). */
export const IncidentPhase = z.enum(['UNACKED', 'ACKED', 'RESOLVED']);
export type IncidentPhase = z.infer<typeof IncidentPhase>;

export const TeamRef = z.strictObject({ slug: z.string(), name: z.string() });
export type TeamRef = z.infer<typeof TeamRef>;

/**
 * An On-Call incident normalised by the server. Clients receive only what they show (number,
 * title, phase, start, teams, who is paged, link, who acknowledged and by what name, Klaxon's escalation, whether it is
 * provisional); the other optional fields are
 * facts the server keeps for itself (a page finds its incident by `entityId`) and leaves out of
 * snapshots and events, so a storm of hundreds of incidents costs each client less.
 */
export const Incident = z.strictObject({
  /** On-Call incident number: a string of digits on the wire. */
  number: z.string().check(z.regex(/^\d+$/, 'must be a string of digits')),
  title: z.string(),
  phase: IncidentPhase,
  startedAt: IsoTime,
  teams: z.array(TeamRef),
  /** Usernames currently being paged (On-Call empties this once acknowledged). */
  pagedUsers: z.array(z.string()),
  /** Link to the incident in the On-Call web UI, when known (http(s) only: it becomes a clickable link). */
  link: z.nullable(z.url().check(z.refine((u) => /^https?:\/\//i.test(u), 'link must be an http(s) URL'))),
  ackedBy: z.nullable(z.string()),
  /**
   * The paging service the incident lives on; absent: On-Call (the only service of older servers).
   * Numbers repeat across services, so clients tell incidents apart by `incidentKey`.
   */
  backend: z.optional(IncidentBackend),
  /**
   * Who acknowledged, as people read it: the service user's display name ("Carol Okafor"), or the
   * person who acknowledged in Klaxon ("Alice Andersen (via Klaxon)"), whichever service user
   * sent it. `ackedBy` keeps the service's username. Absent or null: no name known.
   */
  ackedByName: z.optional(z.nullable(z.string())),
  /** Klaxon sent this incident on to its fallback escalation policy (server/escalation/). */
  escalation: z.optional(z.nullable(IncidentEscalation)),
  /**
   * Known from the paging service's webhook only, not yet from its incident list: `pagedUsers` and
   * `teams` are not known yet (so "nobody is being paged" must not be concluded from them).
   */
  provisional: z.optional(z.boolean()),
  // Kept by the server, not sent to clients:
  lastAlertAt: z.optional(z.nullable(IsoTime)),
  routingKey: z.optional(z.nullable(z.string())),
  /** The REST `entity_id`; Klaxon pages use `klaxon/<page id>` so a page can find its incident. */
  entityId: z.optional(z.nullable(z.string())),
  alertCount: z.optional(z.int().check(z.nonnegative())),
  ackedAt: z.optional(z.nullable(IsoTime)),
  resolvedBy: z.optional(z.nullable(z.string())),
  resolvedAt: z.optional(z.nullable(IsoTime)),
  /** The display name of `resolvedBy`, when known. */
  resolvedByName: z.optional(z.nullable(z.string())),
});
export type Incident = z.infer<typeof Incident>;

/** The server's view of On-Call incidents at one moment, with how fresh it is. */
export const IncidentSnapshot = z.strictObject({
  incidents: z.array(Incident),
  /** When the server last got a good answer from On-Call (null: never yet). */
  fetchedAt: z.nullable(IsoTime),
  /** Seconds since `fetchedAt` when this snapshot was sent. */
  ageSeconds: z.nullable(z.number().check(z.nonnegative())),
  /** True when the data is older than two poll intervals. */
  stale: z.boolean(),
  upstream: z.strictObject({ ok: z.boolean(), error: z.nullable(z.string()) }),
  /** Incidents older than this (and not open) are left out. */
  windowMinutes: z.int().check(z.positive()),
  pollIntervalSeconds: z.number().check(z.positive()),
});
export type IncidentSnapshot = z.infer<typeof IncidentSnapshot>;
