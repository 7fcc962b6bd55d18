import type { Incident } from './incident.js';

/** What a person needs to know about open incidents, counted one way everywhere. */
export interface IncidentCounts {
  /** Not resolved (acknowledged or not). */
  open: number;
  /** Not acknowledged yet: somebody is (or should be) being woken. */
  unacked: number;
  acked: number;
  /** Unacknowledged with nobody being paged: the first escalation step had no one on call. */
  unackedNobodyPaged: number;
}

export function countIncidents(incidents: readonly Incident[]): IncidentCounts {
  let open = 0;
  let unacked = 0;
  let unackedNobodyPaged = 0;
  for (const i of incidents) {
    if (i.phase === 'RESOLVED') continue;
    open++;
    if (i.phase === 'UNACKED') {
      unacked++;
      // A provisional incident (webhook only) has no paged users known yet, not "nobody".
      if (i.pagedUsers.length === 0 && !i.provisional) unackedNobodyPaged++;
    }
  }
  return { open, unacked, acked: open - unacked, unackedNobodyPaged };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "All quiet", "2 open incidents, 1 not acknowledged", "1 open incident, acknowledged". */
export function describeCounts(c: IncidentCounts): string {
  if (c.open === 0) return 'All quiet';
  const head = plural(c.open, 'open incident', 'open incidents');
  if (c.unacked === 0) return `${head}, ${c.open === 1 ? 'acknowledged' : 'all acknowledged'}`;
  if (c.unacked === c.open) return `${head}, ${c.open === 1 ? 'not acknowledged' : 'none acknowledged'}`;
  return `${head}, ${c.unacked} not acknowledged`;
}
