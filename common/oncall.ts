import { z } from 'zod/mini';
import { IsoTime } from './text.js';
import { TeamRef } from './incident.js';

export const OnCallUser = z.strictObject({
  username: z.string(),
  name: z.nullable(z.string()),
  /** IANA time zone, e.g. "Europe/Berlin", when known; lets the UI show their local time. */
  timeZone: z.nullable(z.string()),
});
export type OnCallUser = z.infer<typeof OnCallUser>;

export const OnCallPolicy = z.strictObject({
  policy: z.strictObject({ slug: z.string(), name: z.string() }),
  users: z.array(OnCallUser),
});

export const OnCallTeam = z.strictObject({ team: TeamRef, policies: z.array(OnCallPolicy) });
export type OnCallTeam = z.infer<typeof OnCallTeam>;

/** One escalation step of a target's policy: whom it pages, and when. */
export const EscalationStep = z.strictObject({
  /** Minutes after the page at which the step runs if nobody has acknowledged by then; 0 = at once. */
  afterMinutes: z.number().check(z.nonnegative()),
  /** The people it pages now (as things stand: rotations change hands). */
  users: z.array(OnCallUser),
  /** Rotations in this step with nobody on call now: they page nobody. */
  emptyRotations: z.array(z.string()),
  /** What else it does, in words ("sends an e-mail"): nobody can be named for these. */
  also: z.array(z.string()),
  /** The policy the step belongs to when the target's policy hands over to another one; null: its own. */
  via: z.nullable(z.string()),
});
export type EscalationStep = z.infer<typeof EscalationStep>;

/** An escalation policy a page to a target starts, with its steps in order of time. */
export const EscalationPlan = z.strictObject({
  policy: z.strictObject({ slug: z.string(), name: z.string() }),
  team: z.nullable(TeamRef),
  steps: z.array(EscalationStep),
});
export type EscalationPlan = z.infer<typeof EscalationPlan>;

/** Whether paging is muted for a target now (maintenance mode). */
export const TargetMuting = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('off') }),
  /** The server could not ask; `reason` says why. */
  z.strictObject({ state: z.literal('unknown'), reason: z.string() }),
  z.strictObject({
    state: z.literal('muted'),
    /** `target`: this target's routing key; `everything`: the whole organisation. */
    scope: z.enum(['target', 'everything']),
    since: z.nullable(IsoTime),
    by: z.nullable(z.string()),
    purpose: z.nullable(z.string()),
  }),
]);
export type TargetMuting = z.infer<typeof TargetMuting>;

/**
 * What the server's check found wrong with a target. `unknown_target`: the paging service does not
 * know its routing key (pages go to its default route); `case_mismatch`: it knows the key only in
 * another letter case; `not_lower_case`: the key has capitals; `no_policy`: the key pages no
 * escalation policy; `nobody_at_once`: no policy's first step pages a person (e.g. e-mail only);
 * `nobody_on_call_now`: the first steps page rotations nobody is on call in right now.
 */
export const TargetProblem = z.strictObject({
  kind: z.enum([
    'unknown_target',
    'case_mismatch',
    'not_lower_case',
    'no_policy',
    'nobody_at_once',
    'nobody_on_call_now',
  ]),
  /** A sentence for the person paging: what is wrong and what happens to a page. */
  message: z.string(),
});
export type TargetProblem = z.infer<typeof TargetProblem>;

/** Who a page to one configured target wakes, as the server knows it now. */
export const TargetReach = z.strictObject({
  targetId: z.string(),
  /**
   * `exact`: from the target's own escalation policies; `uncertain`: the server could not look them
   * up (`uncertainty` says why), so clients show who is on call in the target's teams, labelled so.
   */
  certainty: z.enum(['exact', 'uncertain']),
  uncertainty: z.nullable(z.string()),
  policies: z.array(EscalationPlan),
  muting: TargetMuting,
  problem: z.nullable(TargetProblem),
});
export type TargetReach = z.infer<typeof TargetReach>;

/** Who is on call right now, per team, and who a page to each configured target wakes. */
export const OnCallNow = z.strictObject({
  teams: z.array(OnCallTeam),
  fetchedAt: z.nullable(IsoTime),
  stale: z.boolean(),
  /** One per configured target; absent from older servers (clients then show the team-wide view). */
  targets: z.optional(z.array(TargetReach)),
});
export type OnCallNow = z.infer<typeof OnCallNow>;
