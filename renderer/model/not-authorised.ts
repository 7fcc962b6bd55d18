/**
 * The server's own words to a refused user, shown under the not-authorised sentence, unless they
 * are that sentence again (common/access.ts words both, so they start alike).
 */
export function refusalNote(message: string | null): string | null {
  return message && !message.startsWith('Your account is not in a group') ? message : null;
}
