import type { Page } from '#common/index.js';
import type { AcceptOutcome, KlaxonStore } from '#server/store/store.js';
import * as build from './builders.js';

/**
 * Accepts a queued page from Alice straight into a store (no HTTP), as `POST /api/v1/pages` would:
 * page, idempotency key, rate limit and audit entry in one call. Returns the page and the outcome.
 */
export async function acceptQueuedPage(
  store: KlaxonStore,
  opts: {
    summary?: string;
    email?: string | null;
    client?: Page['client'];
    at?: Date;
    key?: string;
    rateMax?: number;
  } = {},
): Promise<{ page: Page; outcome: AcceptOutcome }> {
  const at = opts.at ?? new Date();
  const iso = at.toISOString();
  const page: Page = build.page({
    id: crypto.randomUUID(),
    requester: { sub: 'alice', name: 'Alice Andersen', email: opts.email ?? null },
    summary: opts.summary ?? 'Test page',
    client: opts.client ?? 'web',
    nextAttemptAt: iso,
    createdAt: iso,
    updatedAt: iso,
  });

  const key = opts.key ?? `key-${page.id}`;
  const outcome = await store.acceptPage({
    record: { page, routingKey: 'sre', idempotencyKey: key, requestHash: key },
    rate: { max: opts.rateMax ?? 100, windowSeconds: 600 },
    now: at,
    audit: { at, actorSub: 'alice', actorName: 'Alice Andersen', action: 'page.accepted', pageId: null, detail: {} },
  });
  return { page, outcome };
}
