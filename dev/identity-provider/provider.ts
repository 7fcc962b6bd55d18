// oidc-provider configuration for the development IdP (the decisions behind it:
// docs/security-design.md#development-identity-provider).
// Everything a real IdP registration for Klaxon needs is modelled here: a public native client with
// loopback-any-port redirects and PKCE, RFC 9068 JWT access tokens for the Klaxon resource with
// groups, rotating refresh tokens, revocation and RP-initiated logout.
import Provider, { errors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { accountFinder, type DemoAccount } from './accounts.js';
import type { SigningKey } from './keys.js';
import { MemoryStore } from './memory-adapter.js';
import { renderErrorPage, renderLogoutPage, renderPostLogoutPage } from './pages.js';

export const DESKTOP_CLIENT_ID = 'klaxon-desktop';

export interface ProviderSettings {
  issuer: string;
  resource: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  key: SigningKey;
  /** Earlier signing keys, newest first: published so tokens they signed still verify. */
  retiredKeys?: SigningKey[];
  accounts: DemoAccount[];
  store: MemoryStore;
  cookieKeys: string[];
}

export interface WebClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}

export function desktopClient(): ClientMetadata {
  return {
    client_id: DESKTOP_CLIENT_ID,
    client_name: 'Klaxon desktop',
    application_type: 'native', // loopback redirects match on any port (RFC 8252 §7.3)
    token_endpoint_auth_method: 'none', // public client: no secret ships in the app
    redirect_uris: ['http://127.0.0.1/callback'],
    post_logout_redirect_uris: ['http://127.0.0.1/signed-out'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'ES256',
  };
}

export function webClientMetadata(c: WebClient): ClientMetadata {
  return {
    client_id: c.clientId,
    client_secret: c.clientSecret,
    client_name: 'Klaxon web',
    application_type: 'web',
    // oidc-provider accepts client_secret_basic and client_secret_post interchangeably for either value.
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [...c.redirectUris],
    post_logout_redirect_uris: c.postLogoutRedirectUris ?? [
      ...new Set(
        c.redirectUris.flatMap((u) => {
          const p = URL.parse('/', u);
          return p ? [p.href] : [];
        }),
      ),
    ],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'ES256',
  };
}

export function createProvider(s: ProviderSettings): Provider {
  const byId = new Map(s.accounts.map((a) => [a.username, a]));
  const config: Configuration = {
    adapter: s.store.factory(),
    clients: [desktopClient()],
    // The signing key first: oidc-provider signs ID tokens with the first key of the algorithm.
    jwks: { keys: [s.key, ...(s.retiredKeys ?? [])].map((k) => k.privateJwk as never) },
    cookies: { keys: s.cookieKeys },
    findAccount: accountFinder(s.accounts),
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'], // scope "groups" releases the claim "groups"
    },
    clientDefaults: {
      id_token_signed_response_alg: 'ES256',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    pkce: {
      // Public and native clients must use PKCE (RFC 9700 §2.1.1). The confidential web client may
      // (the Klaxon server is expected to), but is not forced, so a server without it still works.
      required: (_ctx, client) => client.clientAuthMethod === 'none' || client.applicationType === 'native',
    },
    features: {
      devInteractions: { enabled: false }, // replaced by our own pages (interactions.ts)
      revocation: { enabled: true, allowedPolicy: async () => true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: renderLogoutPage,
        postLogoutSuccessSource: renderPostLogoutPage,
      },
      resourceIndicators: {
        enabled: true,
        // A client that sends no `resource` still gets a Klaxon access token: the authorization
        // request defaults to it, and the token endpoint reuses the resource granted with the code.
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? s.resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== s.resource)
            throw new errors.InvalidTarget(`unknown resource indicator; this IdP only issues tokens for ${s.resource}`);
          return {
            scope: '',
            audience: s.resource,
            accessTokenTTL: s.accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256', kid: s.key.kid } },
          };
        },
      },
    },
    // Top-level claims of JWT access tokens (RFC 9068 §2.2.3.1 groups); the Klaxon server authorises on these.
    extraTokenClaims: async (_ctx, token) => {
      if (token.kind !== 'AccessToken' || !('accountId' in token) || typeof token.accountId !== 'string')
        return undefined;
      const a = byId.get(token.accountId);
      if (!a) return undefined;
      return { groups: [...a.groups], name: a.name, email: a.email, preferred_username: a.username };
    },
    // Refresh tokens for the native client without requiring offline_access + prompt=consent
    // (oidc-provider silently drops offline_access without prompt=consent;
    // docs/security-design.md#offline_access-needs-promptconsent).
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') || client.applicationType === 'native'),
    // The desktop app's refresh token must outlive the browser session it was born in.
    expiresWithSession: async (ctx, code) =>
      !code.scopes.has('offline_access') && ctx.oidc.client?.applicationType !== 'native',
    rotateRefreshToken: true, // every use rotates; a replayed RT revokes the grant
    ttl: {
      AccessToken: s.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: s.refreshTokenTtlSeconds,
      Session: 8 * 3600,
      Grant: Math.max(s.refreshTokenTtlSeconds * 3, 14 * 24 * 3600),
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
    clientBasedCORS: (_ctx, origin, client) => (client.redirectUris ?? []).some((u) => URL.parse(u)?.origin === origin),
    renderError: async (ctx: KoaContextWithOIDC, out, error) => renderErrorPage(ctx, out, error),
  };
  const provider = new Provider(s.issuer, config);
  // Errors are part of normal operation here (tests provoke them); keep them off stderr.
  return provider;
}
