import {
  allowedGroups,
  initialClientState,
  reduceSnapshot,
  type ClientState,
  type Page,
  type ServerEvent,
  type ServerEventOf,
} from '#common/index.js';

/**
 * Builds the web UI's ClientState from server-sent events: the same object Klaxon desktop's main
 * process pushes, so the components render both shells alike. Pure, so it is unit-tested.
 */
export function initialWebState(serverUrl: string): ClientState {
  // The browser keeps no token (the session cookie is HttpOnly), so there is no storage notice to show.
  return initialClientState(serverUrl, { mode: 'encrypted', message: null });
}

export interface Applied {
  state: ClientState;
  /** Pages carried by the event (snapshot or page event), for the "following" view. */
  pages: Page[];
}

export function applyServerEvent(state: ClientState, ev: ServerEvent, receivedAt: string): Applied {
  const live = { ...state.link, status: 'live' as const, lastDataAt: receivedAt, error: null, retryAt: null };
  switch (ev.type) {
    case 'snapshot':
      return { state: { ...state, link: live, snapshot: reduceSnapshot(state.snapshot, ev) }, pages: ev.data.pages };
    case 'incident':
    case 'heartbeat':
      return { state: { ...state, link: live, snapshot: reduceSnapshot(state.snapshot, ev) }, pages: [] };
    case 'page':
      return { state: { ...state, link: live }, pages: [ev.data] };
    case 'session':
      // The adapter decides what a session event means for sign-in; the link is about to close.
      return { state, pages: [] };
  }
}

/** The stream ended because of the session behind it: expired or revoked (sign in again), or forbidden. */
export function afterSessionEvent(state: ClientState, e: ServerEventOf<'session'>): ClientState {
  if (e.data.state !== 'forbidden') return { ...state, auth: { status: 'signed-out', message: e.data.message } };
  return {
    ...state,
    auth: {
      status: 'not-authorised',
      me: state.auth.status === 'signed-in' ? state.auth.me : null,
      requiredGroups: state.config ? allowedGroups(state.config.groups) : [],
      message: e.data.message,
    },
  };
}

/** SSE frames may carry the whole event (`{type,id,data}`) or only its data with the type as the event name. */
export function normaliseFrame(eventName: string, lastEventId: string, raw: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (parsed && typeof parsed === 'object' && 'type' in parsed && 'data' in parsed) {
    const p = parsed as { type: unknown; id?: unknown; data: unknown };
    return { type: p.type, id: typeof p.id === 'string' ? p.id : lastEventId || '0', data: p.data };
  }
  return { type: eventName, id: lastEventId || '0', data: parsed };
}
