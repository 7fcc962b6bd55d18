/**
 * Which URLs Klaxon hands to the operating system (`shell.openExternal`): only links the server's
 * configuration names (fallback contacts, ticket tracker), incident links on the On-Call portal,
 * and nothing a renderer could invent. https, tel: and mailto: only (security.md §4.1 item 15).
 */
import type { ClientConfig, IncidentSnapshot } from '../common/index.js';

/** On-Call's web portal hosts incident links (reference: portal.victorops.com/ui/<org>/incident/<n>). */
export const ONCALL_PORTAL_ORIGINS = ['https://portal.victorops.com'];

export function refuseExternalUrl(raw: string, ctx: { config: ClientConfig | null; snapshot: IncidentSnapshot | null }): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'That is not a valid link.';
  }
  if (!['https:', 'tel:', 'mailto:'].includes(url.protocol)) return `Klaxon only opens https, tel and mailto links (not ${url.protocol}).`;
  if (url.username || url.password) return 'Klaxon does not open links that carry a user name or password.';
  const same = (a: string) => {
    try { return new URL(a).href === url.href; } catch { return false; }
  };
  const config = ctx.config;
  if (config) {
    if (config.fallbackContacts.some((c) => same(c.href))) return null;
    if (config.ticketUrl && same(config.ticketUrl)) return null;
  }
  const incidentLinks = (ctx.snapshot?.incidents ?? []).map((i) => i.link).filter((l): l is string => l !== null);
  if (url.protocol === 'https:' && incidentLinks.some(same)) return null;
  if (url.protocol === 'https:' && ONCALL_PORTAL_ORIGINS.includes(url.origin) && /^\/ui\/[^/]+\/incident\/\d+(\/details)?\/?$/.test(url.pathname)) return null;
  return 'Klaxon only opens links from its server configuration (fallback contacts, ticket tracker) and On-Call incident links.';
}
