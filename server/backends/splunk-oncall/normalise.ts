import type { Incident, TeamRef } from '#common/index.js';
import type { WireIncident, WireTransition } from './wire.js';

export interface NormaliseContext {
  /** Team slug → name, from the team list (`GET /api-public/v1/team`). `pagedPolicies[].team` names win when present. */
  teamNames: ReadonlyMap<string, string>;
  orgSlug: string | null;
  /**
   * Used when On-Call omits `startTime` and `lastAlertTime`: the hub passes the time it first saw
   * the incident, so the value stays the same from poll to poll (no spurious "updated" events).
   */
  fallbackTime: string;
}

/**
 * The incident page in the On-Call web UI, in the form Splunk's own webhook recipes link to (no
 * real `incidentLink` value has been seen to confirm it); On-Call's own `incidentLink` wins.
 */
export function portalLink(orgSlug: string, incidentNumber: string): string {
  return `https://portal.victorops.com/client/${encodeURIComponent(orgSlug)}/popoutIncident?incidentName=${encodeURIComponent(incidentNumber)}`;
}

const isHttpUrl = (s: string | null): s is string => {
  if (!s) return false;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
};

const lastTransition = (ts: WireTransition[], name: string): WireTransition | null => {
  for (let i = ts.length - 1; i >= 0; i--) if (ts[i]!.name === name) return ts[i]!;
  return null;
};

/** On-Call's wire incident → the contract's `Incident` every client shows. */
export function normaliseIncident(w: WireIncident, ctx: NormaliseContext): Incident {
  const fromPolicies = new Map(w.policyTeams.map((t) => [t.slug, t.name]));
  const teams: TeamRef[] = w.pagedTeams.map((slug) => ({
    slug,
    name: fromPolicies.get(slug) ?? ctx.teamNames.get(slug) ?? slug,
  }));
  // An incident paged through a policy but without pagedTeams still belongs to the policy's team.
  for (const t of w.policyTeams) if (!teams.some((x) => x.slug === t.slug)) teams.push(t);
  const acked = lastTransition(w.transitions, 'ACKED');
  const resolved = lastTransition(w.transitions, 'RESOLVED');
  const title = w.service ?? w.entityDisplayName ?? w.monitorName ?? `Incident #${w.incidentNumber}`;
  const link = isHttpUrl(w.incidentLink)
    ? w.incidentLink
    : ctx.orgSlug
      ? portalLink(ctx.orgSlug, w.incidentNumber)
      : null;
  return {
    number: w.incidentNumber,
    title,
    phase: w.currentPhase,
    startedAt: w.startTime ?? w.lastAlertTime ?? ctx.fallbackTime,
    lastAlertAt: w.lastAlertTime,
    teams,
    pagedUsers: w.pagedUsers,
    routingKey: w.routingKey,
    entityId: w.entityId,
    alertCount: w.alertCount,
    link,
    // An incident re-opened after an ack (WARNING → CRITICAL) is not acknowledged any more.
    ackedBy: w.currentPhase === 'UNACKED' ? null : (acked?.by ?? null),
    ackedAt: w.currentPhase === 'UNACKED' ? null : (acked?.at ?? null),
    resolvedBy: w.currentPhase === 'RESOLVED' ? (resolved?.by ?? null) : null,
    resolvedAt: w.currentPhase === 'RESOLVED' ? (resolved?.at ?? null) : null,
  };
}
