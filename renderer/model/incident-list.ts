import type { AckResult, Incident, Result } from '#common/index.js';

/**
 * The home screen's incident list: in which order incidents are shown, which need a warning, and
 * what an Acknowledge click ended in.
 */

const PHASE_ORDER = { UNACKED: 0, ACKED: 1, RESOLVED: 2 } as const;

/** Unacknowledged first (someone is being woken), then acknowledged, then resolved; newest first within each. */
export function sortIncidents(incidents: readonly Incident[]): Incident[] {
  return [...incidents].sort(
    (a, b) => PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase] || Date.parse(b.startedAt) - Date.parse(a.startedAt),
  );
}

/**
 * What the home screen shows first and what it folds away: open incidents (someone is being woken,
 * or is on it) stay in view, resolved ones collapse behind one line, so a quiet hour of resolved
 * noise never pushes "On call now" out of a small popover.
 */
export function splitIncidents(incidents: readonly Incident[]): { open: Incident[]; resolved: Incident[] } {
  const sorted = sortIncidents(incidents);
  return { open: sorted.filter((i) => i.phase !== 'RESOLVED'), resolved: sorted.filter((i) => i.phase === 'RESOLVED') };
}

/** The folded line: "3 resolved incidents". */
export const resolvedSummary = (n: number): string => `${n} resolved ${n === 1 ? 'incident' : 'incidents'}`;

/**
 * Open and unacknowledged, yet On-Call pages nobody for it (the first escalation step had no one on
 * call). Not said of a provisional incident (known from a webhook only): who it pages is not known yet.
 */
export const pagesNobody = (i: Pick<Incident, 'phase' | 'pagedUsers' | 'provisional'>): boolean =>
  i.phase === 'UNACKED' && i.pagedUsers.length === 0 && !i.provisional;

export interface AckOutcome {
  /** The sentence shown (and announced) under the incident. */
  message: string;
  /** Not acknowledged: shown as an error. */
  failed: boolean;
}

/** What an Acknowledge click ended in: On-Call's answer, or why it could not be asked. */
export function ackOutcome(r: Result<AckResult>): AckOutcome {
  return r.ok ? { message: r.value.message, failed: !r.value.accepted } : { message: r.error.message, failed: true };
}
