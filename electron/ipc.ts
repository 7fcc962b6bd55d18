/**
 * The main-process side of the IPC contract (common/ipc.ts): one handler per request channel. The
 * table's type comes from the channel map, so a channel added, removed or changed there breaks the
 * build here until its handler follows. `invokeIpc` checks the channel and validates the payload with
 * the channel's schema before any handler runs; shell/ipc.ts checks the sender before that.
 */
import type { z } from 'zod/mini';
import {
  AckResult,
  MyPages,
  OnCallNow,
  ipcRequests,
  routePath,
  routes,
  targetLabelOf,
  validationError,
  type EffectiveSettings,
  type IpcRequestChannel,
  type IpcResponseOf,
  type Result,
  type SettingKey,
  fail,
  ok,
} from '#common/index.js';
import type { ClientStateStore } from './client-state-store.js';
import type { DesktopSession } from './desktop-session.js';
import { refuseExternalUrl } from './external-links.js';
import {
  SERVER_CHANGE_NOT_CONFIRMED,
  SERVER_KEYS,
  serverChangesIn,
  type ConfirmServerChange,
} from './server-change.js';
import type { DesktopSettings } from './settings.js';
import type { UnsentPages } from './unsent-pages.js';

/** A request payload as the handler receives it: after the channel's schema parsed it (defaults applied). */
type ValidIpcRequestOf<C extends IpcRequestChannel> = z.output<(typeof ipcRequests)[C]['request']>;

export type IpcHandlers = {
  [C in IpcRequestChannel]: (payload: ValidIpcRequestOf<C>) => Promise<Result<IpcResponseOf<C>>>;
};

/** What the handlers ask of the shell (each optional: the e2e bridge and tests run without a window). */
export interface IpcDeps {
  /** Opens an allow-listed link in the system browser (`shell.openExternal`). */
  openExternal?(url: URL): Promise<void>;
  /** `window:hide` from the renderer. */
  hideWindow?(): void;
  /** The shell applies settings it owns (start at login, global shortcut, updates). */
  onSettingsChanged?(settings: EffectiveSettings, changed: SettingKey[]): void;
  /**
   * Asks the person, outside the window, before Klaxon connects elsewhere (server-change.ts).
   * Without it such a change is refused.
   */
  confirmServerChange?: ConfirmServerChange;
}

export interface IpcContext {
  store: ClientStateStore;
  settings: DesktopSettings;
  session: DesktopSession;
  /** Every page goes out through it, so one the server does not confirm is kept and resent. */
  unsent: UnsentPages;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function ipcHandlers(deps: IpcDeps, { store, settings, session, unsent }: IpcContext): IpcHandlers {
  return {
    'state:get': async () => ok(store.get()),
    'config:get': async () => ok(store.get().config),
    'auth:sign-in': () => session.signIn(),
    'auth:cancel': async () => {
      session.cancelSignIn();
      return ok(null);
    },
    'auth:sign-out': async () => {
      await session.signOut();
      return ok(null);
    },
    'oncall:get': () => session.request({ method: 'GET', path: routes.oncall.path, schema: OnCallNow }),
    // Accepted pages reach the renderer as `page:updated` (desktop-core.ts) before the server's event.
    'pages:create': async (payload) =>
      unsent.send(payload, targetLabelOf(store.get().config?.targets ?? [], payload.target)),
    'pages:mine': async () => {
      const r = await session.request({ method: 'GET', path: routes.myPages.path, schema: MyPages });
      return r.ok ? ok(r.value.pages) : r;
    },
    'unsent:list': async () => ok(unsent.list()),
    'unsent:retry': async ({ idempotencyKey }) => unsent.retryNow(idempotencyKey),
    'unsent:discard': async ({ idempotencyKey }) => {
      await unsent.discard(idempotencyKey);
      return ok(null);
    },
    'incidents:ack': async ({ number, ...body }) =>
      session.request({ method: 'POST', path: routePath('ackIncident', { number }), body, schema: AckResult }),
    'settings:get': async () => ok(settings.get()),
    'settings:set': async (payload) => {
      const current = settings.get();
      // A locked key fails the patch in settings.set below, before any dialog.
      if (!Object.keys(payload).some((k) => current.locked[k])) {
        const changes = serverChangesIn(payload, current.values);
        if (changes.length > 0 && !(await deps.confirmServerChange?.(changes)))
          return fail('forbidden', SERVER_CHANGE_NOT_CONFIRMED, { field: changes[0]!.key });
      }
      const r = settings.set(payload);
      if (!r.ok) return fail('forbidden', r.message, { field: r.field });
      deps.onSettingsChanged?.(r.value, r.changed);
      // Another server or identity provider: the session starts over.
      if (r.changed.some((k) => (SERVER_KEYS as readonly SettingKey[]).includes(k))) await session.switchServer();
      return ok(r.value);
    },
    'shell:open-external': async (payload) => {
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
}

/**
 * Runs one request from the renderer: an unknown channel or a payload its schema refuses is answered
 * with the field named, never handed to a handler; a handler that throws becomes a failure a person
 * can read (Electron would flatten a thrown error to a bare string).
 */
export async function invokeIpc<C extends IpcRequestChannel>(
  handlers: IpcHandlers,
  channel: C,
  payload: unknown,
  log: (message: string) => void,
): Promise<Result<IpcResponseOf<C>>> {
  if (typeof channel !== 'string' || !Object.hasOwn(ipcRequests, channel))
    return fail('invalid_request', `Unknown request "${String(channel)}".`, { field: 'channel' });
  const parsed = ipcRequests[channel].request.safeParse(payload);
  if (!parsed.success) return { ok: false, error: validationError(parsed.error.issues).error };
  try {
    // The compiler cannot tie the parsed value to C through the union of schemas; it is C's own schema.
    return await handlers[channel](parsed.data as ValidIpcRequestOf<C>);
  } catch (e) {
    log(`${channel} failed: ${errorText(e)}`);
    return fail(
      'internal',
      `Something went wrong in Klaxon (${errorText(e)}). Try again; if it keeps happening, restart Klaxon.`,
    );
  }
}
