import type { FastifyInstance } from 'fastify';
import { IDEMPOTENCY_HEADER, routes, type ClientConfig, type Me, type Page } from '#common/index.js';
import type { Guard } from '../auth/guard.js';
import type { WebSessions } from '../auth/web-session.js';
import type { ServerConfig } from '../config/index.js';
import { HttpError } from '../http/errors.js';
import type { Metrics } from '../http/metrics.js';
import type { PageOutbox } from '../pages/accept.js';
import type { KlaxonStore } from '../store/store.js';

export interface ApiRouteDeps {
  config: ServerConfig;
  guard: Guard;
  outbox: PageOutbox;
  store: KlaxonStore;
  sessions: WebSessions;
  metrics: Metrics;
  /** A page was accepted: wake the worker and tell the requester's streams. */
  onAccepted(page: Page): void;
}

export function clientConfigOf(c: ServerConfig): ClientConfig {
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
    })),
    fallbackContacts: c.fallbackContacts,
    ticketUrl: c.ticketUrl,
    recentWindowMinutes: c.oncall.recentWindowMinutes,
    pollIntervalSeconds: c.oncall.pollIntervalSeconds,
    groups: { page: c.groups.page, acknowledge: c.groups.acknowledge, view: c.groups.view },
    pageRateLimit: c.pageRateLimit,
  };
}

export const MY_PAGES_LIMIT = 50;

/** client-config, me and the pages routes. */
export function registerApiRoutes(app: FastifyInstance, deps: ApiRouteDeps): void {
  const clientConfig = clientConfigOf(deps.config);

  app.get(routes.clientConfig.path, async (_req, reply) => {
    reply.header('cache-control', 'no-cache');
    return clientConfig;
  });

  app.get(routes.me.path, { preHandler: deps.guard('user') }, async (req, reply) => {
    const v = req.viewer!;
    const me: Me = {
      user: { sub: v.sub, name: v.name, email: v.email, groups: v.groups },
      permissions: v.permissions,
    };
    if (v.via === 'session') {
      const s = await deps.sessions.fromRequest(req);
      if (s && s !== 'invalid') me.csrfToken = s.csrfToken;
    }
    reply.header('cache-control', 'no-store');
    return me;
  });

  app.post(routes.createPage.path, { preHandler: deps.guard('page') }, async (req, reply) => {
    const header = req.headers[IDEMPOTENCY_HEADER];
    const { page, created } = await deps.outbox.accept(
      req.viewer!,
      req.body,
      typeof header === 'string' ? header : undefined,
      { ip: req.ip },
    );
    if (created) {
      deps.metrics.pagesCreated.inc();
      req.log.info(
        { pageId: page.id, sub: page.requester.sub, target: page.target.id, client: page.client },
        'page accepted',
      );
      deps.onAccepted(page);
    }
    reply.code(202).header('cache-control', 'no-store').header('location', `${routes.createPage.path}/${page.id}`);
    return page;
  });

  app.get(routes.myPages.path, { preHandler: deps.guard('user') }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return { pages: await deps.store.pagesOf(req.viewer!.sub, MY_PAGES_LIMIT) };
  });

  app.get(routes.getPage.path, { preHandler: deps.guard('user') }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const rec = /^[0-9a-f-]{36}$/i.test(id) ? await deps.store.getPage(id.toLowerCase()) : null;
    // Other people's pages are visible to those who may acknowledge (SRE), not to everyone.
    if (!rec || (rec.page.requester.sub !== req.viewer!.sub && !req.viewer!.permissions.acknowledge)) {
      throw new HttpError(404, 'not_found', 'No page with this id is visible to you.');
    }
    reply.header('cache-control', 'no-store');
    return rec.page;
  });
}
