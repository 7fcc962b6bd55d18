import type { FastifyInstance } from 'fastify';
import { viewerOf, type Guard } from '../auth/guard.js';
import { addRoute } from '../http/contract-route.js';
import type { EventStream } from '../live/event-stream.js';
import type { KlaxonStore } from '../store/store.js';
import { MY_PAGES_LIMIT } from './pages.js';

/**
 * `GET /api/v1/events`: the server-sent event stream (incidents for everyone, pages for their requester),
 * and `GET /api/v1/events/admission`: whether one more stream of this person would be accepted.
 */
export async function eventsRoutes(
  app: FastifyInstance,
  deps: {
    guard: Guard;
    events: Pick<EventStream, 'attach' | 'currentId' | 'admit'>;
    store: Pick<KlaxonStore, 'pagesOf'>;
  },
): Promise<void> {
  addRoute(app, 'events', deps.guard, async (req, reply) => {
    const viewer = viewerOf(req);
    deps.events.admit(viewer); // before the pages are read for a stream that would be refused (attach checks again)
    // Read before the pages: page events published while they load are sent after the snapshot.
    const asOf = deps.events.currentId();
    const pages = await deps.store.pagesOf(viewer.sub, MY_PAGES_LIMIT);
    deps.events.attach(req, reply, viewer, pages, asOf);
  });
  // Asks what `events` would answer, without opening a stream (or reading a snapshot).
  addRoute(app, 'eventsAdmission', deps.guard, async (req) => deps.events.admit(viewerOf(req)));
}
