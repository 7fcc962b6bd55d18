/**
 * The ONE state object of Klaxon desktop (Mattermost's AppState pattern): tray, badge, notifications
 * and the renderer are all views of it, so they can never disagree. Listeners hear only real changes.
 */
import { DEFAULT_SETTINGS, type ClientState } from '../common/index.js';

export type StateListener = (state: ClientState, previous: ClientState) => void;

export function initialClientState(serverUrl: string = DEFAULT_SETTINGS.serverUrl): ClientState {
  return {
    serverUrl,
    config: null,
    auth: { status: 'signed-out', message: null },
    link: { status: 'idle', lastDataAt: null, error: null, retryAt: null },
    snapshot: null,
    storage: { mode: 'memory-only', message: null },
  };
}

export class ClientStateStore {
  private state: ClientState;
  private readonly listeners = new Set<StateListener>();

  constructor(initial: ClientState = initialClientState()) {
    this.state = initial;
  }

  get(): ClientState {
    return this.state;
  }

  /** Replaces parts of the state; listeners run only if something actually changed. */
  update(patch: Partial<ClientState> | ((s: ClientState) => Partial<ClientState>)): void {
    const previous = this.state;
    const p = typeof patch === 'function' ? patch(previous) : patch;
    const next = { ...previous, ...p };
    if (JSON.stringify(next) === JSON.stringify(previous)) return;
    this.state = next;
    for (const l of [...this.listeners]) {
      try {
        l(next, previous);
      } catch (e) {
        console.error('[state] a listener failed', e);
      }
    }
  }

  subscribe(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
