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
    /**
     * Where pages to this target go: `oncall` (its routing key) or `pagerduty` (its integration key). Not
     * given: `oncall`, or `pagerduty` in a configuration with a `pagerduty` block and no `oncall` block (load.ts).
     */
    backend: z.enum(['oncall', 'pagerduty']).default('oncall'),
    routingKey: nonEmpty,
    /** PagerDuty: the id of the service whose Events API v2 integration `routingKey` is (PagerDuty's API does not tell). */
    service: z.string().trim().min(1).nullable().default(null),
    teams: z.array(z.string()).default([]),
    default: z.boolean().default(false),
  })
  .strict();
export type TargetConfig = z.infer<typeof TargetConfig>;

const channelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lower-case letters, digits, "-" or "_"');

/** One IRC network and channel Klaxon joins to announce in (server/chat/irc-channel.ts). */
const IrcChannelConfig = z
  .object({
    /** Names this channel in metrics, logs and the queue; must not change once used (the queue is keyed by it). */
    name: channelName,
    host: nonEmpty,
    port: z.number().int().min(1).max(65535).default(6697),
    tls: z.boolean().default(true),
    /** Check the server's TLS certificate (turn off only for a test network with a self-signed certificate). */
    tlsVerify: z.boolean().default(true),
    nick: z
      .string()
      .regex(/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,29}$/, 'must be a valid IRC nickname')
      .default('klaxon'),
    /** The channel to announce in, with its leading "#" or "&". */
    channel: z.string().regex(/^[#&][^\s,\x07]{1,199}$/, 'must be an IRC channel such as "#ops"'),
    /** The channel's key (+k), if it has one. */
    channelKey: z.string().nullable().default(null),
    /** SASL PLAIN login (needs tls, so the password never crosses the network in clear). */
    sasl: z.object({ account: nonEmpty, password: nonEmpty }).strict().nullable().default(null),
    /** A server password (PASS), if the network needs one. */
    password: z.string().nullable().default(null),
  })
  .strict();
export type IrcChannelConfig = z.infer<typeof IrcChannelConfig>;

/** One chat webhook (server/chat/webhook-channel.ts). */
const WebhookChannelConfig = z
  .object({
    name: channelName,
    /** `slack` and `mattermost`: an incoming-webhook URL; `matrix`: the client-server API of a homeserver. */
    type: z.enum(['slack', 'mattermost', 'matrix']),
    /** The incoming webhook's URL (slack, mattermost) or the homeserver's base URL (matrix). */
    url: httpUrl,
    /** matrix: the room to post in ("!abc:example.org"). */
    roomId: z.string().nullable().default(null),
    /** matrix: the access token of the account that posts (it must have joined the room). */
    accessToken: z.string().nullable().default(null),
  })
  .strict();
export type WebhookChannelConfig = z.infer<typeof WebhookChannelConfig>;

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
    /** PagerDuty (docs/pagerduty.md); absent: this server does not use PagerDuty. */
    pagerduty: z
      .object({
        apiBaseUrl: httpUrl.default('https://api.pagerduty.com'),
        eventsUrl: httpUrl.default('https://events.pagerduty.com/v2/enqueue'),
        /** An account API key (full access: acknowledging is a change). */
        apiToken: z.string().default(''),
        /** Only these services' incidents are listed; empty: every service the token sees. */
        serviceIds: z.array(z.string().min(1)).default([]),
        pollIntervalSeconds: z.number().positive().default(10),
        recentWindowMinutes: z.number().int().positive().default(60),
        /** E-mail of the PagerDuty user that acknowledges for people without a PagerDuty account; null: they ack in PagerDuty. */
        fromEmail: z.string().email('must be an e-mail address').nullable().default(null),
        /** Secrets of the v3 webhook subscription (two while one is rotated); empty: webhooks off. */
        webhookSecrets: z.array(z.string().min(1)).default([]),
        /** Per-request timeout of calls to the REST API. */
        timeoutMs: z.number().int().positive().default(5000),
        /** REST requests a minute from this server (PagerDuty allows 960 per API key; leave room for other tools). */
        restRequestsPerMinute: z.number().int().min(1).max(960).default(480),
        /**
         * Klaxon's escalations of PagerDuty incidents (server/escalation/): the fallback escalation policy
         * and the user they are sent as. The rules (`escalation.unpaged`, `pageUnackedMinutes`, "Escalate
         * now") are the `escalation` block's, for both services.
         */
        escalation: z
          .object({
            /** The fallback escalation policy's id (`P…`); null: PagerDuty incidents are never escalated. */
            policy: nonEmpty.nullable().default(null),
            /** E-mail of the PagerDuty user escalations are sent as (`From`); null: `pagerduty.fromEmail`. */
            asUser: z.string().email('must be an e-mail address').nullable().default(null),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .nullable()
      .default(null),
    targets: z.array(TargetConfig).default([
      {
        id: 'sre',
        label: 'SRE on call',
        description: null,
        backend: 'oncall',
        routingKey: 'sre',
        service: null,
        teams: [],
        default: true,
      },
    ]),
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
        /** Who may read the audit log and the access review (auditors); none by default. */
        audit: z.array(z.string()).default([]),
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
    /** Klaxon's own escalations to a fallback escalation policy (server/escalation/); off until `policy` is set. */
    escalation: z
      .object({
        /** On-Call's fallback escalation policy (its slug, `pol-…`); null: On-Call incidents are never escalated (PagerDuty's: `pagerduty.escalation`). */
        policy: nonEmpty.nullable().default(null),
        /** The On-Call user escalations are sent as (a system user, e.g. `escalator_sysuser`). */
        asUser: nonEmpty.nullable().default(null),
        /** Log and audit what the automatic escalations would do, without sending them. */
        dryRun: z.boolean().default(false),
        /** Escalate-unpaged: incidents unacknowledged with nobody being paged, rerouted by a job. */
        unpaged: z
          .object({
            enabled: z.boolean().default(false),
            /** On-Call team slugs watched; empty: `oncall.teams` (and when that is empty too: every team). PagerDuty: every incident Klaxon lists (`pagerduty.serviceIds`). */
            teams: z.array(z.string()).default([]),
            intervalSeconds: z.number().min(1).max(3600).default(15),
            /** How long an incident must page nobody before it is rerouted. */
            graceSeconds: z.number().min(0).max(86400).default(60),
          })
          .strict()
          .prefault({}),
        /** Klaxon's own pages still unacknowledged after this many minutes are escalated; null: never. */
        pageUnackedMinutes: z.number().positive().max(1440).nullable().default(null),
        /** The person who paged may press "Escalate now" this many minutes after delivery; null: never offered. */
        manualAfterMinutes: z.number().min(0).max(1440).nullable().default(5),
        /** "Escalate now" presses per person per hour. */
        manualPerHour: z.number().int().positive().max(60).default(3),
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
    audit: z
      .object({
        /** Audit entries older than this many days are deleted (checked every hour). */
        retentionDays: z.number().int().min(1).max(36500).default(400),
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
    /** Pages, their incidents, acknowledgements and escalations announced in chat (server/chat/). */
    chat: z
      .object({
        irc: z.array(IrcChannelConfig).default([]),
        webhooks: z.array(WebhookChannelConfig).default([]),
        /** Post a page's details too; by default only who, the summary, the target and the incident. */
        includeDetails: z.boolean().default(false),
        /** How long one attempt to post may take. */
        timeoutMs: z.number().int().positive().max(60_000).default(10_000),
        /** Retry spacing after a failed attempt (common/backoff.ts), doubling up to maxDelayMs. */
        baseDelayMs: z.number().int().positive().default(2000),
        maxDelayMs: z.number().int().positive().default(300_000),
        /** An announcement not posted after this long is given up (counted as failed). */
        giveUpAfterMinutes: z.number().positive().default(120),
      })
      .strict()
      .prefault({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Error reports to Sentry (docs/operations.md#sentry): off unless a DSN is set. */
    sentry: z
      .object({
        /** The server's own reports; null = none. */
        dsn: z.string().nullable().default(null),
        /** Handed to the web UI and Klaxon desktop in the client configuration (published); null = clients send none. */
        clientDsn: z.string().nullable().default(null),
        environment: z.string().trim().min(1, 'must not be empty').default('production'),
        /** null = `klaxon@<version in package.json>`. */
        release: z.string().trim().min(1, 'must not be empty').nullable().default(null),
        /** Share of errors sent, 0 to 1. */
        sampleRate: z.number().min(0).max(1).default(1),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ServerConfig = z.output<typeof ServerConfigSchema>;
type ServerConfigInput = z.input<typeof ServerConfigSchema>;

/** What `loadServerConfig({ overrides })` accepts: any subset of the file's keys. */
export type ServerConfigOverrides = DeepPartial<ServerConfigInput>;
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Upstream allows about 2 requests/s shared by every call; one poll every 2 s leaves room for the rest. */
export const MIN_POLL_INTERVAL_SECONDS = 2;
