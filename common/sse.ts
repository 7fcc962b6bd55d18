import { z } from 'zod/mini';
import { Incident, IncidentSnapshot } from './incident.js';
import { Page } from './page.js';
import { IsoTime } from './text.js';

/**
 * Server-sent events on `GET /api/v1/events`. Every event carries an `id` (decimal sequence number,
 * also sent as the SSE `id:` line) so a client can resume with `Last-Event-ID`. If the server no
 * longer holds the events after that id it sends a fresh `snapshot` instead.
 */
export const SnapshotEvent = z.strictObject({
  type: z.literal('snapshot'),
  id: z.string(),
  data: z.strictObject({ incidents: IncidentSnapshot, pages: z.array(Page) }),
});

export const IncidentEvent = z.strictObject({
  type: z.literal('incident'),
  id: z.string(),
  data: z.strictObject({
    change: z.enum(['opened', 'updated', 'removed']),
    incident: Incident,
    /** Freshness after this change, so clients need not wait for a heartbeat. */
    fetchedAt: z.nullable(IsoTime),
  }),
});

export const PageEvent = z.strictObject({ type: z.literal('page'), id: z.string(), data: Page });

export const HeartbeatEvent = z.strictObject({
  type: z.literal('heartbeat'),
  id: z.string(),
  data: z.strictObject({
    at: IsoTime,
    fetchedAt: z.nullable(IsoTime),
    ageSeconds: z.nullable(z.number().check(z.nonnegative())),
    stale: z.boolean(),
    upstream: z.strictObject({ ok: z.boolean(), error: z.nullable(z.string()) }),
  }),
});

/** The stream is about to end because of the credential behind it. */
export const SessionEvent = z.strictObject({
  type: z.literal('session'),
  id: z.string(),
  data: z.strictObject({ state: z.enum(['expired', 'revoked', 'forbidden']), message: z.string() }),
});

export const ServerEvent = z.discriminatedUnion('type', [
  SnapshotEvent,
  IncidentEvent,
  PageEvent,
  HeartbeatEvent,
  SessionEvent,
]);
export type ServerEvent = z.infer<typeof ServerEvent>;
export type ServerEventType = ServerEvent['type'];
export type ServerEventOf<T extends ServerEventType> = Extract<ServerEvent, { type: T }>;

/** Seconds between heartbeats; a client that hears nothing for 3 of these reconnects. */
export const HEARTBEAT_SECONDS = 15;
