import type { OnCallNow, OnCallTeam, OnCallUser, PageTarget } from '#common/index.js';

export interface WokenPerson {
  user: OnCallUser;
  team: string;
  policy: string;
}

/**
 * Everyone on call in the target's teams (every team when the target names none), a person on two
 * policies once: the team-wide view, shown labelled as uncertain when whom the target's own
 * escalation policies wake cannot be looked up (`target-reach.ts`). It may list more people than a
 * page wakes.
 */
export function whoWillBeWoken(oncall: OnCallNow | null, target: Pick<PageTarget, 'teams'> | null): WokenPerson[] {
  if (!oncall) return [];
  const wanted = target && target.teams.length > 0 ? new Set(target.teams) : null;
  const seen = new Set<string>();
  const out: WokenPerson[] = [];
  for (const t of oncall.teams) {
    if (wanted && !wanted.has(t.team.slug)) continue;
    for (const p of t.policies) {
      for (const u of p.users) {
        if (seen.has(u.username)) continue;
        seen.add(u.username);
        out.push({ user: u, team: t.team.name, policy: p.policy.name });
      }
    }
  }
  return out;
}

/** Everyone on call for one team, policy by policy (someone on two policies is listed under each). */
export function peopleOnCall(t: OnCallTeam): WokenPerson[] {
  return t.policies.flatMap((p) => p.users.map((u) => ({ user: u, team: t.team.name, policy: p.policy.name })));
}
