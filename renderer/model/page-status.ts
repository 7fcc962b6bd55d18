import { acknowledgerName, type Page } from '#common/index.js';
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
  /** Extra sentence (retry timing, last error), or null. */
  detail: string | null;
  /** The page has not reached On-Call: show the fallback contacts. */
  notReached: boolean;
  /** Nothing more will change (acknowledged or resolved). */
  settled: boolean;
  tone: 'progress' | 'good' | 'bad';
}

export function describePageStatus(p: Page, timeZone?: string): PageStatusText {
  const at = (iso: string) => clockTime(iso, timeZone);
  const by = acknowledgerName(p);
  switch (p.status) {
    case 'queued':
      return {
        headline: 'Queued: Klaxon is sending your page to On-Call.',
        detail: null,
        notReached: false,
        settled: false,
        tone: 'progress',
      };
    case 'delivering':
      return {
        headline: 'Sending your page to On-Call…',
        detail: p.attempts > 1 ? `Attempt ${p.attempts}.` : null,
        notReached: false,
        settled: false,
        tone: 'progress',
      };
    case 'delivered':
      return p.incidentNumber
        ? {
            headline: `Delivered: incident #${p.incidentNumber} is open and On-Call is paging.`,
            detail: 'Waiting for someone to acknowledge.',
            notReached: false,
            settled: false,
            tone: 'progress',
          }
        : {
            headline: 'Delivered to On-Call. Waiting for the incident number…',
            detail: null,
            notReached: false,
            settled: false,
            tone: 'progress',
          };
    case 'failing': {
      if (p.gaveUpAt) {
        return {
          headline: 'Your page has NOT reached On-Call. Klaxon has stopped retrying.',
          detail: `${p.lastError ? `Last error: ${p.lastError} ` : ''}Use one of the contacts below now.`,
          notReached: true,
          settled: false,
          tone: 'bad',
        };
      }
      const next = p.nextAttemptAt ? ` Next attempt at ${at(p.nextAttemptAt)}.` : '';
      return {
        headline: 'Your page has NOT reached On-Call yet. Klaxon keeps retrying…',
        detail: `${p.lastError ? `Last error: ${p.lastError}` : 'On-Call did not accept it.'}${next} If this is urgent, use a contact below now.`,
        notReached: true,
        settled: false,
        tone: 'bad',
      };
    }
    case 'acknowledged':
      return {
        headline: `Acknowledged by ${by ?? 'On-Call'}${p.ackedAt ? ` at ${at(p.ackedAt)}` : ''}.`,
        detail: p.incidentNumber ? `Incident #${p.incidentNumber}: SRE is on it.` : 'SRE is on it.',
        notReached: false,
        settled: true,
        tone: 'good',
      };
    case 'resolved':
      return {
        headline: `Resolved${p.incidentNumber ? `: incident #${p.incidentNumber}` : ''}.`,
        detail: by ? `Acknowledged by ${by}.` : null,
        notReached: false,
        settled: true,
        tone: 'good',
      };
  }
}

/** The four steps queued → delivered → incident #N → acknowledged, with where the page is now. */
export function pageSteps(p: Page): PageStep[] {
  const delivered = p.deliveredAt !== null || ['delivered', 'acknowledged', 'resolved'].includes(p.status);
  const hasIncident = p.incidentNumber !== null;
  const acked = p.status === 'acknowledged' || p.status === 'resolved' || p.ackedBy !== null;
  const failing = p.status === 'failing';
  const steps: PageStep[] = [
    { key: 'queued', label: 'Queued', state: 'done' },
    {
      key: 'delivered',
      label: failing ? 'Not delivered yet' : 'Delivered to On-Call',
      state: delivered ? 'done' : failing ? 'failed' : 'current',
    },
    {
      key: 'incident',
      label: hasIncident ? `Incident #${p.incidentNumber}` : 'Incident opened',
      state: hasIncident ? 'done' : delivered ? 'current' : 'pending',
    },
    {
      key: 'acknowledged',
      label: acked ? `Acknowledged by ${acknowledgerName(p) ?? 'On-Call'}` : 'Acknowledged',
      state: acked ? 'done' : hasIncident ? 'current' : 'pending',
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

/** "My recent pages" shows the newest few; older ones stay on the server. */
export const MY_PAGES_SHOWN = 10;
