import {
  IDLE_LINK,
  allowedGroups,
  fail,
  notAuthorisedMessage,
  CLIENT_HEADER,
  CSRF_HEADER,
  ClientConfig,
  ErrorBody,
  HEARTBEAT_SECONDS,
  IDEMPOTENCY_HEADER,
  Me,
  MyPages,
  OnCallNow,
  Page,
  AckResult,
  ServerEvent,
  routePath,
  webAuthRoutes,
  type ClientState,
  type Result,
} from '#common/index.js';
import type { z } from 'zod';
import type { KlaxonApi } from './klaxon-api.js';
import { applyServerEvent, initialWebState, normaliseFrame, reconnectDelaySeconds } from './web-state.js';

const EVENT_NAMES = ['snapshot', 'incident', 'page', 'heartbeat', 'session'] as const;
const NOT_REACHABLE = 'The Klaxon server is not reachable. Klaxon keeps trying; check your network or VPN.';

/**
 * Web shell: the page is served by the Klaxon server itself, so everything is same-origin with the
 * session cookie. Sign-in is a full navigation to the server's /auth/login (the server runs the
 * OIDC code flow); state-changing requests carry the CSRF token from GET /api/v1/me.
 */
export function createWebApi(origin: string = window.location.origin): KlaxonApi {
  let state: ClientState = initialWebState(origin);
  let csrf: string | null = null;
  let events: EventSource | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let lastFrameAt = 0;
  let started: Promise<void> | null = null;
  const stateListeners = new Set<(s: ClientState) => void>();
  const pageListeners = new Set<(p: Page) => void>();

  const set = (next: ClientState) => {
    state = next;
    for (const l of stateListeners) l(state);
  };
  const emitPages = (pages: Page[]) => {
    for (const p of pages) for (const l of pageListeners) l(p);
  };

  async function request<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T> | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Result<T>> {
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: {
          accept: 'application/json',
          [CLIENT_HEADER]: 'web',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(method === 'POST' && csrf ? { [CSRF_HEADER]: csrf } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      return fail('upstream_unavailable', NOT_REACHABLE);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: handled below */
    }
    if (!res.ok) {
      const parsed = ErrorBody.safeParse(json);
      const error = parsed.success
        ? parsed.data.error
        : {
            code: res.status >= 500 ? ('upstream_unavailable' as const) : ('internal' as const),
            message: `The Klaxon server answered ${res.status}. Try again in a moment.`,
          };
      if (res.status === 401 && state.auth.status === 'signed-in') {
        closeEvents();
        set({ ...state, auth: { status: 'signed-out', message: 'Your session has ended. Sign in again.' } });
      }
      return { ok: false, error };
    }
    if (!schema) return { ok: true, value: json as T };
    const parsed = schema.safeParse(json);
    return parsed.success
      ? { ok: true, value: parsed.data }
      : {
          ok: false,
          error: {
            code: 'internal',
            message: 'The Klaxon server sent an answer this page does not understand. Reload the page.',
          },
        };
  }

  function closeEvents() {
    events?.close();
    events = null;
  }

  function scheduleReconnect(error: string) {
    closeEvents();
    if (reconnectTimer) return;
    attempt++;
    const delay = reconnectDelaySeconds(attempt);
    set({
      ...state,
      link: { ...state.link, status: 'offline', error, retryAt: new Date(Date.now() + delay * 1000).toISOString() },
    });
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void refresh();
    }, delay * 1000);
  }

  function openEvents() {
    closeEvents();
    if (!state.link.lastDataAt) set({ ...state, link: { ...state.link, status: 'connecting' } });
    const es = new EventSource(routePath('events'), { withCredentials: true });
    events = es;
    lastFrameAt = Date.now();
    const onFrame = (name: string) => (e: MessageEvent<string>) => {
      if (events !== es) return;
      lastFrameAt = Date.now();
      attempt = 0;
      const parsed = ServerEvent.safeParse(normaliseFrame(name, e.lastEventId, e.data));
      if (!parsed.success) return;
      const ev = parsed.data;
      if (ev.type === 'session') {
        closeEvents();
        if (ev.data.state === 'forbidden') {
          set({
            ...state,
            auth: {
              status: 'not-authorised',
              me: state.auth.status === 'signed-in' ? state.auth.me : null,
              requiredGroups: state.config ? allowedGroups(state.config.groups) : [],
              message: ev.data.message,
            },
          });
        } else {
          set({ ...state, auth: { status: 'signed-out', message: ev.data.message } });
        }
        return;
      }
      const applied = applyServerEvent(state, ev, new Date().toISOString());
      set(applied.state);
      emitPages(applied.pages);
    };
    for (const name of EVENT_NAMES) es.addEventListener(name, onFrame(name) as EventListener);
    es.onmessage = onFrame('message');
    es.onerror = () => {
      if (events !== es) return;
      // Take reconnection over from the browser: after an outage the session may have expired,
      // which only GET /me can tell us (EventSource hides status codes).
      scheduleReconnect('Lost the connection to the Klaxon server.');
    };
  }

  /** (Re)establishes config, who I am, and the event stream. */
  async function refresh(): Promise<void> {
    if (!state.config) {
      const cfg = await request('GET', routePath('clientConfig'), ClientConfig);
      if (!cfg.ok) return scheduleReconnect(cfg.error.message);
      set({ ...state, config: cfg.value });
    }
    const me = await request('GET', routePath('me'), Me);
    if (!me.ok) {
      if (me.error.code === 'unauthorized') {
        csrf = null;
        attempt = 0;
        set({
          ...state,
          auth: {
            status: 'signed-out',
            message: state.auth.status === 'signed-in' ? 'Your session has ended. Sign in again.' : null,
          },
          link: { ...IDLE_LINK, lastDataAt: state.link.lastDataAt },
        });
        return;
      }
      return scheduleReconnect(me.error.message);
    }
    csrf = me.value.csrfToken ?? null;
    if (!me.value.permissions.view) {
      const groups = state.config ? allowedGroups(state.config.groups) : [];
      set({
        ...state,
        auth: { status: 'not-authorised', me: me.value, requiredGroups: groups, message: notAuthorisedMessage(groups) },
        link: { ...IDLE_LINK, lastDataAt: state.link.lastDataAt },
      });
      return;
    }
    set({ ...state, auth: { status: 'signed-in', me: me.value } });
    openEvents();
  }

  // A stream that goes silent (proxy holding the connection, laptop asleep) is as bad as a closed one.
  setInterval(() => {
    if (events && Date.now() - lastFrameAt > 3 * HEARTBEAT_SECONDS * 1000)
      scheduleReconnect('No data from the Klaxon server for a while.');
  }, 5000);

  const start = () => (started ??= refresh());

  return {
    kind: 'web',
    async getState() {
      await start();
      return state;
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    onPage(listener) {
      pageListeners.add(listener);
      return () => pageListeners.delete(listener);
    },
    onNavigateIncident: () => () => undefined,
    async signIn() {
      set({ ...state, auth: { status: 'signing-in', authorizeUrl: null } });
      window.location.assign(webAuthRoutes.login);
      return { ok: true, value: null };
    },
    async cancelSignIn() {
      set({ ...state, auth: { status: 'signed-out', message: null } });
      return { ok: true, value: null };
    },
    async signOut() {
      const r = await request('POST', webAuthRoutes.logout, null);
      closeEvents();
      csrf = null;
      set({
        ...state,
        auth: { status: 'signed-out', message: r.ok ? 'You have signed out.' : null },
        snapshot: null,
        link: IDLE_LINK,
      });
      return { ok: true, value: null };
    },
    getOnCall: () => request('GET', routePath('oncall'), OnCallNow),
    createPage: (req) =>
      request('POST', routePath('createPage'), Page, req, { [IDEMPOTENCY_HEADER]: req.idempotencyKey }),
    async myPages() {
      const r = await request('GET', routePath('myPages'), MyPages);
      return r.ok ? { ok: true, value: r.value.pages } : r;
    },
    ackIncident: (number, message) =>
      request('POST', routePath('ackIncident', { number }), AckResult, message ? { message } : {}),
    async openExternal(url) {
      window.open(url, '_blank', 'noopener,noreferrer');
    },
    async hideWindow() {
      /* a web page has no popover to hide */
    },
  };
}
