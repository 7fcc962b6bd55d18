/**
 * The ONE state object of Klaxon desktop (Mattermost's AppState pattern): tray, badge, notifications
 * and the renderer are all views of it, so they can never disagree. Listeners hear only real changes.
 */
import { type ClientState } from '#common/index.js';

export type StateListener = (state: ClientState, previous: ClientState) => void;

export class ClientStateStore {
  private state: ClientState;
  private readonly listeners = new Set<StateListener>();

  constructor(initial: ClientState) {
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
