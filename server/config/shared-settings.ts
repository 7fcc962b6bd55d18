import { createHash } from 'node:crypto';
import type { ServerConfig } from './schema.js';

/** A secret as something two servers can compare without either storing it: a short digest. */
const digest = (secret: string): string =>
  secret ? `sha256:${createHash('sha256').update(`klaxon-shared-setting:${secret}`).digest('hex').slice(0, 16)}` : '';

/**
 * The settings every Klaxon server on one database must share, by key. A difference in any of
 * them would make the answer depend on which server takes a request: another list of targets,
 * pages sent to another On-Call organisation, other rules for who may page or acknowledge,
 * another rate limit on the same rate-limit events, session cookies signed with another secret.
 * Secrets appear as digests. Per-server settings (listen address, log level, timeouts) are not here.
 */
export function sharedSettings(c: ServerConfig): Record<string, unknown> {
  return {
    targets: c.targets,
    'oncall.apiBaseUrl': c.oncall.apiBaseUrl,
    'oncall.restEndpointBaseUrl': c.oncall.restEndpointBaseUrl,
    'oncall.restEndpointKey': digest(c.oncall.restEndpointKey),
    'oncall.orgSlug': c.oncall.orgSlug,
    'oncall.teams': c.oncall.teams,
    'oncall.ackAsUser': c.oncall.ackAsUser,
    'oidc.issuer': c.oidc.issuer,
    'oidc.audience': c.oidc.audience,
    'oidc.groupsClaim': c.oidc.groupsClaim,
    'groups.page': c.groups.page,
    'groups.acknowledge': c.groups.acknowledge,
    'groups.view': c.groups.view,
    'pageRateLimit.max': c.pageRateLimit.max,
    'pageRateLimit.windowSeconds': c.pageRateLimit.windowSeconds,
    fallbackContacts: c.fallbackContacts,
    sessionSecret: digest(c.sessionSecret),
  };
}
