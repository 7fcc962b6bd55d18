import { z } from 'zod';
import { IsoTime } from './text.js';
import { TeamRef } from './incident.js';

export const OnCallUser = z
  .object({
    username: z.string(),
    name: z.string().nullable(),
    /** IANA time zone, e.g. "Europe/Berlin", when known; lets the UI show their local time. */
    timeZone: z.string().nullable(),
  })
  .strict();
export type OnCallUser = z.infer<typeof OnCallUser>;

export const OnCallPolicy = z
  .object({ policy: z.object({ slug: z.string(), name: z.string() }).strict(), users: z.array(OnCallUser) })
  .strict();

export const OnCallTeam = z.object({ team: TeamRef, policies: z.array(OnCallPolicy) }).strict();
export type OnCallTeam = z.infer<typeof OnCallTeam>;

/** Who is on call right now, per team. */
export const OnCallNow = z
  .object({ teams: z.array(OnCallTeam), fetchedAt: IsoTime.nullable(), stale: z.boolean() })
  .strict();
export type OnCallNow = z.infer<typeof OnCallNow>;
