import { z } from 'zod/mini';
import { IncidentBackend } from './incident-key.js';
import { parseSentryDsn } from './sentry-dsn.js';
import { EscalationOffer } from './escalation.js';

/** A way to reach SRE that does not depend on Klaxon or On-Call, shown when paging fails. */
export const FallbackContact = z.strictObject({
  kind: z.enum(['phone', 'chat', 'ticket', 'email', 'other']),
  label: z.string().check(z.minLength(1)),
  /** What to dial or open: `tel:`, `https:` or `mailto:` URL. */
  href: z.string().check(z.regex(/^(tel:|https:|mailto:)/, 'href must be a tel:, https: or mailto: URL')),
});
export type FallbackContact = z.infer<typeof FallbackContact>;

/** A team or escalation policy a page may be sent to, as configured on the server. */
export const PageTarget = z.strictObject({
  id: z.string(),
  label: z.string(),
  description: z.nullable(z.string()),
  /** On-Call team slugs this target wakes: their on-call people are shown when whom it pages cannot be looked up. */
  teams: z.array(z.string()),
  isDefault: z.boolean(),
  /** The paging service pages to it go to; absent: On-Call (as for servers before a second service). */
  backend: z.optional(IncidentBackend),
});
export type PageTarget = z.infer<typeof PageTarget>;

/** A Sentry DSN a client may be given: it is published, so it must carry no secret key. */
export const SentryDsnText = z.string().check(
  z.refine((d) => !('error' in parseSentryDsn(d)), {
    message: 'must be a Sentry DSN (https://<key>@<host>/<project>) without a secret key',
  }),
);

/**
 * Error reports (Sentry) for clients: where the web UI and Klaxon desktop send their errors, and how.
 * Present only when the server's operator set `sentry.clientDsn` (docs/operations.md#sentry).
 */
export const ClientErrorReports = z.strictObject({
  dsn: SentryDsnText,
  environment: z.string().check(z.minLength(1)),
  /** The server's release, which is also the web UI's (the server serves it); Klaxon desktop reports its own version. */
  release: z.string().check(z.minLength(1)),
  /** Share of errors sent, 0 to 1. */
  sampleRate: z.number().check(z.gte(0), z.lte(1)),
});
export type ClientErrorReports = z.infer<typeof ClientErrorReports>;

/**
 * Public, secret-free settings of a Klaxon server. Served without authentication so a freshly
 * installed desktop app needs only the server URL (policy) to find its identity provider.
 */
export const ClientConfig = z.strictObject({
  serverName: z.string(),
  oidc: z.strictObject({
    issuer: z.url(),
    /** Public native client id for Klaxon desktop. */
    desktopClientId: z.string(),
    /** RFC 8707 resource indicator = the access-token audience the server accepts. */
    resource: z.string(),
    scopes: z.array(z.string()),
  }),
  targets: z.array(PageTarget),
  fallbackContacts: z.array(FallbackContact),
  /** Where non-urgent requests go (ticket tracker). */
  ticketUrl: z.nullable(z.url()),
  recentWindowMinutes: z.int().check(z.positive()),
  pollIntervalSeconds: z.number().check(z.positive()),
  /** Groups that may page / acknowledge, so a refused user can be told what to ask for. */
  groups: z.strictObject({
    page: z.array(z.string()),
    acknowledge: z.array(z.string()),
    /** Who may see incidents when the operator set it apart; absent or null: whoever may page or acknowledge. */
    view: z.optional(z.nullable(z.array(z.string()))),
  }),
  pageRateLimit: z.strictObject({ max: z.int().check(z.positive()), windowSeconds: z.int().check(z.positive()) }),
  /**
   * Error reports, only when the operator turned them on. Absent otherwise, so a Klaxon desktop
   * older than this field (its schema is strict) still reads the configuration of a server that
   * does not report.
   */
  sentry: z.optional(ClientErrorReports),
  /**
   * "Escalate now" on one's own unacknowledged page, on a server with one paging service; absent or
   * null: not offered. A server with several services sends `escalationsByService` instead (read both
   * through `escalationOfferFor`).
   */
  escalation: z.optional(z.nullable(EscalationOffer)),
  /** Several paging services: the offer for pages to each (a service left out offers none). */
  escalationsByService: z.optional(z.partialRecord(IncidentBackend, EscalationOffer)),
});
export type ClientConfig = z.infer<typeof ClientConfig>;

/** The signed-in user as the server sees them. */
export const Me = z.strictObject({
  user: z.strictObject({
    sub: z.string(),
    name: z.string(),
    email: z.nullable(z.string()),
    groups: z.array(z.string()),
  }),
  permissions: z.strictObject({
    view: z.boolean(),
    page: z.boolean(),
    acknowledge: z.boolean(),
    /** May read the audit log and the access review (`groups.audit`); absent from older servers: no. */
    audit: z.optional(z.boolean()),
  }),
  /** Browser sessions only: send back in the CSRF header on every state-changing request. */
  csrfToken: z.optional(z.string()),
});
export type Me = z.infer<typeof Me>;

/** The "Escalate now" offer for a page to `backend` (absent: On-Call), whichever way the server sent it. */
export function escalationOfferFor(
  config: Pick<ClientConfig, 'escalation' | 'escalationsByService'> | null | undefined,
  backend: IncidentBackend | undefined,
): EscalationOffer | null {
  if (!config) return null;
  if (config.escalationsByService) return config.escalationsByService[backend ?? 'oncall'] ?? null;
  return config.escalation ?? null;
}
