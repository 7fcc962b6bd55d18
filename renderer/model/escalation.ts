import type { EscalationOffer, Incident, IncidentEscalation, Page } from '#common/index.js';
import { clockTime } from './relative-time.js';

/**
 * Klaxon's escalations as people see them: the note on an escalated incident, and whether the
 * person who paged may press "Escalate now" on their page (and what the button and its
 * confirmation say). The server enforces the same rules (server/escalation/decide.ts); this only
 * decides what to show.
 */

/** "Klaxon escalated this to SRE Batphone at 03:12: nobody was being paged." */
export function escalationNote(e: IncidentEscalation, timeZone?: string): string {
  const why =
    e.reason === 'nobody_paged'
      ? 'nobody was being paged'
      : e.reason === 'page_unacknowledged'
        ? `the page was not acknowledged within ${e.afterMinutes ?? 'a few'} minutes`
        : `${e.requestedBy ?? 'the person who paged'} asked for it`;
  return `Klaxon escalated this to ${e.to} at ${clockTime(e.at, timeZone)}: ${why}.`;
}

export type EscalateNowView =
  /** Nothing to show: not offered, not needed (acknowledged), or no incident yet. */
  | { kind: 'hidden' }
  /** Offered soon: the button is disabled and says when. */
  | { kind: 'wait'; label: string; hint: string }
  | { kind: 'ready'; label: string; hint: string; confirm: string }
  | { kind: 'done'; note: string };

const inMinutes = (ms: number): string => {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return m === 1 ? 'in a minute' : `in ${m} minutes`;
};

/**
 * "Escalate now" on the person's own page: offered while the page's incident is open and
 * unacknowledged, enabled once the page has waited `manualAfterMinutes` since delivery; once the
 * incident is escalated (by anyone), its note instead.
 */
export function escalateNowView(input: {
  page: Page;
  offer: EscalationOffer | null | undefined;
  /** The page's incident as the snapshot has it, when it does. */
  incident: Incident | null;
  /** An escalation this client just made (before the incident shows it). */
  escalated: IncidentEscalation | null;
  now: number;
  timeZone?: string;
}): EscalateNowView {
  const { page, offer, incident } = input;
  const done = incident?.escalation ?? input.escalated;
  if (done) return { kind: 'done', note: escalationNote(done, input.timeZone) };
  if (!offer || page.status !== 'delivered' || !page.incidentNumber) return { kind: 'hidden' };
  if (incident && incident.phase !== 'UNACKED') return { kind: 'hidden' };
  const label = `Escalate now to ${offer.policyName}`;
  const since = Date.parse(page.deliveredAt ?? page.createdAt);
  const waitMs = since + offer.manualAfterMinutes * 60_000 - input.now;
  if (waitMs > 0)
    return {
      kind: 'wait',
      label,
      hint: `Nobody has acknowledged yet. If nobody does, you can escalate to ${offer.policyName} ${inMinutes(waitMs)}.`,
    };
  return {
    kind: 'ready',
    label,
    hint:
      offer.manualAfterMinutes > 0
        ? `Nobody has acknowledged your page for ${offer.manualAfterMinutes} minutes.`
        : 'Nobody has acknowledged your page yet.',
    confirm: `Page ${offer.policyName} too? More people will be woken for incident #${page.incidentNumber}. Klaxon escalates an incident only once.`,
  };
}
