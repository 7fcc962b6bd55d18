import { z } from 'zod';
import { FallbackContact } from '#common/index.js';

/**
 * The Klaxon server configuration: one file (JSON or YAML) plus environment overrides for secrets.
 * Every key has a default here and a line in docs/server-config.md. Objects are strict so a typo
 * stops the start instead of being silently ignored.
 */
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const httpUrl = z
  .string()
  .url('must be a URL')
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

const TargetConfig = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lower-case letters, digits, "-" or "_"'),
    label: nonEmpty,
    description: z.string().nullable().default(null),
    routingKey: nonEmpty,
    teams: z.array(z.string()).default([]),
    default: z.boolean().default(false),
  })
  .strict();
export type TargetConfig = z.infer<typeof TargetConfig>;

export const ServerConfigSchema = z
  .object({
    serverName: z.string().default('Klaxon'),
    listen: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8787),
      })
      .strict()
      .prefault({}),
    /** Base URL browsers use; null = derived from the listen address once the server is up. */
    publicUrl: httpUrl.nullable().default(null),
    oncall: z
      .object({
        apiBaseUrl: httpUrl.default('https://api.victorops.com'),
        restEndpointBaseUrl: httpUrl.default('https://alert.victorops.com/integrations/generic/20131114/alert'),
        apiId: z.string().default(''),
        apiKey: z.string().default(''),
        restEndpointKey: z.string().default(''),
        orgSlug: z.string().default(''),
        teams: z.array(z.string()).default([]),
        pollIntervalSeconds: z.number().positive().default(10),
        recentWindowMinutes: z.number().int().positive().default(60),
        webhookSecret: z.string().nullable().default(null),
        timeZones: z.record(z.string(), z.string()).default({}),
        /** On-Call user that acknowledges for people who are not On-Call users themselves; null = they ack in On-Call. */
        ackAsUser: z.string().min(1).nullable().default(null),
        /** Per-request timeout of calls to On-Call's public API. */
        timeoutMs: z.number().int().positive().default(5000),
      })
      .strict()
      .prefault({}),
    targets: z
      .array(TargetConfig)
      .default([{ id: 'sre', label: 'SRE on call', description: null, routingKey: 'sre', teams: [], default: true }]),
    oidc: z
      .object({
        issuer: z.string().default(''),
        audience: z.string().default(''),
        groupsClaim: z.string().min(1).default('groups'),
        algorithms: z
          .array(
            z.string().regex(/^(ES|RS|PS)(256|384|512)$|^EdDSA$/, 'must be a JWS algorithm such as ES256 or RS256'),
          )
          .min(1)
          .default(['ES256', 'RS256']),
        /**
         * When the provider's discovery document names another issuer than `issuer` (often a
         * trailing slash): refuse to start, or start with a warning (and /readyz not ready).
         */
        issuerMismatch: z.enum(['refuse', 'warn']).default('refuse'),
        /** Access tokens valid for longer than this (`exp − iat`) are refused. */
        maxTokenLifetimeSeconds: z.number().int().positive().default(86400),
        desktopClientId: z.string().min(1).default('klaxon-desktop'),
        scopes: z.array(z.string()).default(['openid', 'profile', 'email', 'groups', 'offline_access']),
        web: z
          .object({ clientId: z.string().min(1).default('klaxon-web'), clientSecret: z.string().default('') })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    groups: z
      .object({
        page: z.array(z.string()).default(['staff', 'sre']),
        acknowledge: z.array(z.string()).default(['sre']),
        /** Who may see incidents; null = anyone who may page or acknowledge. */
        view: z.array(z.string()).nullable().default(null),
      })
      .strict()
      .prefault({}),
    pageRateLimit: z
      .object({
        max: z.number().int().positive().default(3),
        windowSeconds: z.number().int().positive().max(86400).default(600),
      })
      .strict()
      .prefault({}),
    delivery: z
      .object({
        timeoutMs: z.number().int().positive().default(5000),
        baseDelayMs: z.number().int().positive().default(1000),
        maxDelayMs: z.number().int().positive().default(60000),
        giveUpAfterMinutes: z.number().positive().default(30),
        concurrency: z.number().int().min(1).max(32).default(4),
        /** A delivered page whose incident has not appeared after this long is shown as unconfirmed. */
        unconfirmedAfterSeconds: z.number().int().positive().default(120),
      })
      .strict()
      .prefault({}),
    /** The check of the configured targets against the paging service (routing keys exist and wake someone). */
    targetChecks: z
      .object({
        /** What a set-up problem found at start does: `warn` (log, /readyz, metric, page dialog) or `refuse` to start. */
        atStart: z.enum(['warn', 'refuse']).default('warn'),
        /** How often the targets are checked again while running. */
        intervalSeconds: z.number().int().min(10).default(300),
      })
      .strict()
      .prefault({}),
    fallbackContacts: z.array(FallbackContact).default([]),
    ticketUrl: httpUrl.nullable().default(null),
    storage: z
      .object({
        sqlitePath: z.string().min(1).default('./klaxon.db'),
        /** PostgreSQL instead of SQLite, for several servers on one database; null = SQLite. */
        postgresUrl: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
          .nullable()
          .default(null),
        postgresPoolSize: z.number().int().min(2).max(100).default(10),
      })
      .strict()
      .prefault({}),
    sessionSecret: z.string().default(''),
    webUi: z
      .object({ dir: z.string().default('dist/renderer') })
      .strict()
      .prefault({}),
    events: z
      .object({
        /** Event streams one person may hold open at once (browser tabs, desktop); more are refused with 429. */
        maxStreamsPerUser: z.number().int().min(1).max(100_000).default(10),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        /** Bearer token /metrics and the details of /readyz need; null: open to anyone who reaches them. */
        token: z.string().min(16, 'must be at least 16 characters').nullable().default(null),
        /** A separate address for /metrics, /readyz details and /healthz; null: the main listener. */
        listen: z
          .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535) })
          .strict()
          .nullable()
          .default(null),
      })
      .strict()
      .prefault({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export type ServerConfig = z.output<typeof ServerConfigSchema>;
type ServerConfigInput = z.input<typeof ServerConfigSchema>;

/** What `loadServerConfig({ overrides })` accepts: any subset of the file's keys. */
export type ServerConfigOverrides = DeepPartial<ServerConfigInput>;
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Upstream allows about 2 requests/s shared by every call; one poll every 2 s leaves room for the rest. */
export const MIN_POLL_INTERVAL_SECONDS = 2;
