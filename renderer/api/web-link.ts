import {
  RECONNECT_BACKOFF,
  backoffDelayMs,
  IDLE_LINK,
  allowedGroups,
  notAuthorisedMessage,
  ClientConfig,
  HEARTBEAT_SECONDS,
  Page,
  SessionInfo,
  routePath,
  type ClientState,
} from '#common/index.js';
import { openEventStream, type EventStream } from './web-events.js';
import type { WebRequest } from './web-http.js';
import { afterSessionEvent, applyServerEvent } from './web-state.js';

/** The web UI's ClientState and who is told when it changes; the same object Klaxon desktop pushes. */
export interface WebStateStore {
  readonly state: ClientState;
  set(next: ClientState): void;
  /** My pages carried by an event, for the page listeners. */
  emitPages(pages: readonly Page[]): void;
}

/**
 * The web UI's link to its server: config and who I am (GET /session, which also hands out the CSRF
 * token), then the event stream; reconnects with backoff, and a watchdog for a stream gone silent.
 */
export function createWebLink(store: WebStateStore, request: WebRequest) {
  let csrf: string | null = null;
  let stream: EventStream | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;

  function closeEvents() {
    stream?.close();
    stream = null;
  }

  function scheduleReconnect(error: string) {
    closeEvents();
    if (reconnectTimer) return;
    attempt++;
    const delayMs = backoffDelayMs(attempt, RECONNECT_BACKOFF);
    const { state } = store;
    store.set({
      ...state,
      link: { ...state.link, status: 'offline', error, retryAt: new Date(Date.now() + delayMs).toISOString() },
    });
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void refresh();
    }, delayMs);
  }

  function openEvents() {
    closeEvents();
    const { state } = store;
    // A retry after a refusal stays "offline" with its reason until data comes: flipping to
    // "Connecting…" and back would make a screen reader announce the same refusal at every retry.
    if (!state.link.lastDataAt && state.link.status !== 'offline')
      store.set({ ...state, link: { ...state.link, status: 'connecting' } });
    stream = openEventStream({
      onAlive: () => {
        attempt = 0;
      },
      onEvent: (e) => {
        if (e.type === 'session') {
          closeEvents();
          return store.set(afterSessionEvent(store.state, e));
        }
        const applied = applyServerEvent(store.state, e, new Date().toISOString());
        store.set(applied.state);
        store.emitPages(applied.pages);
      },
      // Take reconnection over from the browser: after an outage the session may have expired,
      // which only GET /session can tell us (EventSource hides status codes).
      onLost: () => {
        const lost = stream;
        lost?.close(); // no reconnect by the browser while we ask why
        void whyLost().then((why) => {
          if (stream === lost) scheduleReconnect(why); // not if signed out or reopened meanwhile
        });
      },
    });
  }

  /**
   * EventSource reports a refused stream and a dropped one alike, without the status, so one small
   * request asks the server what a new stream would get. Chosen over a fetch-based stream reader:
   * EventSource keeps its tested parsing and gzip handling, and a person over the limit is rare
   * enough that one extra request per failure costs nothing. The reconnect keeps the backoff.
   */
  async function whyLost(): Promise<string> {
    const asked = await request('GET', routePath('eventsAdmission'), null);
    // Over events.maxStreamsPerUser: the server's sentence says what to close.
    if (!asked.ok && asked.error.code === 'rate_limited') return asked.error.message;
    return 'Lost the connection to the Klaxon server.';
  }

  /** (Re)establishes config, who I am, and the event stream. */
  async function refresh(): Promise<void> {
    if (!store.state.config) {
      const cfg = await request('GET', routePath('clientConfig'), ClientConfig);
      if (!cfg.ok) return scheduleReconnect(cfg.error.message);
      store.set({ ...store.state, config: cfg.value });
    }
    // Not /me: its 401 for someone not signed in yet would be logged by the browser as an error on every visit.
    const session = await request('GET', routePath('session'), SessionInfo);
    const { state } = store;
    if (!session.ok && session.error.code !== 'unauthorized') return scheduleReconnect(session.error.message);
    const me = session.ok ? session.value.me : null;
    if (!me) {
      csrf = null;
      attempt = 0;
      store.set({
        ...state,
        auth: {
          status: 'signed-out',
          message: state.auth.status === 'signed-in' ? 'Your session has ended. Sign in again.' : null,
        },
        link: { ...IDLE_LINK, lastDataAt: state.link.lastDataAt },
      });
      return;
    }
    csrf = me.csrfToken ?? null;
    if (!me.permissions.view) {
      const groups = state.config ? allowedGroups(state.config.groups) : [];
      store.set({
        ...state,
        auth: { status: 'not-authorised', me, requiredGroups: groups, message: notAuthorisedMessage(groups) },
        link: { ...IDLE_LINK, lastDataAt: state.link.lastDataAt },
      });
      return;
    }
    store.set({ ...state, auth: { status: 'signed-in', me } });
    openEvents();
  }

  // A stream that goes silent (proxy holding the connection, laptop asleep) is as bad as a closed one.
  setInterval(() => {
    if (stream && stream.silentForMs() > 3 * HEARTBEAT_SECONDS * 1000)
      scheduleReconnect('No data from the Klaxon server for a while.');
  }, 5000);

  return {
    refresh,
    closeEvents,
    csrfToken: () => csrf,
    /** Signed out: no stream, and no token for the next session to send by mistake. */
    forget() {
      closeEvents();
      csrf = null;
    },
  };
}
