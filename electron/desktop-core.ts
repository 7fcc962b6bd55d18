/**
 * Klaxon desktop without Electron: settings, server configuration, sign-in, token vault, server link
 * and the one client state, behind the IPC channel map of common/ipc.ts. The Electron shell and the
 * UI's end-to-end test both drive exactly this object, so what they test is what ships.
 */
import axios from 'axios';
import type * as oidc from 'openid-client';
import {
  IDLE_LINK,
  AckResult,
  ClientConfig,
  Me,
  MyPages,
  OnCallNow,
  Page,
  ipcRequests,
  routePath,
  routes,
  validationError,
  IDEMPOTENCY_HEADER,
  initialClientState,
  reducePages,
  reduceSnapshot,
  AppInfo,
  type EffectiveSettings,
  type IpcPushChannel,
  type IpcRequestChannel,
  type Result,
  type ManagedPolicy,
  type SettingKey,
  type UserSettings,
  allowedGroups,
  backoffDelayMs,
  fail,
  notAuthorisedMessage,
  ok,
} from '#common/index.js';
import { ClientStateStore } from './client-state-store.js';
import { refuseExternalUrl } from './external-links.js';
import { NotificationPolicy, type DesktopNotification } from './notifications.js';
import { SignInError, discoverIssuer, signIn } from './oidc-sign-in.js';
import { serialTask } from './serial-task.js';
import { RECONNECT_BACKOFF, ServerLink, type AuthProblem } from './server-link.js';
import { DesktopSettings } from './settings.js';
import { IdentityProviderUnreachableError, NotSignedInError, TokenVault, type TokenStore } from './token-vault.js';

export interface DesktopCoreDeps {
  settings: { policy: ManagedPolicy; userSettingsFile: string };
  tokenStore: TokenStore;
  openBrowser(url: URL): Promise<void>;
  notify?(n: DesktopNotification): void;
  /** http issuer on loopback (demo/tests). */
  allowInsecureIssuer?: boolean;
  /** Opens an allow-listed link in the system browser (`shell.openExternal`). */
  openExternal?(url: URL): Promise<void>;
  /** `window:hide` from the renderer. */
  hideWindow?(): void;
  /** The shell applies settings it owns (start at login, global shortcut). */
  onSettingsChanged?(settings: EffectiveSettings, changed: SettingKey[]): void;
  log?(message: string): void;
  signInTimeoutMs?: number;
  /** Test knobs for the SSE link (heartbeat and reconnect timing). */
  link?: { heartbeatSeconds?: number; backoff?: { baseMs: number; maxMs: number } };
}

export interface DesktopCore {
  start(): Promise<void>;
  invoke(channel: IpcRequestChannel, payload: unknown): Promise<Result<unknown>>;
  subscribe(listener: (channel: IpcPushChannel, payload: unknown) => void): () => void;
  stop(): Promise<void>;
  /** The one state object; the tray and badge subscribe to it. */
  readonly state: ClientStateStore;
  /** Network change or resume from sleep. */
  reconnectNow(): void;
  /** A notification was clicked: tell the renderer which incident to show. */
  showIncident(number: string): void;
  settings(): EffectiveSettings;
  /** The shell reports Klaxon's version and auto-update status (shown in the popover footer). */
  setAppInfo(info: AppInfo): void;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

const requiredGroupsOf = (config: ClientConfig | null): string[] => (config ? allowedGroups(config.groups) : []);

export function createDesktopCore(deps: DesktopCoreDeps): DesktopCore {
  const log = deps.log ?? ((m: string) => console.log(`[klaxon] ${m}`));
  const settings = new DesktopSettings({
    policy: deps.settings.policy,
    userSettingsFile: deps.settings.userSettingsFile,
    log,
  });
  const store = new ClientStateStore(
    initialClientState(settings.get().values.serverUrl, {
      mode: deps.tokenStore.mode,
      message: deps.tokenStore.message,
    }),
  );
  const listeners = new Set<(channel: IpcPushChannel, payload: unknown) => void>();
  const push = (channel: IpcPushChannel, payload: unknown) => {
    for (const l of [...listeners]) l(channel, payload);
  };
  store.subscribe((s) => push('state:changed', s));

  let running = false;
  let generation = 0; // bumps when the server changes, so late answers for the old one are dropped
  let oidcConfig: Promise<oidc.Configuration> | null = null;
  let vault: TokenVault | null = null;
  let link: ServerLink | null = null;
  let signInAbort: AbortController | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let pages: Page[] = [];
  let me: Me | null = null;

  const notifications = new NotificationPolicy({ settings: () => settings.get().values, me: () => me });
  const notify = (n: DesktopNotification | null) => {
    if (n && deps.notify) deps.notify(n);
  };
  const serverUrl = () => settings.get().values.serverUrl.replace(/\/+$/, '');
  // The vault knows when saving failed and it fell back to memory-only; before it exists, the store decides.
  const storage = () => vault?.storage() ?? { mode: deps.tokenStore.mode, message: deps.tokenStore.message };

  function identity(config: ClientConfig): { issuer: string; clientId: string } {
    const v = settings.get().values;
    return { issuer: v.issuer ?? config.oidc.issuer, clientId: v.clientId ?? config.oidc.desktopClientId };
  }

  function getOidcConfig(): Promise<oidc.Configuration> {
    const config = store.get().config;
    if (!config) return Promise.reject(new Error('the Klaxon server configuration is not loaded yet'));
    const { issuer, clientId } = identity(config);
    oidcConfig ??= discoverIssuer(new URL(issuer), clientId, {
      allowInsecureLoopback: deps.allowInsecureIssuer ?? false,
    });
    oidcConfig.catch(() => {
      oidcConfig = null;
    }); // try discovery again next time
    return oidcConfig;
  }

  function newVault(config: ClientConfig): TokenVault {
    return new TokenVault({
      config: getOidcConfig,
      store: deps.tokenStore,
      resource: config.oidc.resource,
      onSignedOut: (message) => void endSession(message, { revoke: false }),
      onStorageChanged: (s) => store.update({ storage: s }),
      log: (m) => log(`token vault: ${m}`),
    });
  }

  function newLink(config: ClientConfig, v: TokenVault): ServerLink {
    return new ServerLink({
      serverUrl: serverUrl(),
      getAccessToken: () => v.getAccessToken(),
      refreshAccessToken: () => {
        v.dropAccessToken();
        return v.refresh();
      },
      pollIntervalSeconds: () => config.pollIntervalSeconds,
      onLink: (l) => store.update({ link: l }),
      onEvent: (e) => {
        const s = store.get();
        store.update({ snapshot: reduceSnapshot(s.snapshot, e) });
        if (e.type === 'snapshot' || e.type === 'page') pages = reducePages(pages, e);
        if (e.type === 'snapshot') notifications.onSnapshot(e.data.incidents.incidents, e.data.pages);
        if (e.type === 'incident') notify(notifications.onIncident(e.data.change, e.data.incident));
        if (e.type === 'page') {
          push('page:updated', e.data);
          notify(notifications.onPage(e.data));
        }
      },
      onAuthProblem: (p) => void onAuthProblem(p),
      log: (m) => log(`server link: ${m}`),
      ...(deps.link?.heartbeatSeconds ? { heartbeatSeconds: deps.link.heartbeatSeconds } : {}),
      ...(deps.link?.backoff ? { backoff: deps.link.backoff } : {}),
    });
  }

  function notAuthorised(m: Me | null, groups: string[], serverMessage?: string) {
    const message = serverMessage && !m ? serverMessage : notAuthorisedMessage(groups, m?.user.name);
    // The server refused this account: incident data it sent earlier must not stay on screen.
    store.update({ auth: { status: 'not-authorised', me: m, requiredGroups: groups, message }, snapshot: null });
  }

  async function onAuthProblem(p: AuthProblem): Promise<void> {
    if (p.kind === 'signed-out') {
      await endSession(p.message, { revoke: false });
    } else {
      await link?.disconnect();
      notAuthorised(me, p.requiredGroups.length ? p.requiredGroups : requiredGroupsOf(store.get().config), p.message);
    }
  }

  /** Ends the session locally (and at the IdP when `revoke`), leaving a message for the user. */
  async function endSession(message: string | null, opts: { revoke: boolean }): Promise<string | null> {
    const l = link;
    link = null;
    await l?.disconnect();
    let note: string | null = null;
    if (opts.revoke && vault) note = await vault.signOut();
    else if (vault) await vault.forget();
    else await deps.tokenStore.clear();
    me = null;
    pages = [];
    store.update({
      auth: { status: 'signed-out', message: message ?? note },
      snapshot: null,
      link: IDLE_LINK,
      storage: storage(),
    });
    return note;
  }

  /**
   * After a sign-in or a restored session: who am I, and may I see incidents? Serial (serial-task.ts):
   * a restore and a user sign-in at the same moment never open two event streams.
   */
  const establishSerially = serialTask((gen: number) => runEstablish(gen));
  async function establish(gen: number): Promise<Result<null>> {
    const r = await establishSerially(gen);
    return gen === generation ? r : fail('conflict', 'Klaxon was signed out or switched servers while signing in.');
  }

  async function runEstablish(gen: number): Promise<Result<null>> {
    const config = store.get().config;
    if (!config || !vault) return fail('internal', 'Klaxon is not configured yet.');
    const probe = new ServerLink({
      serverUrl: serverUrl(),
      getAccessToken: () => vault!.getAccessToken(),
      refreshAccessToken: () => {
        vault!.dropAccessToken();
        return vault!.refresh();
      },
      pollIntervalSeconds: () => config.pollIntervalSeconds,
      onEvent: () => {},
      onLink: () => {},
      onAuthProblem: () => {},
    });
    const r = await probe.request({ method: 'GET', path: routes.me.path, schema: Me });
    if (gen !== generation) return fail('conflict', 'The Klaxon server changed while signing in.');
    if (!r.ok) return r;
    me = r.value;
    const previous = link;
    link = null;
    await previous?.disconnect();
    if (gen !== generation) return fail('conflict', 'Klaxon was signed out while signing in.');
    if (!me.permissions.view) {
      notAuthorised(me, requiredGroupsOf(config));
      return ok(null);
    }
    store.update({ auth: { status: 'signed-in', me }, storage: storage() });
    link = newLink(config, vault);
    if (running) link.connect();
    return ok(null);
  }

  function scheduleRetry(attempt: number, fn: () => void): void {
    if (!running) return;
    const delay = backoffDelayMs(attempt + 1, { ...RECONNECT_BACKOFF, minMs: RECONNECT_BACKOFF.baseMs / 2 });
    store.update((s) => ({ link: { ...s.link, retryAt: new Date(Date.now() + delay).toISOString() } }));
    retryTimer = setTimeout(fn, delay);
    retryTimer.unref?.();
  }

  /** Fetches the server's public configuration, then restores a saved session; retries while offline. */
  async function boot(attempt = 0): Promise<void> {
    const gen = generation;
    if (!running) return;
    store.update({
      serverUrl: serverUrl(),
      storage: storage(),
      link: { status: 'connecting', lastDataAt: store.get().link.lastDataAt, error: null, retryAt: null },
    });
    let config: ClientConfig;
    try {
      const res = await axios.get(`${serverUrl()}${routes.clientConfig.path}`, {
        timeout: 15_000,
        adapter: 'http',
        validateStatus: () => true,
      });
      const parsed = ClientConfig.safeParse(res.data);
      if (res.status !== 200 || !parsed.success)
        throw new Error(
          res.status !== 200 ? `it answered ${res.status}` : 'its configuration is not one this Klaxon understands',
        );
      config = parsed.data;
    } catch (e) {
      if (gen !== generation) return;
      store.update((s) => ({
        link: {
          ...s.link,
          status: 'offline',
          error: `Cannot reach the Klaxon server at ${serverUrl()} (${axios.isAxiosError(e) ? (e.code ?? e.message) : errorText(e)}). Klaxon keeps trying; check your network or the server address in Settings.`,
        },
      }));
      scheduleRetry(attempt, () => void boot(attempt + 1));
      return;
    }
    if (gen !== generation) return;
    store.update({ config });
    vault = newVault(config);
    await restore(gen, 0);
  }

  async function restore(gen: number, attempt: number): Promise<void> {
    if (!running || gen !== generation || !vault) return;
    if (!(await vault.hasSession())) {
      store.update((s) => ({
        auth: s.auth.status === 'signed-out' ? s.auth : { status: 'signed-out', message: deps.tokenStore.message },
        link: { ...IDLE_LINK, lastDataAt: s.link.lastDataAt },
        storage: storage(),
      }));
      return;
    }
    store.update({ auth: { status: 'signing-in', authorizeUrl: null } });
    try {
      await vault.getAccessToken();
    } catch (e) {
      if (gen !== generation) return; // signed out or switched servers meanwhile
      if (e instanceof NotSignedInError) {
        store.update({
          auth: { status: 'signed-out', message: e.message },
          storage: storage(),
          link: IDLE_LINK,
        });
        return;
      }
      const message = e instanceof IdentityProviderUnreachableError ? e.message : errorText(e);
      store.update((s) => ({ link: { ...s.link, status: 'offline', error: message } }));
      scheduleRetry(attempt, () => void restore(gen, attempt + 1));
      return;
    }
    const r = await establish(gen);
    if (!r.ok && r.error.code === 'upstream_unavailable') {
      store.update((s) => ({ link: { ...s.link, status: 'offline', error: r.error.message } }));
      scheduleRetry(attempt, () => void restore(gen, attempt + 1));
    }
  }

  async function doSignIn(): Promise<Result<null>> {
    let config = store.get().config;
    if (!config) {
      if (retryTimer) clearTimeout(retryTimer);
      await boot();
      config = store.get().config;
      if (!config) return fail('upstream_unavailable', store.get().link.error ?? 'Cannot reach the Klaxon server.');
    }
    signInAbort?.abort();
    const abort = new AbortController();
    signInAbort = abort;
    const gen = generation;
    store.update({ auth: { status: 'signing-in', authorizeUrl: null } });
    try {
      const oc = await getOidcConfig();
      const tokens = await signIn(oc, {
        scopes: config.oidc.scopes,
        resource: config.oidc.resource,
        openBrowser: (url) => deps.openBrowser(url),
        onAuthorizeUrl: (url) => store.update({ auth: { status: 'signing-in', authorizeUrl: url.href } }),
        timeoutMs: deps.signInTimeoutMs ?? 300_000,
        signal: abort.signal,
      });
      if (gen !== generation || abort.signal.aborted) return fail('conflict', 'Sign-in was cancelled.');
      vault ??= newVault(config);
      await vault.accept(tokens);
      const r = await establish(gen);
      if (!r.ok) store.update({ auth: { status: 'signed-out', message: r.error.message } });
      return r;
    } catch (e) {
      if (signInAbort !== abort && !(e instanceof SignInError && e.reason !== 'cancelled')) {
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
      if (signInAbort === abort) signInAbort = null;
    }
  }

  /** Restarts everything for a new server or identity provider: tokens for the old one are useless. */
  async function switchServer(): Promise<void> {
    generation++;
    if (retryTimer) clearTimeout(retryTimer);
    signInAbort?.abort();
    await endSession(null, { revoke: true });
    oidcConfig = null;
    vault = null;
    store.update({ config: null, serverUrl: serverUrl() });
    void boot();
  }

  function requireSignedIn(): ReturnType<typeof fail> | null {
    const a = store.get().auth;
    if (a.status === 'signed-in' && link) return null;
    if (a.status === 'not-authorised') return fail('forbidden', a.message, { requiredGroups: a.requiredGroups });
    return fail('unauthorized', 'Sign in to Klaxon first.');
  }

  const handlers: { [C in IpcRequestChannel]: (payload: never) => Promise<Result<unknown>> } = {
    'state:get': async () => ok(store.get()),
    'config:get': async () => ok(store.get().config),
    'auth:sign-in': async () => doSignIn(),
    'auth:cancel': async () => {
      signInAbort?.abort();
      return ok(null);
    },
    'auth:sign-out': async () => {
      // Bump the generation first: a restore or sign-in paused mid-way must not mark us signed in later.
      generation++;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      signInAbort?.abort();
      await endSession(null, { revoke: true });
      if (running && !store.get().config) void boot(); // the config fetch of the old generation gave up
      return ok(null);
    },
    'oncall:get': async () =>
      requireSignedIn() ?? link!.request({ method: 'GET', path: routes.oncall.path, schema: OnCallNow }),
    'pages:create': async (payload: { idempotencyKey: string }) => {
      const refused = requireSignedIn();
      if (refused) return refused;
      const r = await link!.request({
        method: 'POST',
        path: routes.createPage.path,
        body: payload,
        headers: { [IDEMPOTENCY_HEADER]: payload.idempotencyKey },
        schema: Page,
      });
      if (r.ok) {
        pages = reducePages(pages, { type: 'page', id: '', data: r.value });
        push('page:updated', r.value);
      }
      return r;
    },
    'pages:mine': async () => {
      const refused = requireSignedIn();
      if (refused) return refused;
      const r = await link!.request({ method: 'GET', path: routes.myPages.path, schema: MyPages });
      if (!r.ok) return r;
      pages = r.value.pages;
      return ok(r.value.pages);
    },
    'incidents:ack': async (payload: { number: string; message?: string }) => {
      const refused = requireSignedIn();
      if (refused) return refused;
      const { number, ...body } = payload;
      return link!.request({ method: 'POST', path: routePath('ackIncident', { number }), body, schema: AckResult });
    },
    'settings:get': async () => ok(settings.get()),
    'settings:set': async (payload: UserSettings) => {
      const r = settings.set(payload);
      if (!r.ok) return fail('forbidden', r.message, { field: r.field });
      deps.onSettingsChanged?.(r.value, r.changed);
      if (r.changed.some((k) => k === 'serverUrl' || k === 'issuer' || k === 'clientId')) await switchServer();
      return ok(r.value);
    },
    'shell:open-external': async (payload: { url: string }) => {
      const s = store.get();
      const refused = refuseExternalUrl(payload.url, { config: s.config, snapshot: s.snapshot });
      if (refused) return fail('forbidden', refused, { field: 'url' });
      if (!deps.openExternal) return fail('internal', 'Opening links is not available here.');
      try {
        await deps.openExternal(new URL(payload.url));
        return ok(null);
      } catch (e) {
        return fail('internal', `Klaxon could not open the link (${errorText(e)}).`);
      }
    },
    'window:hide': async () => {
      deps.hideWindow?.();
      return ok(null);
    },
  };

  return {
    state: store,
    settings: () => settings.get(),
    async start() {
      if (running) return;
      running = true;
      store.update({ storage: storage() });
      await boot();
    },
    async invoke(channel, payload) {
      if (typeof channel !== 'string' || !Object.hasOwn(ipcRequests, channel))
        return fail('invalid_request', `Unknown request "${String(channel)}".`, { field: 'channel' });
      const parsed = ipcRequests[channel].request.safeParse(payload);
      if (!parsed.success) return { ok: false, error: validationError(parsed.error.issues).error };
      try {
        return await (handlers[channel] as (p: unknown) => Promise<Result<unknown>>)(parsed.data);
      } catch (e) {
        log(`${channel} failed: ${errorText(e)}`);
        return fail(
          'internal',
          `Something went wrong in Klaxon (${errorText(e)}). Try again; if it keeps happening, restart Klaxon.`,
        );
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reconnectNow() {
      if (link) link.reconnectNow();
      else if (running && !store.get().config) {
        if (retryTimer) clearTimeout(retryTimer);
        void boot();
      }
    },
    showIncident(number) {
      push('navigate:incident', { number });
    },
    setAppInfo(info) {
      const parsed = AppInfo.safeParse(info);
      if (parsed.success) store.update({ app: parsed.data });
      else
        log(`ignored invalid app info: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    },
    async stop() {
      running = false;
      generation++;
      if (retryTimer) clearTimeout(retryTimer);
      signInAbort?.abort();
      const l = link;
      link = null;
      await l?.disconnect();
    },
  };
}
