import { parseIncidentKey, serviceName, type Page } from '#common/index.js';

/** Why Klaxon escalated an incident (the escalation job and "Escalate now"). */
export type EscalationCause = 'nobody_paged' | 'page_unacknowledged' | 'requested';

/** What is announced in chat. */
export type ChatEvent =
  /** A page was accepted (before it reaches the paging service: people see at once that someone called). */
  | { kind: 'paged'; page: Page }
  /** The page's incident is known: its number. */
  | { kind: 'incident'; page: Page }
  /** Someone acknowledged the page's incident. */
  | { kind: 'acknowledged'; page: Page }
  /** Klaxon sent an incident on to another escalation policy. */
  | {
      kind: 'escalated';
      /** The incident's key (common/incident-key.ts): On-Call's bare `1043`, `pagerduty:7`. */
      incidentNumber: string;
      /** The policy's name as the paging service shows it. */
      to: string;
      cause: EscalationCause;
      /** Who asked (`requested`). */
      requestedBy: string | null;
      /** How long the page waited unacknowledged (`page_unacknowledged`). */
      afterMinutes: number | null;
      /** The Klaxon page of the incident, when there is one. */
      page: Page | null;
    };

/** The event's name in the queue: one announcement per channel and name, ever. */
export function chatEventKey(e: ChatEvent): string {
  return e.kind === 'escalated' ? `incident:${e.incidentNumber}:escalated` : `page:${e.page.id}:${e.kind}`;
}

/** Text from a person, on one line and bounded: chat shows it as it is, never as several messages. */
function oneLine(text: string, max: number): string {
  const flat = text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

const who = (p: Page) => oneLine(p.requester.name, 80);
const what = (p: Page) => `"${oneLine(p.summary, 200)}"`;
const target = (p: Page) => oneLine(p.target.label, 80);

/**
 * The message for an event, on one line. Who paged, the summary and the target are always said;
 * a page's details only with `chat.includeDetails` (they may hold what not everyone in the channel
 * should read). Never an e-mail address.
 */
export function chatEventText(e: ChatEvent, opts: { includeDetails: boolean; serverName: string }): string {
  const prefix = `[${oneLine(opts.serverName, 40)}]`;
  switch (e.kind) {
    case 'paged': {
      const details = opts.includeDetails && e.page.details.trim() ? ` Details: ${oneLine(e.page.details, 600)}` : '';
      return `${prefix} ${who(e.page)} paged ${target(e.page)}: ${what(e.page)}.${details}`;
    }
    case 'incident':
      return `${prefix} ${who(e.page)}'s page to ${target(e.page)} is incident #${e.page.incidentNumber ?? '?'}: ${what(e.page)}.`;
    case 'acknowledged':
      return `${prefix} Incident #${e.page.incidentNumber ?? '?'} (${who(e.page)}'s page ${what(e.page)}) was acknowledged${
        e.page.ackedBy ? ` by ${oneLine(e.page.ackedBy, 80)}` : ''
      }.`;
    case 'escalated': {
      const why =
        e.cause === 'requested'
          ? `${e.requestedBy ? oneLine(e.requestedBy, 80) : 'the person who paged'} asked to escalate`
          : e.cause === 'page_unacknowledged'
            ? `the page was not acknowledged${e.afterMinutes !== null ? ` in ${Math.round(e.afterMinutes)} minutes` : ''}`
            : 'nobody was being paged for it';
      const page = e.page ? ` (${who(e.page)}'s page ${what(e.page)})` : '';
      // A service other than On-Call is named: its numbers can be the same as On-Call's.
      const key = parseIncidentKey(e.incidentNumber);
      const incident = key?.backend
        ? `${serviceName(key.backend)} incident #${key.number}`
        : `Incident #${e.incidentNumber}`;
      return `${prefix} ${incident}${page} was escalated to ${oneLine(e.to, 80)}: ${why}.`;
    }
  }
}
