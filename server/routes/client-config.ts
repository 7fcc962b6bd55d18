import type { FastifyInstance } from 'fastify';
import type { ClientConfig, EscalationOffer, IncidentBackend } from '#common/index.js';
import { addRoute } from '../http/contract-route.js';
import type { ServerConfig } from '../config/index.js';
import { sentryRelease } from '../runtime/error-reports.js';

/** What clients learn from the server before sign-in: identity provider, targets, fallback contacts. No secrets. */
function clientConfigOf(c: ServerConfig): ClientConfig {
  return {
    serverName: c.serverName,
    oidc: {
      issuer: c.oidc.issuer,
      desktopClientId: c.oidc.desktopClientId,
      resource: c.oidc.audience,
      scopes: c.oidc.scopes,
    },
    targets: c.targets.map((t) => ({
      id: t.id,
      label: t.label,
      description: t.description,
      teams: t.teams,
      isDefault: t.default,
      ...(t.backend === 'oncall' ? {} : { backend: t.backend }),
    })),
    fallbackContacts: c.fallbackContacts,
    ticketUrl: c.ticketUrl,
    recentWindowMinutes: c.oncall.recentWindowMinutes,
    pollIntervalSeconds: c.oncall.pollIntervalSeconds,
    groups: { page: c.groups.page, acknowledge: c.groups.acknowledge, view: c.groups.view },
    pageRateLimit: c.pageRateLimit,
    // Only when on: a desktop older than the field refuses a configuration that has it.
    ...(c.sentry.clientDsn
      ? {
          sentry: {
            dsn: c.sentry.clientDsn,
            environment: c.sentry.environment,
            release: sentryRelease(c),
            sampleRate: c.sentry.sampleRate,
          },
        }
      : {}),
  };
}

/** `GET /api/v1/client-config`: public. */
export async function clientConfigRoutes(
  app: FastifyInstance,
  deps: {
    config: ServerConfig;
    /** The paging services this server uses: with more than one, offers are sent per service. */
    services: readonly IncidentBackend[];
    escalationOffers?: () => Promise<Partial<Record<IncidentBackend, EscalationOffer>>>;
  },
): Promise<void> {
  const clientConfig = clientConfigOf(deps.config);
  addRoute(app, 'clientConfig', null, async (_req, reply) => {
    reply.header('cache-control', 'no-cache');
    // "Escalate now" is offered only once the server knows the service's policy and user exist.
    const offers = (await deps.escalationOffers?.()) ?? {};
    if (deps.services.length > 1)
      return Object.keys(offers).length > 0 ? { ...clientConfig, escalationsByService: offers } : clientConfig;
    // One service: the field every Klaxon desktop since "Escalate now" reads.
    const escalation = offers[deps.services[0]!] ?? null;
    return escalation ? { ...clientConfig, escalation } : clientConfig;
  });
}
