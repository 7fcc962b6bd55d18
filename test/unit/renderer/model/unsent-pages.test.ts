import { describe, expect, it } from 'vitest';
import type { UnsentPage } from '#common/index.js';
import {
  describeUnsent,
  notSentYet,
  unsentHeading,
  unsentOf,
  unsentSignedOutNote,
  whereKept,
} from '#renderer/model/unsent-pages.js';
import { T0, iso } from '#test/support/renderer-fixtures.js';

const unsent = (over: Partial<UnsentPage> = {}): UnsentPage => ({
  request: { summary: 'Login broken', details: '', idempotencyKey: 'klx-0123456789abcdef' },
  requesterSub: 'alice',
  targetLabel: 'SRE on call',
  firstTriedAt: iso(-60_000),
  attempts: 2,
  lastError: 'The Klaxon server is not reachable: check your network or VPN.',
  nextAttemptAt: iso(8000),
  refusal: null,
  ...over,
});
const refused = unsent({ nextAttemptAt: null, refusal: { code: 'forbidden', message: 'You may not page SRE.' } });

describe('pages not sent yet, in words', () => {
  it('never reads as on its way: NOT sent yet, Klaxon keeps trying, how many', () => {
    expect(unsentHeading([unsent()])).toBe('1 page NOT sent yet — Klaxon keeps trying');
    expect(unsentHeading([unsent(), unsent()])).toBe('2 pages NOT sent yet — Klaxon keeps trying');
    expect(unsentHeading([refused])).toBe('1 page NOT sent');
    expect(unsentHeading([unsent(), refused])).toBe('1 page NOT sent yet — Klaxon keeps trying; 1 refused');
  });

  it('says why, and counts down to the next attempt outside what is announced', () => {
    expect(describeUnsent(unsent(), T0)).toEqual({
      status: 'NOT sent yet. The Klaxon server is not reachable: check your network or VPN.',
      countdown: 'Next attempt in 8 s.',
      refused: false,
    });
    expect(describeUnsent(unsent(), T0 + 9000).countdown).toBe('Trying again now…');
    expect(describeUnsent(unsent({ nextAttemptAt: null }), T0).countdown).toBe('It goes as soon as you are signed in.');
    expect(describeUnsent(refused, T0)).toEqual({
      status:
        'NOT sent: You may not page SRE. Klaxon has stopped trying. If SRE still needs to know, page again or use a contact below.',
      countdown: null,
      refused: true,
    });
  });

  it('signed out, says that a waiting page goes once its author signs in again', () => {
    expect(unsentSignedOutNote([unsent()])).toBe(
      '1 page NOT sent yet: sign in again as the person who wrote it and Klaxon sends it. If it cannot wait, reach SRE another way.',
    );
    expect(unsentSignedOutNote([unsent(), unsent()])).toMatch(
      /^2 pages NOT sent yet: .* wrote them and Klaxon sends them\./,
    );
    expect(unsentSignedOutNote([refused])).toBeNull();
    expect(unsentSignedOutNote([])).toBeNull();
  });

  it('shows only the signed-in person’s pages', () => {
    expect(unsentOf([unsent(), unsent({ requesterSub: 'bob' })], 'alice')).toHaveLength(1);
  });

  it('in the dialog: kept (Klaxon keeps trying, where) or not kept (Try again)', () => {
    const doubt = { message: 'The answer was lost.' };
    const kept = notSentYet(doubt, unsent(), T0, 'desktop');
    expect(kept.reason).toBe('The Klaxon server is not reachable: check your network or VPN.');
    expect(kept.next).toMatch(/^Klaxon keeps trying until the server answers\. Klaxon keeps it on this computer;/);
    expect(kept.countdown).toBe('Next attempt in 8 s.');
    expect(notSentYet(doubt, unsent(), T0, 'web').next).toContain('This browser tab keeps it (do not close the tab)');
    expect(notSentYet(doubt, null, T0, 'web')).toEqual({
      reason: 'The answer was lost.',
      next: 'Klaxon could not confirm that the server received it. Try again sends the same page: it cannot page SRE twice.',
      countdown: null,
    });
    expect(whereKept('desktop')).toBe('Klaxon keeps it on this computer');
  });
});
