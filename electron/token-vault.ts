/**
 * Holds the user's tokens. The refresh token goes to the injected store (encrypted with the OS
 * keyring, or memory only); the access token never leaves this object's memory. Refresh is
 * single-flight and persists a rotated refresh token BEFORE the new access token is used: with
 * rotation, the old refresh token is dead the moment the IdP answers, and replaying it would make
 * the IdP revoke the whole grant (security.md §2.3, §3.3).
 */
import * as oidc from 'openid-client';
import type { SignInTokens } from './oidc-sign-in.js';

export interface TokenStore {
  readonly mode: 'encrypted' | 'memory-only';
  /** Why storage is degraded (memory-only) or what went wrong reading it; null when all is well. */
  readonly message: string | null;
  get(): Promise<string | null>;
  set(refreshToken: string): Promise<void>;
  clear(): Promise<void>;
}

/** The refresh token is gone or refused: the user must sign in interactively. */
export class NotSignedInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotSignedInError';
  }
}

/** The IdP could not be reached; the session is still good, try again later. */
export class IdentityProviderUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdentityProviderUnreachableError';
  }
}

export interface TokenVaultOptions {
  /** Resolved lazily: discovery needs the network, and the app starts fine without it. */
  config(): Promise<oidc.Configuration>;
  store: TokenStore;
  resource?: string;
  now?: () => number;
  /** Refresh this long before the access token expires, so a request never carries a dying token. */
  refreshMarginMs?: number;
  /** Told whenever the session ends on its own (refused refresh token), with the reason for the user. */
  onSignedOut?(message: string): void;
}

const SESSION_ENDED = 'Your Klaxon session has ended (the identity provider no longer accepts it). Sign in again to see incidents and page SRE.';

export class TokenVault {
  private accessToken: string | null = null;
  private accessTokenExpiresAt = 0;
  private accessTokenLifetimeMs = 0;
  private inflight: Promise<string> | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: TokenVaultOptions) {
    this.now = opts.now ?? Date.now;
  }

  async hasSession(): Promise<boolean> {
    return this.accessToken !== null || (await this.opts.store.get()) !== null;
  }

  /** Keeps the tokens of a finished sign-in: refresh token persisted first, then the access token. */
  async accept(tokens: SignInTokens): Promise<void> {
    if (tokens.refresh_token) await this.opts.store.set(tokens.refresh_token);
    this.keepAccessToken(tokens);
  }

  /** A valid access token, refreshing when the one in memory is missing or about to expire. */
  async getAccessToken(): Promise<string> {
    // Renew shortly before expiry (30 s, or a fifth of a short-lived token's lifetime).
    const margin = Math.min(this.opts.refreshMarginMs ?? 30_000, this.accessTokenLifetimeMs / 5);
    if (this.accessToken && this.now() < this.accessTokenExpiresAt - margin) return this.accessToken;
    return this.refresh();
  }

  /** Forget the access token (the server refused it) without touching the refresh token. */
  dropAccessToken(): void {
    this.accessToken = null;
    this.accessTokenExpiresAt = 0;
  }

  /** Single-flight refresh: concurrent callers share one request to the IdP. */
  refresh(): Promise<string> {
    this.inflight ??= this.doRefresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async doRefresh(): Promise<string> {
    const rt = await this.opts.store.get();
    if (!rt) {
      this.dropAccessToken();
      throw new NotSignedInError(this.opts.store.message ?? 'You are not signed in to Klaxon.');
    }
    const config = await this.configOrUnreachable();
    let tokens: SignInTokens;
    try {
      tokens = await oidc.refreshTokenGrant(config, rt, this.opts.resource ? { resource: this.opts.resource } : undefined);
    } catch (e) {
      if (e instanceof oidc.ResponseBodyError && (e.error === 'invalid_grant' || e.error === 'invalid_client' || e.error === 'unauthorized_client')) {
        // The grant is revoked, expired, or was replayed: only an interactive sign-in can help.
        await this.opts.store.clear();
        this.dropAccessToken();
        this.opts.onSignedOut?.(SESSION_ENDED);
        throw new NotSignedInError(SESSION_ENDED);
      }
      throw new IdentityProviderUnreachableError(`Klaxon could not reach the identity provider to renew your session (${e instanceof Error ? e.message : String(e)}). It will try again.`, { cause: e });
    }
    // Rotation: persist the new refresh token before anything can use the new access token.
    if (tokens.refresh_token && tokens.refresh_token !== rt) await this.opts.store.set(tokens.refresh_token);
    return this.keepAccessToken(tokens);
  }

  private keepAccessToken(tokens: SignInTokens): string {
    this.accessToken = tokens.access_token;
    this.accessTokenLifetimeMs = (tokens.expiresIn() ?? 300) * 1000;
    this.accessTokenExpiresAt = this.now() + this.accessTokenLifetimeMs;
    return tokens.access_token;
  }

  private async configOrUnreachable(): Promise<oidc.Configuration> {
    try {
      return await this.opts.config();
    } catch (e) {
      throw new IdentityProviderUnreachableError(`Klaxon could not reach the identity provider (${e instanceof Error ? e.message : String(e)}). It will try again.`, { cause: e });
    }
  }

  /**
   * Signs out on this computer: revokes the refresh token at the IdP (best effort: an offline laptop
   * still forgets everything), then clears every token. Returns a note when revocation failed.
   */
  async signOut(): Promise<string | null> {
    await this.inflight?.catch(() => {}); // never revoke a token that a refresh is about to replace
    const rt = await this.opts.store.get();
    this.dropAccessToken();
    let note: string | null = null;
    if (rt) {
      try {
        const config = await this.opts.config();
        if (config.serverMetadata().revocation_endpoint) await oidc.tokenRevocation(config, rt, { token_type_hint: 'refresh_token' });
      } catch (e) {
        note = `Signed out on this computer, but the identity provider could not be told (${e instanceof Error ? e.message : String(e)}); the old session will expire by itself.`;
      }
    }
    await this.opts.store.clear();
    return note;
  }
}

/** A store that keeps the refresh token in this process only (tests, and machines without a keyring). */
export function memoryTokenStore(message: string | null = null): TokenStore & { mode: 'memory-only' } {
  let value: string | null = null;
  return {
    mode: 'memory-only',
    message,
    get: async () => value,
    set: async (rt) => { value = rt; },
    clear: async () => { value = null; },
  };
}
