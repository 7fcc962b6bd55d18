import { createHash, randomUUID } from 'node:crypto';
import { IdempotencyKey, PageRequest, type Page, type ValidPageRequest } from '#common/index.js';
import { auditEntry } from '../store/audit-entry.js';
import type { ServerConfig, TargetConfig } from '../config/index.js';
import { HttpError } from '../http/errors.js';
import { rateLimitMessage } from './rate-limit.js';
import type { KlaxonStore, NewAnnouncement } from '../store/store.js';
import type { Viewer } from '../auth/viewer.js';

const MISSING_KEY =
  'Send an Idempotency-Key header (16–128 letters, digits, - or _, e.g. a UUID); reuse it when retrying the same page.';

export interface AcceptResult {
  page: Page;
  /** False when the request replayed an earlier one (same idempotency key and body). */
  created: boolean;
}

/**
 * Accepting a page (`POST /api/v1/pages`): read the request, pick the target, then in ONE
 * transaction check the idempotency key, apply the per-user rate limit, insert the page into the
 * outbox and write the audit entry. Only after that commit does the client hear 202, so an
 * accepted page survives a crash; the delivery worker sends it from the outbox.
 */
export class PageOutbox {
  constructor(
    private readonly store: KlaxonStore,
    private readonly config: Pick<ServerConfig, 'targets' | 'pageRateLimit' | 'fallbackContacts'>,
    /** The chat announcements of a new page, queued in the page's own transaction (server/chat/). */
    private readonly announcementsOf: (page: Page) => NewAnnouncement[] = () => [],
  ) {}

  /** A fault in wording an announcement never fails the page: the page goes out unannounced. */
  private chatAnnouncements(page: Page): NewAnnouncement[] {
    try {
      return this.announcementsOf(page);
    } catch {
      return [];
    }
  }

  async accept(
    viewer: Viewer,
    body: unknown,
    headerKey: string | undefined,
    meta: { ip?: string } = {},
  ): Promise<AcceptResult> {
    const req = readPageRequest(body, headerKey);
    const target = this.targetOf(req);
    const now = new Date();
    const page = queuedPage(viewer, req, target, now);
    const requestHash = createHash('sha256')
      .update(JSON.stringify([req.summary, req.details, target.id]))
      .digest('hex');
    const outcome = await this.store.acceptPage({
      record: { page, routingKey: target.routingKey, idempotencyKey: req.idempotencyKey, requestHash },
      rate: this.config.pageRateLimit,
      now,
      audit: auditEntry('page.accepted', viewer, {
        target: target.id,
        client: viewer.client,
        summary: req.summary,
        ip: meta.ip ?? null,
        via: viewer.via,
      }),
      announcements: this.chatAnnouncements(page),
    });
    switch (outcome.kind) {
      case 'created':
        return { page: outcome.page, created: true };
      case 'replay':
        return { page: outcome.page, created: false };
      case 'conflict':
        throw new HttpError(
          409,
          'conflict',
          'This idempotency key was already used for a different page. Each new page needs a new key; to resend the same page, send exactly the same text.',
          { field: 'idempotencyKey' },
        );
      case 'rate_limited':
        throw new HttpError(
          429,
          'rate_limited',
          rateLimitMessage(
            outcome.count,
            this.config.pageRateLimit,
            outcome.retryAfterSeconds,
            this.config.fallbackContacts,
          ),
          {
            retryAfterSeconds: outcome.retryAfterSeconds,
            headers: { 'retry-after': String(outcome.retryAfterSeconds) },
          },
        );
    }
  }

  /** The chosen target, or the default one; 400 for an id this server does not know. */
  private targetOf(req: ValidPageRequest): TargetConfig {
    const target =
      req.target === undefined
        ? this.config.targets.find((t) => t.default)
        : this.config.targets.find((t) => t.id === req.target);
    if (!target) {
      throw new HttpError(
        400,
        'invalid_request',
        `target: "${req.target}" is not a page target of this server (choose one of: ${this.config.targets.map((t) => t.id).join(', ')}).`,
        { field: 'target' },
      );
    }
    return target;
  }
}

/**
 * The page request in a body (the contract's PageRequest), with the Idempotency-Key header folded
 * in: the key may come in the header, the body or both (then they must agree). Throws a 400 that
 * names the offending field.
 */
function readPageRequest(body: unknown, headerKey: string | undefined): ValidPageRequest {
  if (headerKey !== undefined && !IdempotencyKey.safeParse(headerKey).success) {
    throw new HttpError(
      400,
      'invalid_request',
      'The Idempotency-Key header must be 16-128 letters, digits, "-" or "_".',
      {
        field: 'idempotencyKey',
      },
    );
  }
  let input = body;
  if (headerKey !== undefined && input && typeof input === 'object' && !Array.isArray(input)) {
    const given = (input as Record<string, unknown>).idempotencyKey;
    if (given === undefined) input = { ...input, idempotencyKey: headerKey };
    else if (given !== headerKey) {
      throw new HttpError(
        400,
        'invalid_request',
        'The Idempotency-Key header and idempotencyKey in the body differ; send the same key in both (or only one).',
        { field: 'idempotencyKey' },
      );
    }
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new HttpError(
      400,
      'invalid_request',
      'The request body must be a JSON object with summary, details and idempotencyKey.',
    );
  }
  if ((input as Record<string, unknown>).idempotencyKey === undefined) {
    throw new HttpError(400, 'invalid_request', MISSING_KEY, { field: 'idempotencyKey' });
  }
  const parsed = PageRequest.safeParse(input);
  if (!parsed.success) throw HttpError.invalid(parsed.error.issues);
  return parsed.data;
}

/** A new page as it enters the outbox: queued, due now. */
function queuedPage(viewer: Viewer, req: ValidPageRequest, target: TargetConfig, now: Date): Page {
  const nowIso = now.toISOString();
  return {
    id: randomUUID(),
    requester: { sub: viewer.sub, name: viewer.name, email: viewer.email },
    summary: req.summary,
    details: req.details,
    target: { id: target.id, label: target.label },
    client: viewer.client,
    status: 'queued',
    attempts: 0,
    lastError: null,
    nextAttemptAt: nowIso,
    gaveUpAt: null,
    incidentNumber: null,
    ackedBy: null,
    ackedAt: null,
    createdAt: nowIso,
    updatedAt: nowIso,
    deliveredAt: null,
    // On-Call pages carry no `backend` (absent means On-Call): they look as they did before PagerDuty.
    ...(target.backend === 'oncall' ? {} : { backend: target.backend }),
  };
}
