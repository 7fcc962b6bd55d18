import {
  parseIncidentKey,
  POWER_ACTIONS,
  serviceName,
  type AccessReviewPerson,
  type AuditRecord,
} from '#common/index.js';

/** What the auditor typed in the Audit view's filter form (dates as an `<input type="date">` gives them). */
export interface AuditFilterForm {
  person: string;
  action: string;
  /** `YYYY-MM-DD` or empty. */
  fromDate: string;
  /** `YYYY-MM-DD` or empty: that whole day is included. */
  toDate: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilterForm = { person: '', action: '', fromDate: '', toDate: '' };

/** What an action is called in the Audit view. */
const ACTION_WORDS: Record<string, string> = {
  'page.accepted': 'Paged',
  'page.delivered': 'Page delivered to On-Call',
  'page.gave_up': 'Page given up',
  'page.unconfirmed': 'Page unconfirmed',
  'incident.acknowledge': 'Acknowledged',
  'escalation.claimed': 'Escalated (Escalate now)',
  'escalation.done': 'Escalation sent',
  'escalation.refused': 'Escalation refused',
  'escalation.failed': 'Escalation failed',
  'escalation.released': 'Escalation released',
  'escalation.dry_run': 'Escalation (dry run)',
};

export const actionWords = (action: string): string => ACTION_WORDS[action] ?? action;

/** Local midnight of a `YYYY-MM-DD` day, as an ISO time; `days` later for the end of a range. */
function localDayStart(day: string, days = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days).toISOString();
}

/**
 * The form as the API's filter: dates are the auditor's local days, the "to" day included; empty
 * fields are left out. A "to" day before the "from" day is refused with a sentence instead.
 */
export function auditFilterQuery(
  form: AuditFilterForm,
): { ok: true; query: Record<string, string | undefined> } | { ok: false; message: string } {
  const from = localDayStart(form.fromDate);
  const to = localDayStart(form.toDate, 1);
  if (from && to && to <= from) return { ok: false, message: 'The "To" day is before the "From" day.' };
  return {
    ok: true,
    query: {
      person: form.person.trim() || undefined,
      action: form.action || undefined,
      from,
      to,
    },
  };
}

/** One line on what an entry was about, from its details (never the page's details text). */
export function entrySubject(e: AuditRecord): string {
  const d = e.detail;
  const parts: string[] = [];
  if (typeof d.summary === 'string') parts.push(`"${d.summary}"`);
  if (typeof d.target === 'string') parts.push(`to ${d.target}`);
  // Incidents are recorded by key: On-Call's bare number, `pagerduty:7` for another service's.
  const key = typeof d.incident === 'string' ? parseIncidentKey(d.incident) : null;
  if (typeof d.incident === 'string')
    parts.push(key?.backend ? `${serviceName(key.backend)} incident #${key.number}` : `incident #${d.incident}`);
  if (d.accepted === false) parts.push(`(${serviceName(key?.backend ?? undefined)} did not accept it)`);
  if (typeof d.client === 'string') parts.push(`from ${d.client}`);
  return parts.join(' ');
}

/** "2 pages, 1 acknowledgement": a person's uses in words. */
export function usesWords(p: AccessReviewPerson): string {
  const n = (count: number, one: string, many: string) => (count ? [`${count} ${count === 1 ? one : many}`] : []);
  return [
    ...n(p.uses.paged, 'page', 'pages'),
    ...n(p.uses.acknowledged, 'acknowledgement', 'acknowledgements'),
    ...n(p.uses.escalated, 'escalation', 'escalations'),
  ].join(', ');
}

/** The actions the access review counts, for its explanation: "paged, acknowledged or escalated". */
export function powerWords(): string {
  const words = [...new Set(Object.values(POWER_ACTIONS))];
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : (words[0] ?? '');
}

/** "Showing 1 entry, newest first." */
export const showingWords = (n: number): string =>
  n === 0 ? 'No entries match.' : `Showing ${n} ${n === 1 ? 'entry' : 'entries'}, newest first.`;

/** "1 Dec 2026, 14:05" in the auditor's own time zone. */
export function auditTime(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', hour12: false }).format(
    new Date(iso),
  );
}
