import { serviceName, type EscalationPlan, type OnCallNow, type PageTarget, type TargetMuting } from '#common/index.js';
import { clockTime } from './relative-time.js';
import { whoWillBeWoken, type WokenPerson } from './who-is-woken.js';

/** People and words for one moment of the escalation ("if nobody acknowledges in 15 min: …"). */
export interface EscalationMoment {
  afterMinutes: number;
  people: WokenPerson[];
  /** What else happens then, or why nobody is named ("nobody is on call in Platform business hours"). */
  notes: string[];
}

/**
 * What the confirm step shows under "This will wake":
 * - `exact`: from the target's own escalation policies: who is paged at once, and later;
 * - `uncertain`: Klaxon could not look them up, so it shows who is on call in the target's teams,
 *   saying why that may be more people than a page wakes;
 * - `unknown`: nothing is known at all (never shown as "nobody will be woken").
 */
export type WokenView =
  | { kind: 'exact'; policies: string[]; now: EscalationMoment; later: EscalationMoment[] }
  | { kind: 'uncertain'; reason: string; people: WokenPerson[] }
  | { kind: 'unknown' };

/** Everything the confirm step says about a target before sending. */
export interface TargetView {
  woken: WokenView;
  /** Paging is muted (maintenance mode): a page opens an incident and wakes nobody. */
  muted: string | null;
  /** Klaxon could not ask whether paging is muted. */
  mutingUnknown: string | null;
  /** What the server's check found wrong with the target, for the person paging. */
  problem: string | null;
}

const NO_TARGETS = 'This Klaxon server does not say whom each target pages, so this is everyone on call in its teams.';

/** "15 min", "1 h", "1 h 30 min". */
export function minutesText(m: number): string {
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

/** What the confirm step says about `target`, from the server's on-call answer. */
export function targetView(oncall: OnCallNow | null, target: PageTarget | null, viewerTimeZone?: string): TargetView {
  const reach = target ? oncall?.targets?.find((t) => t.targetId === target.id) : undefined;
  const teamWide = whoWillBeWoken(oncall, target);
  const none = { muted: null, mutingUnknown: null, problem: null };
  if (!oncall) return { woken: { kind: 'unknown' }, ...none };
  if (!reach)
    return {
      woken: teamWide.length ? { kind: 'uncertain', reason: NO_TARGETS, people: teamWide } : { kind: 'unknown' },
      ...none,
    };
  const woken: WokenView =
    reach.certainty === 'exact'
      ? exactView(reach.policies)
      : teamWide.length > 0
        ? {
            kind: 'uncertain',
            reason: `${reach.uncertainty ?? 'Klaxon could not look up whom this target pages.'} Shown instead: everyone on call in its teams; a page may wake fewer of them.`,
            people: teamWide,
          }
        : { kind: 'unknown' };
  return {
    woken,
    muted: mutedText(reach.muting, target!, viewerTimeZone),
    mutingUnknown: reach.muting.state === 'unknown' ? reach.muting.reason : null,
    problem: reach.problem?.message ?? null,
  };
}

function exactView(plans: readonly EscalationPlan[]): WokenView {
  const moments = new Map<number, EscalationMoment>();
  const seen = new Map<number, Set<string>>();
  for (const plan of plans) {
    for (const step of plan.steps) {
      const m = moments.get(step.afterMinutes) ?? { afterMinutes: step.afterMinutes, people: [], notes: [] };
      const names = seen.get(step.afterMinutes) ?? new Set<string>();
      const policy = step.via ?? plan.policy.name;
      for (const user of step.users) {
        if (names.has(user.username)) continue;
        names.add(user.username);
        m.people.push({ user, team: plan.team?.name ?? '', policy });
      }
      for (const r of step.emptyRotations) m.notes.push(`nobody is on call in ${r} (${policy})`);
      for (const a of step.also) m.notes.push(`${policy} ${a}`);
      moments.set(step.afterMinutes, m);
      seen.set(step.afterMinutes, names);
    }
  }
  const sorted = [...moments.values()].sort((a, b) => a.afterMinutes - b.afterMinutes);
  const now = sorted[0]?.afterMinutes === 0 ? sorted.shift()! : { afterMinutes: 0, people: [], notes: [] };
  return { kind: 'exact', policies: plans.map((p) => p.policy.name), now, later: sorted };
}

function mutedText(muting: TargetMuting, target: PageTarget, viewerTimeZone?: string): string | null {
  if (muting.state !== 'muted') return null;
  const what = muting.scope === 'everything' ? 'for everything' : `for ${target.label}`;
  const since = muting.since ? ` since ${clockTime(muting.since, viewerTimeZone)}` : '';
  const by = muting.by ? `, started by ${muting.by}` : '';
  const why = muting.purpose ? ` (${muting.purpose})` : '';
  return `${serviceName(target.backend)} is in maintenance mode ${what}${since}${by}${why}: a page now opens an incident but wakes nobody until maintenance ends.`;
}
