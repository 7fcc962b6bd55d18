import type { FastifyInstance } from 'fastify';
import { viewerOf, type Guard } from '../auth/guard.js';
import { addRoute } from '../http/contract-route.js';
import type { EventStream } from '../live/event-stream.js';
import type { KlaxonStore } from '../store/store.js';
import { MY_PAGES_LIMIT } from './pages.js';

/** `GET /api/v1/events`: the server-sent event stream (incidents for everyone, pages for their requester). */
export async function eventsRoutes(
  app: FastifyInstance,
  deps: { guard: Guard; events: Pick<EventStream, 'attach' | 'currentId'>; store: Pick<KlaxonStore, 'pagesOf'> },
): Promise<void> {
  addRoute(app, 'events', deps.guard, async (req, reply) => {
    const viewer = viewerOf(req);
    // Read before the pages: page events published while they load are sent after the snapshot.
    const asOf = deps.events.currentId();
    const pages = await deps.store.pagesOf(viewer.sub, MY_PAGES_LIMIT);
    deps.events.attach(req, reply, viewer, pages, asOf);
  });
}
