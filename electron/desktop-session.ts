/**
 * The session life cycle of Klaxon desktop: fetch the server's configuration (retrying while
 * offline), restore a saved session or sign in, hold the token vault and the ONE server link, and
 * end it all on sign-out, a refused account or a server switch. Everything it learns goes into the
 * one client state; the IPC handlers (ipc.ts) call in here and never touch the link themselves.
 */
import axios from 'axios';
import type * as oidc from 'openid-client';
import {
  IDLE_LINK,
  ClientConfig,
  Me,
  routes,
  reduceSnapshot,
  allowedGroups,
  backoffDelayMs,
  fail,
  notAuthorisedMessage,
  ok,
  type Page,
  type Result,
  type ServerEvent,
  RECONNECT_BACKOFF,
} from '#common/index.js';
import type { ClientStateStore } from './client-state-store.js';
import { NotificationPolicy, type DesktopNotification } from './notifications.js';
import { SignInError, discoverIssuer, signIn as signInWithBrowser } from './oidc-sign-in.js';
import { serialTask } from './serial-task.js';
import { ServerLink, type AuthProblem, type ServerRequest } from './server-link.js';
import type { DesktopSettings } from './settings.js';
import { IdentityProviderUnreachableError, NotSignedInError, TokenVault, type TokenStore } from './token-vault.js';

/** What the session needs from whoever runs it (the Electron shell, a test, the e2e bridge). */
export interface SessionDeps {
  tokenStore: TokenStore;
  openBrowser(url: URL): Promise<void>;
  notify?(n: DesktopNotification): void;
  /** http issuer on loopback (demo/tests). */
  allowInsecureIssuer?: boolean;
  signInTimeoutMs?: number;
  /** Test knobs for the SSE link (heartbeat and reconnect timing). */
  link?: { heartbeatSeconds?: number; backoff?: { baseMs: number; maxMs: number } };
}

export interface DesktopSessionOptions extends SessionDeps {
  settings: DesktopSettings;
  store: ClientStateStore;
  log(message: string): void;
  /** One of the user's pages changed on the server: the renderer follows it. */
  onPageUpdated(page: Page): void;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

const requiredGroupsOf = (config: ClientConfig | null): string[] => (config ? allowedGroups(config.groups) : []);

/** The vault's bearer token for a ServerLink, renewed when the server refuses it. */
const bearerTokens = (vault: TokenVault) => ({
  getAccessToken: () => vault.getAccessToken(),
  refreshAccessToken: () => {
    vault.dropAccessToken();
    return vault.refresh();
  },
});

export class DesktopSession {
  private running = false;
  /** Bumps when the server changes or the user signs out, so late answers for the old session are dropped. */
  private generation = 0;
  private oidcConfig: Promise<oidc.Configuration> | null = null;
  private vault: TokenVault | null = null;
  private link: ServerLink | null = null;
  private signInAbort: AbortController | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private me: Me | null = null;
  private readonly notifications: NotificationPolicy;
  /**
   * After a sign-in or a restored session: who am I, and may I see incidents? Serial (serial-task.ts):
   * a restore and a user sign-in at the same moment never open two event streams.
   */
  private readonly establishSerially = serialTask((gen: number) => this.runEstablish(gen));

  constructor(private readonly opts: DesktopSessionOptions) {
    this.notifications = new NotificationPolicy({ settings: () => opts.settings.get().values, me: () => this.me });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.opts.store.update({ storage: this.storage() });
    await this.boot();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.signInAbort?.abort();
    const l = this.link;
    this.link = null;
    await l?.disconnect();
  }

  /** Interactive sign-in in the system browser (oidc-sign-in.ts), then /me and the event stream. */
  async signIn(): Promise<Result<null>> {
    const { store } = this.opts;
    let config = store.get().config;
    if (!config) {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      await this.boot();
      config = store.get().config;
      if (!config) return fail('upstream_unavailable', store.get().link.error ?? 'Cannot reach the Klaxon server.');
    }
    this.signInAbort?.abort();
    const abort = new AbortController();
    this.signInAbort = abort;
    const gen = this.generation;
    store.update({ auth: { status: 'signing-in', authorizeUrl: null } });
    try {
      const tokens = await signInWithBrowser(await this.getOidcConfig(), {
        scopes: config.oidc.scopes,
        resource: config.oidc.resource,
        openBrowser: (url) => this.opts.openBrowser(url),
        onAuthorizeUrl: (url) => store.update({ auth: { status: 'signing-in', authorizeUrl: url.href } }),
        timeoutMs: this.opts.signInTimeoutMs ?? 300_000,
        signal: abort.signal,
      });
      if (gen !== this.generation || abort.signal.aborted) return fail('conflict', 'Sign-in was cancelled.');
      this.vault ??= this.newVault(config);
      await this.vault.accept(tokens);
      const r = await this.establish(gen);
      if (!r.ok) store.update({ auth: { status: 'signed-out', message: r.error.message } });
      return r;
    } catch (e) {
      if (this.signInAbort !== abort && !(e instanceof SignInError && e.reason !== 'cancelled')) {
        return fail('conflict', 'This sign-in was replaced by a newer one.');
      }
      const message =
        e instanceof SignInError
          ? e.message
          : `Klaxon could not reach the identity provider (${errorText(e)}). Check your network and try again.`;
      store.update({
        auth: { status: 'signed-out', message: e instanceof SignInError && e.reason === 'cancelled' ? null : message },
      });
      return fail(e instanceof SignInError && e.reason === 'denied' ? 'forbidden' : 'unauthorized', message);
    } finally {
      if (this.signInAbort === abort) this.signInAbort = null;
    }
  }

  cancelSignIn(): void {
    this.signInAbort?.abort();
  }

  async signOut(): Promise<void> {
    // Bump the generation first: a restore or sign-in paused mid-way must not mark us signed in later.
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.signInAbort?.abort();
    await this.endSession(null, { revoke: true });
    if (this.running && !this.opts.store.get().config) void this.boot(); // the config fetch of the old generation gave up
  }

  /** Restarts everything for a new server or identity provider: tokens for the old one are useless. */
  async switchServer(): Promise<void> {
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.signInAbort?.abort();
    await this.endSession(null, { revoke: true });
    this.oidcConfig = null;
    this.vault = null;
    this.opts.store.update({ config: null, serverUrl: this.serverUrl() });
    void this.boot();
  }

  /** Network change or resume from sleep: reconnect the link now, or fetch the configuration again. */
  reconnectNow(): void {
    if (this.link) this.link.reconnectNow();
    else if (this.running && !this.opts.store.get().config) {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      void this.boot();
    }
  }

  /** A REST call to the Klaxon server as the signed-in user; refused, as a value, when there is none. */
  async request<T>(req: ServerRequest<T>): Promise<Result<T>> {
    const a = this.opts.store.get().auth;
    if (a.status === 'signed-in' && this.link) return this.link.request(req);
    if (a.status === 'not-authorised') return fail('forbidden', a.message, { requiredGroups: a.requiredGroups });
    return fail('unauthorized', 'Sign in to Klaxon first.');
  }

  private serverUrl(): string {
    return this.opts.settings.get().values.serverUrl.replace(/\/+$/, '');
  }

  /** The vault knows when saving failed and it fell back to memory-only; before it exists, the store decides. */
  private storage() {
    return this.vault?.storage() ?? { mode: this.opts.tokenStore.mode, message: this.opts.tokenStore.message };
  }

  private notify(n: DesktopNotification | null): void {
    if (n && this.opts.notify) this.opts.notify(n);
  }

  private getOidcConfig(): Promise<oidc.Configuration> {
    const config = this.opts.store.get().config;
    if (!config) return Promise.reject(new Error('the Klaxon server configuration is not loaded yet'));
    const v = this.opts.settings.get().values;
    const issuer = v.issuer ?? config.oidc.issuer;
    const clientId = v.clientId ?? config.oidc.desktopClientId;
    this.oidcConfig ??= discoverIssuer(new URL(issuer), clientId, {
      allowInsecureLoopback: this.opts.allowInsecureIssuer ?? false,
    });
    this.oidcConfig.catch(() => {
      this.oidcConfig = null;
    }); // try discovery again next time
    return this.oidcConfig;
  }

  private newVault(config: ClientConfig): TokenVault {
    return new TokenVault({
      config: () => this.getOidcConfig(),
      store: this.opts.tokenStore,
      resource: config.oidc.resource,
      onSignedOut: (message) => void this.endSession(message, { revoke: false }),
      onStorageChanged: (s) => this.opts.store.update({ storage: s }),
      log: (m) => this.opts.log(`token vault: ${m}`),
    });
  }

  private newLink(config: ClientConfig, vault: TokenVault): ServerLink {
    const knobs = this.opts.link;
    return new ServerLink({
      serverUrl: this.serverUrl(),
      ...bearerTokens(vault),
      pollIntervalSeconds: () => config.pollIntervalSeconds,
      onLink: (l) => this.opts.store.update({ link: l }),
      onEvent: (e) => this.onServerEvent(e),
      onAuthProblem: (p) => void this.onAuthProblem(p),
      log: (m) => this.opts.log(`server link: ${m}`),
      ...(knobs?.heartbeatSeconds ? { heartbeatSeconds: knobs.heartbeatSeconds } : {}),
      ...(knobs?.backoff ? { backoff: knobs.backoff } : {}),
    });
  }

  private onServerEvent(e: ServerEvent): void {
    const s = this.opts.store.get();
    this.opts.store.update({ snapshot: reduceSnapshot(s.snapshot, e) });
    if (e.type === 'snapshot') this.notifications.onSnapshot(e.data.incidents.incidents, e.data.pages);
    if (e.type === 'incident') this.notify(this.notifications.onIncident(e.data.change, e.data.incident));
    if (e.type === 'page') {
      this.opts.onPageUpdated(e.data);
      this.notify(this.notifications.onPage(e.data));
    }
  }

  private notAuthorised(m: Me | null, groups: string[], serverMessage?: string): void {
    const message = serverMessage && !m ? serverMessage : notAuthorisedMessage(groups, m?.user.name);
    // The server refused this account: incident data it sent earlier must not stay on screen.
    this.opts.store.update({
      auth: { status: 'not-authorised', me: m, requiredGroups: groups, message },
      snapshot: null,
    });
  }

  private async onAuthProblem(p: AuthProblem): Promise<void> {
    if (p.kind === 'signed-out') {
      await this.endSession(p.message, { revoke: false });
    } else {
      await this.link?.disconnect();
      const groups = p.requiredGroups.length ? p.requiredGroups : requiredGroupsOf(this.opts.store.get().config);
      this.notAuthorised(this.me, groups, p.message);
    }
  }

  /** Ends the session locally (and at the IdP when `revoke`), leaving a message for the user. */
  private async endSession(message: string | null, opts: { revoke: boolean }): Promise<string | null> {
    const l = this.link;
    this.link = null;
    await l?.disconnect();
    let note: string | null = null;
    if (opts.revoke && this.vault) note = await this.vault.signOut();
    else if (this.vault) await this.vault.forget();
    else await this.opts.tokenStore.clear();
    this.me = null;
    this.opts.store.update({
      auth: { status: 'signed-out', message: message ?? note },
      snapshot: null,
      link: IDLE_LINK,
      storage: this.storage(),
    });
    return note;
  }

  private async establish(gen: number): Promise<Result<null>> {
    const r = await this.establishSerially(gen);
    return gen === this.generation
      ? r
      : fail('conflict', 'Klaxon was signed out or switched servers while signing in.');
  }

  private async runEstablish(gen: number): Promise<Result<null>> {
    const config = this.opts.store.get().config;
    const vault = this.vault;
    if (!config || !vault) return fail('internal', 'Klaxon is not configured yet.');
    // A link that never opens its event stream: it only asks /me, before the real link exists.
    const probe = new ServerLink({
      serverUrl: this.serverUrl(),
      ...bearerTokens(vault),
      pollIntervalSeconds: () => config.pollIntervalSeconds,
      onEvent: () => {},
      onLink: () => {},
      onAuthProblem: () => {},
    });
    const r = await probe.request({ method: 'GET', path: routes.me.path, schema: Me });
    if (gen !== this.generation) return fail('conflict', 'The Klaxon server changed while signing in.');
    if (!r.ok) return r;
    const me = r.value;
    this.me = me;
    const previous = this.link;
    this.link = null;
    await previous?.disconnect();
    if (gen !== this.generation) return fail('conflict', 'Klaxon was signed out while signing in.');
    if (!me.permissions.view) {
      this.notAuthorised(me, requiredGroupsOf(config));
      return ok(null);
    }
    this.opts.store.update({ auth: { status: 'signed-in', me }, storage: this.storage() });
    this.link = this.newLink(config, vault);
    if (this.running) this.link.connect();
    return ok(null);
  }

  private scheduleRetry(attempt: number, fn: () => void): void {
    if (!this.running) return;
    const delay = backoffDelayMs(attempt + 1, RECONNECT_BACKOFF);
    this.opts.store.update((s) => ({ link: { ...s.link, retryAt: new Date(Date.now() + delay).toISOString() } }));
    this.retryTimer = setTimeout(fn, delay);
    this.retryTimer.unref?.();
  }

  /** Fetches the server's public configuration, then restores a saved session; retries while offline. */
  private async boot(attempt = 0): Promise<void> {
    const gen = this.generation;
    if (!this.running) return;
    const { store } = this.opts;
    store.update({
      serverUrl: this.serverUrl(),
      storage: this.storage(),
      link: { status: 'connecting', lastDataAt: store.get().link.lastDataAt, error: null, retryAt: null },
    });
    let config: ClientConfig;
    try {
      config = await this.fetchClientConfig();
    } catch (e) {
      if (gen !== this.generation) return;
      const why = axios.isAxiosError(e) ? (e.code ?? e.message) : errorText(e);
      store.update((s) => ({
        link: {
          ...s.link,
          status: 'offline',
          error: `Cannot reach the Klaxon server at ${this.serverUrl()} (${why}). Klaxon keeps trying; check your network or the server address in Settings.`,
        },
      }));
      this.scheduleRetry(attempt, () => void this.boot(attempt + 1));
      return;
    }
    if (gen !== this.generation) return;
    store.update({ config });
    this.vault = this.newVault(config);
    await this.restore(gen, 0);
  }

  private async fetchClientConfig(): Promise<ClientConfig> {
    const res = await axios.get(`${this.serverUrl()}${routes.clientConfig.path}`, {
      timeout: 15_000,
      adapter: 'http',
      validateStatus: () => true,
    });
    const parsed = ClientConfig.safeParse(res.data);
    if (res.status !== 200) throw new Error(`it answered ${res.status}`);
    if (!parsed.success) throw new Error('its configuration is not one this Klaxon understands');
    return parsed.data;
  }

  private async restore(gen: number, attempt: number): Promise<void> {
    const { store } = this.opts;
    const vault = this.vault;
    if (!this.running || gen !== this.generation || !vault) return;
    if (!(await vault.hasSession())) {
      store.update((s) => ({
        auth: s.auth.status === 'signed-out' ? s.auth : { status: 'signed-out', message: this.opts.tokenStore.message },
        link: { ...IDLE_LINK, lastDataAt: s.link.lastDataAt },
        storage: this.storage(),
      }));
      return;
    }
    store.update({ auth: { status: 'signing-in', authorizeUrl: null } });
    try {
      await vault.getAccessToken();
    } catch (e) {
      if (gen !== this.generation) return; // signed out or switched servers meanwhile
      if (e instanceof NotSignedInError) {
        store.update({ auth: { status: 'signed-out', message: e.message }, storage: this.storage(), link: IDLE_LINK });
        return;
      }
      const message = e instanceof IdentityProviderUnreachableError ? e.message : errorText(e);
      store.update((s) => ({ link: { ...s.link, status: 'offline', error: message } }));
      this.scheduleRetry(attempt, () => void this.restore(gen, attempt + 1));
      return;
    }
    const r = await this.establish(gen);
    if (!r.ok && r.error.code === 'upstream_unavailable') {
      store.update((s) => ({ link: { ...s.link, status: 'offline', error: r.error.message } }));
      this.scheduleRetry(attempt, () => void this.restore(gen, attempt + 1));
    }
  }
}
