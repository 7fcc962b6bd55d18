import { z } from 'zod';
import { ClientConfig, Me } from './client-config.js';
import { IncidentSnapshot } from './incident.js';
import { IsoTime } from './text.js';

/** Where the user stands with sign-in. */
export const AuthState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed-out'), message: z.string().nullable() }).strict(),
  /** `authorizeUrl` is shown so the user can copy it into another browser if the default one misbehaves. */
  z.object({ status: z.literal('signing-in'), authorizeUrl: z.string().nullable() }).strict(),
  z.object({ status: z.literal('signed-in'), me: Me }).strict(),
  z
    .object({
      status: z.literal('not-authorised'),
      me: Me.nullable(),
      requiredGroups: z.array(z.string()),
      message: z.string(),
    })
    .strict(),
]);
export type AuthState = z.infer<typeof AuthState>;

/** The live link to the Klaxon server. */
export const LinkState = z
  .object({
    status: z.enum(['idle', 'connecting', 'live', 'stale', 'offline']),
    /** Last time fresh data (event or heartbeat) arrived. */
    lastDataAt: IsoTime.nullable(),
    error: z.string().nullable(),
    /** When the next reconnect attempt happens (offline only). */
    retryAt: IsoTime.nullable(),
  })
  .strict();
export type LinkState = z.infer<typeof LinkState>;

/** Not connected and not trying: before sign-in, after sign-out, while refused. */
export const IDLE_LINK: LinkState = { status: 'idle', lastDataAt: null, error: null, retryAt: null };

/** How the refresh token is kept on this machine. */
export const TokenStorage = z
  .object({
    mode: z.enum(['encrypted', 'memory-only']),
    /** Shown to the user when mode is memory-only (e.g. "No keyring found: install gnome-keyring…"). */
    message: z.string().nullable(),
  })
  .strict();
export type TokenStorage = z.infer<typeof TokenStorage>;

/** Klaxon desktop's own version and update state (absent in the web UI). */
export const AppInfo = z
  .object({
    version: z.string(),
    updates: z
      .object({
        /** False when IT or the user turned updates off, or the install type updates another way. */
        enabled: z.boolean(),
        lastCheckedAt: IsoTime.nullable(),
        /** A sentence for the user, e.g. "Klaxon is up to date." or "Updates are managed by your IT department." */
        message: z.string().nullable(),
      })
      .strict(),
  })
  .strict();
export type AppInfo = z.infer<typeof AppInfo>;

/**
 * Everything the UI shows, in one object. Klaxon desktop pushes it over IPC; the web UI builds the
 * same object from HTTP and SSE, so the React components do not care which shell they run in.
 */
export const ClientState = z
  .object({
    serverUrl: z.string(),
    config: ClientConfig.nullable(),
    auth: AuthState,
    link: LinkState,
    snapshot: IncidentSnapshot.nullable(),
    storage: TokenStorage,
    /** Desktop only: version and updates, shown in the popover footer. */
    app: AppInfo.nullable().optional(),
    /**
     * Desktop only: the main process sends error reports (Sentry), so the renderer hands its own
     * errors to it (`errors:report`). Absent or false: the renderer starts no error reporting at all.
     */
    errorReports: z.boolean().optional(),
  })
  .strict();
export type ClientState = z.infer<typeof ClientState>;
