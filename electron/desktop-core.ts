/**
 * Klaxon desktop without Electron: settings, the one client state, the session (desktop-session.ts)
 * and the IPC handlers (ipc.ts), behind the channel map of common/ipc.ts. The Electron shell and the
 * UI's end-to-end test both drive exactly this object, so what they test is what ships.
 */
import {
  AppInfo,
  IDEMPOTENCY_HEADER,
  Page,
  initialClientState,
  resendUnsentNow,
  routes,
  type EffectiveSettings,
  type IpcPushChannel,
  type IpcPushOf,
  type IpcRequestChannel,
  type IpcResponseOf,
  type ClientState,
  type ManagedPolicy,
  type Result,
  type UnsentPage,
} from '#common/index.js';
import { ClientStateStore } from './client-state-store.js';
import { unsentRefusedNotifications } from './notifications.js';
import { DesktopSession, type SessionDeps } from './desktop-session.js';
import { DesktopErrorReporting, type ErrorReportsShell } from './error-reports.js';
import { invokeIpc, ipcHandlers, type IpcDeps } from './ipc.js';
import { DesktopSettings } from './settings.js';
import { UnsentPages, memoryUnsentPagesStore, type UnsentPagesStore } from './unsent-pages.js';

export interface DesktopCoreDeps extends SessionDeps, IpcDeps {
  settings: { policy: ManagedPolicy; userSettingsFile: string };
  /** Where pages the server has not confirmed are kept across restarts (the shell: a file in the user data folder). */
  unsentPages?: UnsentPagesStore;
  log?(message: string): void;
  /** The main process's error reporter (shell/error-reports.ts); without it, error reports stay off. */
  errorReports?: ErrorReportsShell;
}

/** What the main process knows to be sensitive: the signed-in person's name, e-mail and subject. */
function sensitiveOf(s: ClientState): string[] {
  const me = s.auth.status === 'signed-in' || s.auth.status === 'not-authorised' ? s.auth.me : null;
  return me ? [me.user.name, me.user.email ?? '', me.user.sub].filter(Boolean) : [];
}

export interface DesktopCore {
  start(): Promise<void>;
  invoke<C extends IpcRequestChannel>(channel: C, payload: unknown): Promise<Result<IpcResponseOf<C>>>;
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
  const push = <C extends IpcPushChannel>(channel: C, payload: IpcPushOf<C>) => {
    for (const l of [...listeners]) l(channel, payload);
  };
  store.subscribe((s) => push('state:changed', s));

  const onPageUpdated = (page: IpcPushOf<'page:updated'>) => push('page:updated', page);
  const session = new DesktopSession({
    tokenStore: deps.tokenStore,
    openBrowser: (url) => deps.openBrowser(url),
    notify: (n) => deps.notify?.(n),
    allowInsecureIssuer: deps.allowInsecureIssuer,
    signInTimeoutMs: deps.signInTimeoutMs,
    link: deps.link,
    settings,
    store,
    log,
    onPageUpdated,
  });
  let lastUnsent: UnsentPage[] = [];
  const unsent = new UnsentPages({
    store: deps.unsentPages ?? memoryUnsentPagesStore(),
    send: (request) =>
      session.request({
        method: 'POST',
        path: routes.createPage.path,
        body: request,
        headers: { [IDEMPOTENCY_HEADER]: request.idempotencyKey },
        schema: Page,
      }),
    signedInAs: () => {
      const a = store.get().auth;
      return a.status === 'signed-in' ? a.me.user.sub : null;
    },
    onAccepted: onPageUpdated,
    onChange: (pages) => {
      push('unsent:changed', pages);
      for (const n of unsentRefusedNotifications(lastUnsent, pages, settings.get().values)) deps.notify?.(n);
      lastUnsent = pages;
    },
    log,
  });
  // Kept pages go as soon as their author is signed in again or the server answers again.
  store.subscribe((s, prev) => {
    if (resendUnsentNow(prev, s)) unsent.resendNow();
  });
  // Decided again whenever the server's configuration changes (another server, a new DSN); a DSN
  // from IT's policy turns reports on before the server has answered.
  const reporting = new DesktopErrorReporting(deps.errorReports, () => sensitiveOf(store.get()), log);
  const decideErrorReports = () => {
    const on = reporting.update(settings.get().values.sentryDsn, store.get().config?.sentry);
    if ((store.get().errorReports ?? false) !== on) store.update({ errorReports: on });
  };
  store.subscribe((s, previous) => {
    if (s.config !== previous.config) decideErrorReports();
  });
  decideErrorReports();
  const handlers = ipcHandlers(deps, { store, settings, session, unsent, reporting, onPageUpdated });

  return {
    state: store,
    settings: () => settings.get(),
    async start() {
      await unsent.start();
      await session.start();
    },
    invoke: (channel, payload) => invokeIpc(handlers, channel, payload, log),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reconnectNow: () => session.reconnectNow(),
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
      unsent.stop();
      await session.stop();
    },
  };
}
