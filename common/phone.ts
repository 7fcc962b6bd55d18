/**
 * A phone number as people read it: "tel:+15550100" → "+1 555 0100". One formatter for every place
 * that prints a number (the fallback contacts, the server's rate-limit sentence), so a person about
 * to dial under stress never sees the same number written two ways. North American numbers are
 * grouped; any other number is shown as configured, without the `tel:` prefix.
 */
export function formatPhoneNumber(href: string): string {
  const raw = href.replace(/^tel:/, '');
  const m = /^\+1(\d{7}|\d{10})$/.exec(raw);
  if (!m) return raw;
  const d = m[1]!;
  return d.length === 7 ? `+1 ${d.slice(0, 3)} ${d.slice(3)}` : `+1 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
}
