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
