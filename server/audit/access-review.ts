import { POWER_ACTIONS, type AccessReview, type PowerAction, type PowerUse } from '#common/index.js';
import type { AuditActorUses } from '../store/store.js';

export const POWER_ACTION_NAMES = Object.keys(POWER_ACTIONS) as PowerAction[];

/** `months` calendar months before `now` (the 31st of a shorter month clamps to its last day). */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/**
 * The access review: each person who used a power (paged, acknowledged, escalated) while their
 * entries are kept, with the groups on their token at their last use; `inactive` when that use is
 * older than `months` months. Most recent use first.
 */
export function accessReview(
  uses: readonly AuditActorUses[],
  opts: { now: Date; months: number; retentionDays: number },
): AccessReview {
  const inactiveBefore = monthsBefore(opts.now, opts.months);
  const people = uses
    .map((u) => {
      const count = (use: PowerUse) =>
        POWER_ACTION_NAMES.filter((a) => POWER_ACTIONS[a] === use).reduce((n, a) => n + (u.counts[a] ?? 0), 0);
      return {
        sub: u.sub,
        name: u.last.actorName,
        groups: u.last.actorGroups,
        lastUsedAt: u.last.at.toISOString(),
        lastUse: POWER_ACTIONS[u.last.action as PowerAction],
        uses: { paged: count('paged'), acknowledged: count('acknowledged'), escalated: count('escalated') },
        inactive: u.last.at < inactiveBefore,
      };
    })
    .sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt));
  return {
    generatedAt: opts.now.toISOString(),
    months: opts.months,
    inactiveBefore: inactiveBefore.toISOString(),
    retentionDays: opts.retentionDays,
    people,
  };
}
