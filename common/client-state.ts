import { z } from 'zod/mini';
import { ClientConfig, Me } from './client-config.js';
import { IncidentSnapshot } from './incident.js';
import { IsoTime } from './text.js';

/** Where the user stands with sign-in. */
export const AuthState = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('signed-out'), message: z.nullable(z.string()) }),
  /** `authorizeUrl` is shown so the user can copy it into another browser if the default one misbehaves. */
  z.strictObject({ status: z.literal('signing-in'), authorizeUrl: z.nullable(z.string()) }),
  z.strictObject({ status: z.literal('signed-in'), me: Me }),
  z.strictObject({
    status: z.literal('not-authorised'),
    me: z.nullable(Me),
    requiredGroups: z.array(z.string()),
    message: z.string(),
  }),
]);
export type AuthState = z.infer<typeof AuthState>;

/** The live link to the Klaxon server. */
export const LinkState = z.strictObject({
  status: z.enum(['idle', 'connecting', 'live', 'stale', 'offline']),
  /** Last time fresh data (event or heartbeat) arrived. */
  lastDataAt: z.nullable(IsoTime),
  error: z.nullable(z.string()),
  /** When the next reconnect attempt happens (offline only). */
  retryAt: z.nullable(IsoTime),
});
export type LinkState = z.infer<typeof LinkState>;

/** Not connected and not trying: before sign-in, after sign-out, while refused. */
export const IDLE_LINK: LinkState = { status: 'idle', lastDataAt: null, error: null, retryAt: null };

/** How the refresh token is kept on this machine. */
export const TokenStorage = z.strictObject({
  mode: z.enum(['encrypted', 'memory-only']),
  /** Shown to the user when mode is memory-only (e.g. "No keyring found: install gnome-keyring…"). */
  message: z.nullable(z.string()),
});
export type TokenStorage = z.infer<typeof TokenStorage>;

/** Klaxon desktop's own version and update state (absent in the web UI). */
export const AppInfo = z.strictObject({
  version: z.string(),
  updates: z.strictObject({
    /** False when IT or the user turned updates off, or the install type updates another way. */
    enabled: z.boolean(),
    lastCheckedAt: z.nullable(IsoTime),
    /** A sentence for the user, e.g. "Klaxon is up to date." or "Updates are managed by your IT department." */
    message: z.nullable(z.string()),
  }),
});
export type AppInfo = z.infer<typeof AppInfo>;

/**
 * Everything the UI shows, in one object. Klaxon desktop pushes it over IPC; the web UI builds the
 * same object from HTTP and SSE, so the React components do not care which shell they run in.
 */
export const ClientState = z.strictObject({
  serverUrl: z.string(),
  config: z.nullable(ClientConfig),
  auth: AuthState,
  link: LinkState,
  snapshot: z.nullable(IncidentSnapshot),
  storage: TokenStorage,
  /** Desktop only: version and updates, shown in the popover footer. */
  app: z.optional(z.nullable(AppInfo)),
});
export type ClientState = z.infer<typeof ClientState>;
