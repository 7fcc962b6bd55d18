import { z } from 'zod';
import { Incident, IncidentSnapshot } from './incident.js';
import { Page } from './page.js';
import { IsoTime } from './text.js';

/**
 * Server-sent events on `GET /api/v1/events`. Every event carries an `id` (decimal sequence number,
 * also sent as the SSE `id:` line) so a client can resume with `Last-Event-ID`. If the server no
 * longer holds the events after that id it sends a fresh `snapshot` instead.
 */
export const SnapshotEvent = z
  .object({
    type: z.literal('snapshot'),
    id: z.string(),
    data: z.object({ incidents: IncidentSnapshot, pages: z.array(Page) }).strict(),
  })
  .strict();

export const IncidentEvent = z
  .object({
    type: z.literal('incident'),
    id: z.string(),
    data: z
      .object({
        change: z.enum(['opened', 'updated', 'removed']),
        incident: Incident,
        /** Freshness after this change, so clients need not wait for a heartbeat. */
        fetchedAt: IsoTime.nullable(),
      })
      .strict(),
  })
  .strict();

export const PageEvent = z.object({ type: z.literal('page'), id: z.string(), data: Page }).strict();

export const HeartbeatEvent = z
  .object({
    type: z.literal('heartbeat'),
    id: z.string(),
    data: z
      .object({
        at: IsoTime,
        fetchedAt: IsoTime.nullable(),
        ageSeconds: z.number().nonnegative().nullable(),
        stale: z.boolean(),
        upstream: z.object({ ok: z.boolean(), error: z.string().nullable() }).strict(),
      })
      .strict(),
  })
  .strict();

/** The stream is about to end because of the credential behind it. */
export const SessionEvent = z
  .object({
    type: z.literal('session'),
    id: z.string(),
    data: z.object({ state: z.enum(['expired', 'revoked', 'forbidden']), message: z.string() }).strict(),
  })
  .strict();

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
