/**
 * Which URLs Klaxon hands to the operating system (`shell.openExternal`): only URLs the server
 * itself sent, never one a renderer could invent:
 * - the server's ClientConfig: fallback contacts and the ticket tracker URL;
 * - On-Call incident links (`Incident.link`) in the current snapshot.
 * An URL passes only when it is exactly one of those (compared after URL normalisation).
 *
 * https only, with one deliberate exception: `tel:` and `mailto:` for the fallback contacts the
 * server configures (when Klaxon itself cannot page, the fallback is a phone number, and the user
 * must be able to call it from the app). Those schemes open the OS dialer or mail
 * client, never a browser page, so they cannot load remote content; and because only the exact
 * URLs from the server's configuration pass, a renderer cannot use them to reach anything else.
 * Incident links stay https only.
 */
import type { ClientConfig, IncidentSnapshot } from '#common/index.js';

export function refuseExternalUrl(
  raw: string,
  ctx: { config: ClientConfig | null; snapshot: IncidentSnapshot | null },
): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'That is not a valid link.';
  }
  if (!['https:', 'tel:', 'mailto:'].includes(url.protocol))
    return `Klaxon only opens https, tel and mailto links (not ${url.protocol}).`;
  if (url.username || url.password) return 'Klaxon does not open links that carry a user name or password.';
  const same = (a: string) => {
    try {
      return new URL(a).href === url.href;
    } catch {
      return false;
    }
  };
  const config = ctx.config;
  if (config) {
    if (config.fallbackContacts.some((c) => same(c.href))) return null;
    if (config.ticketUrl && same(config.ticketUrl)) return null;
  }
  const incidentLinks = (ctx.snapshot?.incidents ?? []).map((i) => i.link).filter((l): l is string => l !== null);
  if (url.protocol === 'https:' && incidentLinks.some(same)) return null;
  return 'Klaxon only opens links from its server configuration (fallback contacts, ticket tracker) and On-Call incident links.';
}
