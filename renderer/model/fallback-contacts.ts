import { formatPhoneNumber, type FallbackContact } from '#common/index.js';

/** After a fallback contact's label: the number to dial for a phone (written as everywhere else), else what kind of contact it is. */
export function fallbackContactDetail(c: Pick<FallbackContact, 'kind' | 'href'>): string {
  return c.kind === 'phone' ? formatPhoneNumber(c.href) : c.kind;
}
