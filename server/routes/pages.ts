import type { FastifyInstance } from 'fastify';
import { IDEMPOTENCY_HEADER, routePath, type Page } from '#common/index.js';
import { viewerOf, type Guard } from '../auth/guard.js';
import { addRoute } from '../http/contract-route.js';
import { HttpError } from '../http/errors.js';
import type { Metrics } from '../http/metrics.js';
import type { PageOutbox } from '../pages/accept.js';
import type { KlaxonStore } from '../store/store.js';

export interface PagesRouteDeps {
  guard: Guard;
  outbox: PageOutbox;
  store: Pick<KlaxonStore, 'pagesOf' | 'getPage'>;
  metrics: Pick<Metrics, 'pagesCreated'>;
  /** A page was accepted (not a replay): its requester hears of it and delivery starts. */
  onPageAccepted(page: Page): void;
}

/** How many of a person's pages `/pages/mine` and their event stream's snapshot carry, newest first. */
export const MY_PAGES_LIMIT = 50;

/** `POST /api/v1/pages` (accept a page), `GET /api/v1/pages/mine`, `GET /api/v1/pages/:id`. */
export async function pagesRoutes(app: FastifyInstance, deps: PagesRouteDeps): Promise<void> {
  addRoute(app, 'createPage', deps.guard, async (req, reply) => {
    const header = req.headers[IDEMPOTENCY_HEADER];
    const { page, created } = await deps.outbox.accept(
      viewerOf(req),
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
      deps.onPageAccepted(page);
    }
    reply.header('cache-control', 'no-store').header('location', routePath('getPage', { id: page.id }));
    return page;
  });

  addRoute(app, 'myPages', deps.guard, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return { pages: await deps.store.pagesOf(viewerOf(req).sub, MY_PAGES_LIMIT) };
  });

  addRoute(app, 'getPage', deps.guard, async (req, reply) => {
    const viewer = viewerOf(req);
    const id = (req.params as { id: string }).id;
    const rec = /^[0-9a-f-]{36}$/i.test(id) ? await deps.store.getPage(id.toLowerCase()) : null;
    // Other people's pages are visible to those who may acknowledge (SRE), not to everyone.
    if (!rec || (rec.page.requester.sub !== viewer.sub && !viewer.permissions.acknowledge)) {
      throw new HttpError(404, 'not_found', 'No page with this id is visible to you.');
    }
    reply.header('cache-control', 'no-store');
    return rec.page;
  });
}
