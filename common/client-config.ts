import { z } from 'zod';

/** A way to reach SRE that does not depend on Klaxon or On-Call, shown when paging fails. */
export const FallbackContact = z
  .object({
    kind: z.enum(['phone', 'chat', 'ticket', 'email', 'other']),
    label: z.string().min(1),
    /** What to dial or open: `tel:`, `https:` or `mailto:` URL. */
    href: z.string().regex(/^(tel:|https:|mailto:)/, 'href must be a tel:, https: or mailto: URL'),
  })
  .strict();
export type FallbackContact = z.infer<typeof FallbackContact>;

/** A team or escalation policy a page may be sent to, as configured on the server. */
export const PageTarget = z
  .object({
    id: z.string(),
    label: z.string(),
    description: z.string().nullable(),
    /** On-Call team slugs this target wakes: their on-call people are shown when whom it pages cannot be looked up. */
    teams: z.array(z.string()),
    isDefault: z.boolean(),
  })
  .strict();
export type PageTarget = z.infer<typeof PageTarget>;

/**
 * Public, secret-free settings of a Klaxon server. Served without authentication so a freshly
 * installed desktop app needs only the server URL (policy) to find its identity provider.
 */
export const ClientConfig = z
  .object({
    serverName: z.string(),
    oidc: z
      .object({
        issuer: z.string().url(),
        /** Public native client id for Klaxon desktop. */
        desktopClientId: z.string(),
        /** RFC 8707 resource indicator = the access-token audience the server accepts. */
        resource: z.string(),
        scopes: z.array(z.string()),
      })
      .strict(),
    targets: z.array(PageTarget),
    fallbackContacts: z.array(FallbackContact),
    /** Where non-urgent requests go (ticket tracker). */
    ticketUrl: z.string().url().nullable(),
    recentWindowMinutes: z.number().int().positive(),
    pollIntervalSeconds: z.number().positive(),
    /** Groups that may page / acknowledge, so a refused user can be told what to ask for. */
    groups: z
      .object({
        page: z.array(z.string()),
        acknowledge: z.array(z.string()),
        /** Who may see incidents when the operator set it apart; absent or null: whoever may page or acknowledge. */
        view: z.array(z.string()).nullable().optional(),
      })
      .strict(),
    pageRateLimit: z.object({ max: z.number().int().positive(), windowSeconds: z.number().int().positive() }).strict(),
  })
  .strict();
export type ClientConfig = z.infer<typeof ClientConfig>;

/** The signed-in user as the server sees them. */
export const Me = z
  .object({
    user: z
      .object({ sub: z.string(), name: z.string(), email: z.string().nullable(), groups: z.array(z.string()) })
      .strict(),
    permissions: z.object({ view: z.boolean(), page: z.boolean(), acknowledge: z.boolean() }).strict(),
    /** Browser sessions only: send back in the CSRF header on every state-changing request. */
    csrfToken: z.string().optional(),
  })
  .strict();
export type Me = z.infer<typeof Me>;
