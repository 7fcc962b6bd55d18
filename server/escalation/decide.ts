import { incidentKey, type Incident, type Page } from '#common/index.js';

/**
 * The escalator's decisions, as pure functions of what it sees: which incidents to send on to the
 * fallback policy, and when. The job (escalator.ts) feeds them the hub's data and the store's
 * history; everything here is unit-tested on its own. Incidents are named by their key
 * (common/incident-key.ts), the identity escalations are recorded by: On-Call's bare `1043`, `pagerduty:7`.
 */

/** Open, unacknowledged, and the paging service pages nobody (as a poll reported it, not a webhook alone). */
export const pagesNobody = (i: Incident): boolean =>
  i.phase === 'UNACKED' && i.pagedUsers.length === 0 && !i.provisional;

/**
 * Since when each incident has been seen paging nobody: the time of the first fresh poll that
 * showed it so (kept from `before`), for as long as it stays so. Kept in memory only: after a
 * restart every such incident waits a full grace period again, which errs on the side of waiting.
 */
export function observeNobodyPaged(
  before: ReadonlyMap<string, number>,
  incidents: readonly Incident[],
  at: number,
): Map<string, number> {
  const next = new Map<string, number>();
  for (const i of incidents) {
    const key = incidentKey(i);
    if (pagesNobody(i)) next.set(key, before.get(key) ?? at);
  }
  return next;
}

/** Whether an incident belongs to one of `teams` (empty: every team). */
export const inTeams = (i: Incident, teams: ReadonlySet<string>): boolean =>
  teams.size === 0 || i.teams.some((t) => teams.has(t.slug));

export interface EscalationInput {
  /** Every incident the service listed at the last poll (with webhook updates applied). */
  incidents: readonly Incident[];
  /** False when that poll is older than two poll intervals: then nothing is decided. */
  fresh: boolean;
  now: number;
  /** From observeNobodyPaged. */
  nobodyPagedSince: ReadonlyMap<string, number>;
  /** Incidents (by key) Klaxon escalated (or tried to) before: never a second time. */
  escalated: (incidentKey: string) => boolean;
  unpaged: {
    enabled: boolean;
    teams: ReadonlySet<string>;
    graceMs: number;
  };
  /** Klaxon's own pages not yet acknowledged, with the rule's wait; null: the rule is off. */
  pages: { pending: readonly Page[]; afterMs: number } | null;
}

export interface EscalationDecision {
  /** The incident's key. */
  incidentNumber: string;
  reason: 'nobody_paged' | 'page_unacknowledged';
  /** The Klaxon page behind a `page_unacknowledged` escalation. */
  pageId: string | null;
  /** The rule's wait in minutes (`page_unacknowledged`): the page waited at least this long. */
  afterMinutes: number | null;
}

/**
 * What to escalate now. Nothing on stale data; nothing twice; an incident only while it is open and
 * unacknowledged in the freshest view (a webhook's acknowledgement counts). One decision per
 * incident: "nobody paged" wins over the page rule, being the more urgent reason.
 */
export function decideEscalations(input: EscalationInput): EscalationDecision[] {
  if (!input.fresh) return [];
  const out: EscalationDecision[] = [];
  const decided = new Set<string>();
  const add = (d: EscalationDecision) => {
    if (decided.has(d.incidentNumber) || input.escalated(d.incidentNumber)) return;
    decided.add(d.incidentNumber);
    out.push(d);
  };
  if (input.unpaged.enabled) {
    for (const i of input.incidents) {
      const since = input.nobodyPagedSince.get(incidentKey(i));
      if (since === undefined || !pagesNobody(i) || !inTeams(i, input.unpaged.teams)) continue;
      if (input.now - since >= input.unpaged.graceMs)
        add({ incidentNumber: incidentKey(i), reason: 'nobody_paged', pageId: null, afterMinutes: null });
    }
  }
  if (input.pages) {
    const byKey = new Map(input.incidents.map((i) => [incidentKey(i), i]));
    for (const p of input.pages.pending) {
      const waited = pageWaitedMs(p, input.now);
      const incident = p.incidentNumber
        ? byKey.get(incidentKey({ backend: p.backend, number: p.incidentNumber }))
        : undefined;
      if (waited === null || waited < input.pages.afterMs || !incident) continue;
      if (incident.phase !== 'UNACKED' || incident.provisional) continue;
      add({
        incidentNumber: incidentKey(incident),
        reason: 'page_unacknowledged',
        pageId: p.id,
        afterMinutes: input.pages.afterMs / 60_000,
      });
    }
  }
  return out;
}

/** How long a delivered page has waited for an acknowledgement; null when it is not waiting. */
export function pageWaitedMs(p: Page, now: number): number | null {
  if (p.status !== 'delivered' || !p.incidentNumber) return null;
  const since = Date.parse(p.deliveredAt ?? p.createdAt);
  return Number.isNaN(since) ? null : now - since;
}

/** Why a person may not press "Escalate now" on a page yet (or at all), or null when they may. */
export type EscalateNowRefusal =
  | { kind: 'not_yours' }
  | { kind: 'settled'; page: Page }
  | { kind: 'no_incident' }
  | { kind: 'acknowledged'; incident: Incident }
  | { kind: 'too_early'; waitMs: number };

/** The rules of "Escalate now", in order: their own page, not settled, with an open unacknowledged incident, waited long enough. */
export function escalateNowRefusal(input: {
  page: Page;
  viewerSub: string;
  incident: Incident | null;
  now: number;
  afterMs: number;
}): EscalateNowRefusal | null {
  const { page } = input;
  if (page.requester.sub !== input.viewerSub) return { kind: 'not_yours' };
  if (page.status === 'acknowledged' || page.status === 'resolved') return { kind: 'settled', page };
  if (!page.incidentNumber || page.status !== 'delivered') return { kind: 'no_incident' };
  if (input.incident && input.incident.phase !== 'UNACKED') return { kind: 'acknowledged', incident: input.incident };
  const waited = pageWaitedMs(page, input.now) ?? 0;
  if (waited < input.afterMs) return { kind: 'too_early', waitMs: input.afterMs - waited };
  return null;
}
