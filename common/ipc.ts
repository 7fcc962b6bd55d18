import { z } from 'zod/mini';
import { AckRequest, AckResult, EscalatePageResult } from './api.js';
import { ClientConfig } from './client-config.js';
import { ClientState } from './client-state.js';
import { IncidentKey } from './incident-key.js';
import type { Result } from './result.js';
import { OnCallNow } from './oncall.js';
import { IdempotencyKey, Page, PageRequest } from './page.js';
import { EffectiveSettings, UserSettings } from './settings.js';
import { UnsentPage } from './unsent-page.js';

/**
 * The desktop IPC contract, in the manner of GitHub Desktop's `RequestResponseChannels`: one map from
 * channel to request and response schema. The preload exposes exactly these as `window.klaxon`; the
 * main process validates every request payload with the schema before acting on it.
 */
const NoPayload = z.undefined();

export const ipcRequests = {
  'state:get': { request: NoPayload, response: ClientState },
  'config:get': { request: NoPayload, response: z.nullable(ClientConfig) },
  'auth:sign-in': { request: NoPayload, response: z.null() },
  'auth:cancel': { request: NoPayload, response: z.null() },
  'auth:sign-out': { request: NoPayload, response: z.null() },
  'oncall:get': { request: NoPayload, response: OnCallNow },
  'pages:create': { request: PageRequest, response: Page },
  'pages:mine': { request: NoPayload, response: z.array(Page) },
  /** Pages the server has not confirmed, kept and resent by the main process (common/unsent-page.ts). */
  'unsent:list': { request: NoPayload, response: z.array(UnsentPage) },
  /** "Try again now": resend one kept page at once; the outcome arrives as `unsent:changed` / `page:updated`. */
  'unsent:retry': { request: z.strictObject({ idempotencyKey: IdempotencyKey }), response: z.null() },
  /** "Discard": the person gives up on a kept page; it will not be sent. */
  'unsent:discard': { request: z.strictObject({ idempotencyKey: IdempotencyKey }), response: z.null() },
  /** `number` is the incident's key (`incidentKey`): its number, after `pagerduty:` for PagerDuty's. */
  'pages:escalate': { request: z.strictObject({ id: z.uuid() }), response: EscalatePageResult },
  'incidents:ack': {
    request: z.extend(AckRequest, { number: IncidentKey }),
    response: AckResult,
  },
  'settings:get': { request: NoPayload, response: EffectiveSettings },
  'settings:set': { request: UserSettings, response: EffectiveSettings },
  /** Opens a link from the server's config (fallback contact, ticket tracker, incident link) in the system browser. */
  'shell:open-external': { request: z.strictObject({ url: z.url() }), response: z.null() },
  'window:hide': { request: NoPayload, response: z.null() },
  /**
   * The renderer's error reporter (Sentry) hands over one envelope, as its transport serialised it;
   * the main process sends the events in it, scrubbed again, only while error reports are on.
   */
  'errors:report': {
    request: z.strictObject({ envelope: z.string().check(z.maxLength(1_000_000)) }),
    response: z.null(),
  },
} as const;

export type IpcRequestChannel = keyof typeof ipcRequests;
export type IpcRequestOf<C extends IpcRequestChannel> = z.input<(typeof ipcRequests)[C]['request']>;
export type IpcResponseOf<C extends IpcRequestChannel> = z.infer<(typeof ipcRequests)[C]['response']>;

/** Main → renderer pushes. */
export const ipcPushes = {
  'state:changed': ClientState,
  'page:updated': Page,
  /** The kept unsent pages changed (kept, resent, accepted, refused, discarded). */
  'unsent:changed': z.array(UnsentPage),
  /** Sent when a notification is clicked: show this incident (`number` is its key, `incidentKey`). */
  'navigate:incident': z.strictObject({ number: z.string() }),
} as const;
export type IpcPushChannel = keyof typeof ipcPushes;
export type IpcPushOf<C extends IpcPushChannel> = z.infer<(typeof ipcPushes)[C]>;

/** The API the preload exposes as `window.klaxon`. */
export interface KlaxonBridge {
  invoke<C extends IpcRequestChannel>(
    channel: C,
    ...payload: IpcRequestOf<C> extends undefined ? [] : [IpcRequestOf<C>]
  ): Promise<Result<IpcResponseOf<C>>>;
  on<C extends IpcPushChannel>(channel: C, listener: (payload: IpcPushOf<C>) => void): () => void;
}

export const IPC_REQUEST_CHANNELS = Object.keys(ipcRequests) as IpcRequestChannel[];
export const IPC_PUSH_CHANNELS = Object.keys(ipcPushes) as IpcPushChannel[];
