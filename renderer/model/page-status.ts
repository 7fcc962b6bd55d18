import { acknowledgerName, durationText, secondsUntil, serviceName, type Page } from '#common/index.js';
import { clockTime } from './relative-time.js';

/**
 * What to tell the person who paged, at each point of the page's life. One function, so the
 * dialog, the home card and "My recent pages" never disagree, and the words are unit-tested.
 */

export type StepState = 'done' | 'current' | 'pending' | 'failed';
export interface PageStep {
  key: 'queued' | 'delivered' | 'incident' | 'acknowledged';
  label: string;
  state: StepState;
}

export interface PageStatusText {
  /** One sentence for the live region and the list. */
  headline: string;
  /** Extra sentence (last error, what to do), or null. */
  detail: string | null;
  /**
   * The ticking part ("Next attempt in 8 s."), counted down from the page's `nextAttemptAt`: shown
   * next to the headline, never inside its live region (it would be read out every second).
   */
  countdown: string | null;
  /** The page has not reached On-Call, or reached it and wakes nobody: show the fallback contacts. */
  notReached: boolean;
  /** Nothing more will change (acknowledged or resolved). */
  settled: boolean;
  tone: 'progress' | 'good' | 'bad';
}

export function describePageStatus(p: Page, now: number, timeZone?: string): PageStatusText {
  const at = (iso: string) => clockTime(iso, timeZone);
  // The paging service the page went to ("On-Call", "PagerDuty"), as the server says.
  const svc = serviceName(p.backend);
  const by = acknowledgerName(p);
  switch (p.status) {
    case 'queued': {
      // A queued page due after it was accepted waits for its turn in the service's rate limit (the
      // server gave an attempt back unsent rather than send it late: server/pages/delivery-worker.ts).
      // Compared with its own creation, not this machine's clock, which may be off.
      const later = p.nextAttemptAt !== null && Date.parse(p.nextAttemptAt) > Date.parse(p.createdAt);
      return {
        headline: `Queued: Klaxon is sending your page to ${svc}.`,
        detail: later ? `${svc} takes only a few pages a second; yours goes out in its turn.` : null,
        countdown: later ? nextAttemptText(p.nextAttemptAt!, now) : null,
        notReached: false,
        settled: false,
        tone: 'progress',
      };
    }
    case 'delivering':
      return {
        headline: `Sending your page to ${svc}…`,
        detail: p.attempts > 1 ? `Attempt ${p.attempts}.` : null,
        countdown: null,
        notReached: false,
        settled: false,
        tone: 'progress',
      };
    case 'delivered':
      if (p.mutedAt)
        return {
          headline: `${svc} is in maintenance mode: nobody was paged.`,
          detail: `${p.incidentNumber ? `Incident #${p.incidentNumber} is open, but` : `Your page reached ${svc}, but`} ${svc} pages nobody for it until maintenance mode ends. Reach SRE another way now.`,
          countdown: null,
          notReached: true,
          settled: false,
          tone: 'bad',
        };
      if (p.unconfirmedAt && !p.incidentNumber)
        return {
          headline: `Sent, but ${svc} shows no incident for it: it may have been rewritten or dropped.`,
          detail: `Delivered${p.deliveredAt ? ` at ${at(p.deliveredAt)}` : ''}; Klaxon keeps looking for its incident. If this is urgent, reach SRE another way now.`,
          countdown: null,
          notReached: true,
          settled: false,
          tone: 'bad',
        };
      return p.incidentNumber
        ? {
            headline: `Delivered: incident #${p.incidentNumber} is open and ${svc} is paging.`,
            detail: 'Waiting for someone to acknowledge.',
            countdown: null,
            notReached: false,
            settled: false,
            tone: 'progress',
          }
        : {
            headline: `Delivered to ${svc}. Waiting for the incident number…`,
            detail: null,
            countdown: null,
            notReached: false,
            settled: false,
            tone: 'progress',
          };
    case 'failing': {
      if (p.gaveUpAt) {
        return {
          headline: `Your page has NOT reached ${svc}. Klaxon has stopped retrying.`,
          detail: `${p.lastError ? `Last error: ${p.lastError} ` : ''}Use one of the contacts below now.`,
          countdown: null,
          notReached: true,
          settled: false,
          tone: 'bad',
        };
      }
      return {
        headline: `Your page has NOT reached ${svc} yet. Klaxon keeps retrying…`,
        // No error recorded: an attempt ended without an answer (the server stopped mid-send), so whether
        // the service took it is not known; the next attempt's dedup key keeps a second send harmless.
        detail: `${p.lastError ? `Last error: ${p.lastError}` : `Klaxon could not confirm that ${svc} received it.`} If this is urgent, use a contact below now.`,
        countdown: p.nextAttemptAt ? nextAttemptText(p.nextAttemptAt, now) : null,
        notReached: true,
        settled: false,
        tone: 'bad',
      };
    }
    case 'acknowledged':
      return {
        headline: `Acknowledged by ${by ?? svc}${p.ackedAt ? ` at ${at(p.ackedAt)}` : ''}.`,
        detail: p.incidentNumber ? `Incident #${p.incidentNumber}: SRE is on it.` : 'SRE is on it.',
        countdown: null,
        notReached: false,
        settled: true,
        tone: 'good',
      };
    case 'resolved':
      return {
        headline: `Resolved${p.incidentNumber ? `: incident #${p.incidentNumber}` : ''}.`,
        detail: by ? `Acknowledged by ${by}.` : null,
        countdown: null,
        notReached: false,
        settled: true,
        tone: 'good',
      };
  }
}

/**
 * "Next attempt in 8 s." counted down to a due time, in the one duration wording (common/duration.ts);
 * "Trying again now…" once it is due. Whatever the precision of the time, it is never a clock time:
 * "at 21:43" says nothing about how soon.
 */
export function nextAttemptText(nextAttemptAt: string, now: number): string {
  const s = secondsUntil(nextAttemptAt, now) ?? 0;
  return s > 0 ? `Next attempt in ${durationText(s)}.` : 'Trying again now…';
}

/** The four steps queued → delivered → incident #N → acknowledged, with where the page is now. */
export function pageSteps(p: Page): PageStep[] {
  const svc = serviceName(p.backend);
  const delivered = p.deliveredAt !== null || ['delivered', 'acknowledged', 'resolved'].includes(p.status);
  const hasIncident = p.incidentNumber !== null;
  const acked = p.status === 'acknowledged' || p.status === 'resolved' || p.ackedBy !== null;
  const failing = p.status === 'failing';
  const unconfirmed = !hasIncident && !!p.unconfirmedAt && p.status === 'delivered';
  const muted = !!p.mutedAt && !acked;
  const steps: PageStep[] = [
    { key: 'queued', label: 'Queued', state: 'done' },
    {
      key: 'delivered',
      label: failing ? 'Not delivered yet' : `Delivered to ${svc}`,
      state: delivered ? 'done' : failing ? 'failed' : 'current',
    },
    {
      key: 'incident',
      label: hasIncident ? `Incident #${p.incidentNumber}` : unconfirmed ? `No incident in ${svc}` : 'Incident opened',
      state: hasIncident ? 'done' : unconfirmed ? 'failed' : delivered ? 'current' : 'pending',
    },
    {
      key: 'acknowledged',
      label: acked
        ? `Acknowledged by ${acknowledgerName(p) ?? svc}`
        : muted
          ? 'Nobody paged (maintenance mode)'
          : 'Acknowledged',
      state: acked ? 'done' : muted ? 'failed' : hasIncident ? 'current' : 'pending',
    },
  ];
  return steps;
}

/**
 * The page to keep following on the home screen: the newest one not settled, or settled in the
 * last 15 min. A long-settled newer page must not hide an older one that is still failing (and
 * with it the fallback contacts), so settled pages are skipped, not the end of the search.
 */
export function pageToFollow(pages: readonly Page[], now: number): Page | null {
  const newest = [...pages].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  for (const p of newest) {
    const settled = p.status === 'acknowledged' || p.status === 'resolved';
    if (!settled) return p;
    if (now - Date.parse(p.updatedAt) < 15 * 60_000) return p;
  }
  return null;
}

/** What a progress step's icon means, for screen readers (the icon itself is hidden from them). */
export const STEP_STATE_WORDS: Record<StepState, string> = {
  done: ' (done)',
  current: ' (in progress)',
  failed: ' (failing)',
  pending: ' (not yet)',
};

/** Under the followed page in the dialog: what closing it means, now that the page is where it is. */
export function followNote(p: Page): string {
  if (p.status === 'acknowledged')
    return `${acknowledgerName(p) ?? 'Someone'} acknowledged it: SRE is on it. You can close this; your page stays under "My recent pages".`;
  if (p.status === 'resolved')
    return 'The incident is resolved. You can close this; your page stays under "My recent pages".';
  return 'You can close this: your page is tracked on the home screen until someone acknowledges it.';
}

/** "My recent pages" shows the newest few; older ones stay on the server. */
export const MY_PAGES_SHOWN = 10;
