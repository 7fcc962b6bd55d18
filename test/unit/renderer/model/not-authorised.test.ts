import { describe, expect, it } from 'vitest';
import { allowedGroups, notAuthorisedMessage } from '#common/index.js';
import { refusalNote } from '#renderer/model/not-authorised.js';

describe('not authorised', () => {
  it("shows the server's words unless they repeat the not-authorised sentence", () => {
    expect(refusalNote(notAuthorisedMessage(['sre']))).toBeNull();
    expect(refusalNote('Your session was refused by the identity provider.')).toBe(
      'Your session was refused by the identity provider.',
    );
    expect(refusalNote(null)).toBeNull();
  });

  it('the sentence names the groups to ask for', () => {
    const groups = allowedGroups({ page: ['staff', 'sre'], acknowledge: ['sre'] });
    expect(notAuthorisedMessage(groups)).toBe(
      'Your account is not in a group allowed to use Klaxon. Ask for membership of: staff or sre.',
    );
  });
});
