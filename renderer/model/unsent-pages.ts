import { isWaiting, type UnsentPage } from '#common/index.js';
import { nextAttemptText } from './page-status.js';

/**
 * What to say about pages Klaxon keeps because the server has not confirmed them
 * (common/unsent-page.ts). "NOT sent yet" is the whole point: a page nobody confirmed must never
 * read as one that will arrive by itself, so every line says it is not sent and what to do now.
 */

/** Whose pages are shown: only the signed-in person's (the rest wait for their author). */
export const unsentOf = (pages: readonly UnsentPage[], sub: string): UnsentPage[] =>
  pages.filter((u) => u.requesterSub === sub);

const count = (n: number) => `${n} ${n === 1 ? 'page' : 'pages'}`;

/** The card's heading, announced when it changes: "1 page NOT sent yet — Klaxon keeps trying". */
export function unsentHeading(pages: readonly UnsentPage[]): string {
  const waiting = pages.filter(isWaiting).length;
  const refused = pages.length - waiting;
  if (!waiting) return `${count(refused)} NOT sent`;
  const head = `${count(waiting)} NOT sent yet — Klaxon keeps trying`;
  return refused ? `${head}; ${refused} refused` : head;
}

/** Signed out with pages still waiting: why signing in matters now. */
export function unsentSignedOutNote(pages: readonly UnsentPage[]): string | null {
  const waiting = pages.filter(isWaiting).length;
  if (!waiting) return null;
  return `${count(waiting)} NOT sent yet: sign in again as the person who wrote ${waiting === 1 ? 'it' : 'them'} and Klaxon sends ${waiting === 1 ? 'it' : 'them'}. If it cannot wait, reach SRE another way.`;
}

export interface UnsentText {
  /** What happened and what Klaxon does about it; changes only when an attempt ends (announced). */
  status: string;
  /** The ticking part ("Next attempt in 8 s."): shown, never announced. */
  countdown: string | null;
  refused: boolean;
}

/** Where the kept page lives, so the person knows what must stay open for it to go. */
export const whereKept = (shell: 'desktop' | 'web'): string =>
  shell === 'desktop' ? 'Klaxon keeps it on this computer' : 'This browser tab keeps it (do not close the tab)';

export function describeUnsent(u: UnsentPage, now: number): UnsentText {
  if (u.refusal)
    return {
      status: `NOT sent: ${u.refusal.message} Klaxon has stopped trying. If SRE still needs to know, page again or use a contact below.`,
      countdown: null,
      refused: true,
    };
  if (u.nextAttemptAt === null)
    return {
      status: `NOT sent yet. ${u.lastError}`,
      countdown: 'It goes as soon as you are signed in.',
      refused: false,
    };
  return { status: `NOT sent yet. ${u.lastError}`, countdown: nextAttemptText(u.nextAttemptAt, now), refused: false };
}

export interface NotSentYetText {
  /** Why it did not get through: the last attempt's reason. */
  reason: string;
  /** What happens now and what the person can do. */
  next: string;
  /** Ticking: "Next attempt in 8 s.", or null when nothing is scheduled. */
  countdown: string | null;
}

/** The page dialog's words for a Send nobody confirmed, kept (`held`) or not. */
export function notSentYet(
  doubt: { message: string },
  held: UnsentPage | null,
  now: number,
  shell: 'desktop' | 'web',
): NotSentYetText {
  if (!held)
    return {
      reason: doubt.message,
      next: 'Klaxon could not confirm that the server received it. Try again sends the same page: it cannot page SRE twice.',
      countdown: null,
    };
  return {
    reason: held.lastError,
    next: `Klaxon keeps trying until the server answers. ${whereKept(shell)}; sending the same page again cannot page SRE twice. You can close this: it stays on the home screen until it is sent or you discard it.`,
    countdown: held.nextAttemptAt ? nextAttemptText(held.nextAttemptAt, now) : null,
  };
}
