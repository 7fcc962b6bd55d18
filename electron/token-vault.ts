/**
 * Holds the user's tokens. The refresh token goes to the injected store (encrypted with the OS
 * keyring, or memory only); the access token never leaves this object's memory. Refresh is
 * single-flight and persists a rotated refresh token BEFORE the new access token is used: with
 * rotation, the old refresh token is dead the moment the IdP answers, and replaying it would make
 * the IdP revoke the whole grant (its defence against a stolen refresh token).
 *
 * Two rules keep a dead token from ever being replayed:
 * - if the store cannot save a rotated token (keyring locked), the new token stays in this object's
 *   memory and the vault switches to memory-only for good (the stale saved copy is removed);
 * - sign-out takes the token, clears the store and bumps an epoch BEFORE it talks to the IdP, and a
 *   refresh that started in an older epoch throws its result away (and revokes it) instead of saving it.
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
  /** Told when the vault had to fall back to memory-only storage (see `storage()`). */
  onStorageChanged?(storage: { mode: 'encrypted' | 'memory-only'; message: string | null }): void;
  log?(message: string): void;
}

const KEYRING_SAVE_FAILED =
  'Klaxon could not save your sign-in to the keyring; you will need to sign in again after a restart.';
const SIGNED_OUT_DURING_REFRESH = 'You signed out of Klaxon.';

const SESSION_ENDED =
  'Your Klaxon session has ended (the identity provider no longer accepts it). Sign in again to see incidents and page SRE.';

export class TokenVault {
  private accessToken: string | null = null;
  private accessTokenExpiresAt = 0;
  private accessTokenLifetimeMs = 0;
  private inflight: Promise<string> | null = null;
  private readonly now: () => number;
  /** Bumped by sign-out: a refresh that started in an older epoch must not keep its result. */
  private epoch = 0;
  /** Set once the store failed to save: from then on the refresh token lives here only. */
  private memoryOnly: { refreshToken: string | null } | null = null;

  constructor(private readonly opts: TokenVaultOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** How the refresh token is kept right now (the store's own mode, unless saving failed). */
  storage(): { mode: 'encrypted' | 'memory-only'; message: string | null } {
    if (this.memoryOnly) return { mode: 'memory-only', message: KEYRING_SAVE_FAILED };
    return { mode: this.opts.store.mode, message: this.opts.store.message };
  }

  async hasSession(): Promise<boolean> {
    return this.accessToken !== null || (await this.readRefreshToken()) !== null;
  }

  /** Keeps the tokens of a finished sign-in: refresh token persisted first, then the access token. */
  async accept(tokens: SignInTokens): Promise<void> {
    this.epoch++; // a refresh of an earlier session still in flight must not overwrite this one
    if (tokens.refresh_token) await this.saveRefreshToken(tokens.refresh_token);
    this.keepAccessToken(tokens);
  }

  private async readRefreshToken(): Promise<string | null> {
    return this.memoryOnly ? this.memoryOnly.refreshToken : this.opts.store.get();
  }

  /**
   * Saves a refresh token. When the store refuses (keyring locked, disk full), the token is kept in
   * memory and the saved (now dead) one is removed, so nothing can replay it later.
   */
  private async saveRefreshToken(rt: string): Promise<void> {
    if (this.memoryOnly) {
      this.memoryOnly.refreshToken = rt;
      return;
    }
    try {
      await this.opts.store.set(rt);
    } catch (e) {
      this.memoryOnly = { refreshToken: rt };
      this.opts.log?.(
        `could not save the refresh token (${e instanceof Error ? e.message : String(e)}); keeping it in memory only`,
      );
      await this.opts.store.clear().catch(() => {});
      this.opts.onStorageChanged?.(this.storage());
    }
  }

  private async clearRefreshToken(): Promise<void> {
    if (this.memoryOnly) this.memoryOnly.refreshToken = null;
    await this.opts.store.clear();
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
    const epoch = this.epoch;
    const rt = await this.readRefreshToken();
    if (!rt) {
      this.dropAccessToken();
      throw new NotSignedInError(this.opts.store.message ?? 'You are not signed in to Klaxon.');
    }
    const config = await this.configOrUnreachable();
    let tokens: SignInTokens;
    try {
      tokens = await oidc.refreshTokenGrant(
        config,
        rt,
        this.opts.resource ? { resource: this.opts.resource } : undefined,
      );
    } catch (e) {
      if (epoch !== this.epoch) return this.superseded();
      if (
        e instanceof oidc.ResponseBodyError &&
        (e.error === 'invalid_grant' || e.error === 'invalid_client' || e.error === 'unauthorized_client')
      ) {
        // The grant is revoked, expired, or was replayed: only an interactive sign-in can help.
        await this.clearRefreshToken();
        this.dropAccessToken();
        this.opts.onSignedOut?.(SESSION_ENDED);
        throw new NotSignedInError(SESSION_ENDED);
      }
      throw new IdentityProviderUnreachableError(
        `Klaxon could not reach the identity provider to renew your session (${e instanceof Error ? e.message : String(e)}). It will try again.`,
        { cause: e },
      );
    }
    if (epoch !== this.epoch) {
      // Signed out (or signed in afresh) while this refresh was on the wire: its tokens belong to a
      // session that no longer exists. Never save them; tell the IdP to forget the new refresh token.
      if (tokens.refresh_token && tokens.refresh_token !== rt)
        await this.revoke(config, tokens.refresh_token).catch(() => {});
      return this.superseded();
    }
    // Rotation: persist the new refresh token before anything can use the new access token.
    if (tokens.refresh_token && tokens.refresh_token !== rt) await this.saveRefreshToken(tokens.refresh_token);
    if (epoch !== this.epoch) {
      // Sign-out ran while this was saving: its clear may have come first, so take ours back out.
      if (tokens.refresh_token && (await this.readRefreshToken().catch(() => null)) === tokens.refresh_token)
        await this.clearRefreshToken().catch(() => {});
      if (tokens.refresh_token && tokens.refresh_token !== rt)
        await this.revoke(config, tokens.refresh_token).catch(() => {});
      return this.superseded();
    }
    return this.keepAccessToken(tokens);
  }

  /** A refresh outlived its session: hand out the newer sign-in's token, or report the sign-out. */
  private superseded(): string {
    if (this.accessToken) return this.accessToken;
    throw new NotSignedInError(SIGNED_OUT_DURING_REFRESH);
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
      throw new IdentityProviderUnreachableError(
        `Klaxon could not reach the identity provider (${e instanceof Error ? e.message : String(e)}). It will try again.`,
        { cause: e },
      );
    }
  }

  private async revoke(config: oidc.Configuration, refreshToken: string): Promise<void> {
    if (config.serverMetadata().revocation_endpoint)
      await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
  }

  /** Forgets every token here without telling the IdP (it already refused them). */
  async forget(): Promise<void> {
    this.epoch++;
    this.dropAccessToken();
    await this.clearRefreshToken();
  }

  /**
   * Signs out on this computer: first forgets every token here (take the refresh token, clear the
   * store, bump the epoch so an in-flight refresh drops what it gets back), THEN revokes it at the
   * IdP (best effort: an offline laptop still forgets everything). Returns a note when revocation failed.
   */
  async signOut(): Promise<string | null> {
    this.epoch++;
    const rt = await this.readRefreshToken().catch(() => null);
    this.dropAccessToken();
    await this.clearRefreshToken();
    let note: string | null = null;
    if (rt) {
      try {
        await this.revoke(await this.opts.config(), rt);
      } catch (e) {
        note = `Signed out on this computer, but the identity provider could not be told (${e instanceof Error ? e.message : String(e)}); the old session will expire by itself.`;
      }
    }
    // A refresh that was already on the wire revokes its own result (see doRefresh); wait for it so
    // that, once sign-out returns, nothing of this session is left anywhere.
    await this.inflight?.catch(() => {});
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
    set: async (rt) => {
      value = rt;
    },
    clear: async () => {
      value = null;
    },
  };
}
