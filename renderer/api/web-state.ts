import type { ClientState, IncidentSnapshot, Page, ServerEvent } from '../../common/index.js';

/**
 * Builds the web UI's ClientState from server-sent events: the same object Klaxon desktop's main
 * process pushes, so the components render both shells alike. Pure, so it is unit-tested.
 */
export function initialWebState(serverUrl: string): ClientState {
  return {
    serverUrl,
    config: null,
    auth: { status: 'signed-out', message: null },
    link: { status: 'idle', lastDataAt: null, error: null, retryAt: null },
    snapshot: null,
    storage: { mode: 'encrypted', message: null },
  };
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
      return { state: { ...state, link: live, snapshot: ev.data.incidents }, pages: ev.data.pages };
    case 'incident': {
      if (!state.snapshot) return { state: { ...state, link: live }, pages: [] };
      const { change, incident, fetchedAt } = ev.data;
      const others = state.snapshot.incidents.filter((i) => i.number !== incident.number);
      const incidents = change === 'removed' ? others : [incident, ...others];
      const snapshot: IncidentSnapshot = { ...state.snapshot, incidents, ...(fetchedAt ? { fetchedAt, ageSeconds: 0 } : {}) };
      return { state: { ...state, link: live, snapshot }, pages: [] };
    }
    case 'heartbeat': {
      const { fetchedAt, ageSeconds, stale, upstream } = ev.data;
      const snapshot = state.snapshot ? { ...state.snapshot, fetchedAt, ageSeconds, stale, upstream } : null;
      return { state: { ...state, link: live, snapshot }, pages: [] };
    }
    case 'page':
      return { state: { ...state, link: live }, pages: [ev.data] };
    case 'session':
      // The adapter decides what a session event means for sign-in; the link is about to close.
      return { state, pages: [] };
  }
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

/** Seconds to wait before reconnect attempt `n` (1, 2, 4 … 30). */
export function reconnectDelaySeconds(attempt: number): number {
  return Math.min(30, 2 ** Math.max(0, attempt - 1));
}
