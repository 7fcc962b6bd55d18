/**
 * Who acknowledged, as people read it, the same on every screen: the name the server joined to the
 * incident or page ("Carol Okafor", "Alice Andersen (via Klaxon)"), else the paging service's
 * username, else null.
 */
export function acknowledgerName(x: {
  ackedBy: string | null;
  ackedByName?: string | null | undefined;
}): string | null {
  return x.ackedByName ?? x.ackedBy;
}

/** How an acknowledgement made in Klaxon is credited: to the person, whatever service user sent it. */
export const viaKlaxon = (personName: string): string => `${personName} (via Klaxon)`;
