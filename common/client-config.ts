import { z } from 'zod/mini';

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
});
export type PageTarget = z.infer<typeof PageTarget>;

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
  permissions: z.strictObject({ view: z.boolean(), page: z.boolean(), acknowledge: z.boolean() }),
  /** Browser sessions only: send back in the CSRF header on every state-changing request. */
  csrfToken: z.optional(z.string()),
});
export type Me = z.infer<typeof Me>;
