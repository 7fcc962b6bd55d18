import type {
  AckResult,
  ClientState,
  EscalatePageResult,
  EffectiveSettings,
  Result,
  OnCallNow,
  Page,
  PageRequest,
  UserSettings,
} from '#common/index.js';

/**
 * The one interface the React components use. Two adapters implement it: desktop (the preload's
 * `window.klaxon`) and web (same-origin HTTP + SSE with the browser session). Both produce the same
 * `ClientState`, so no component knows which shell it runs in.
 */
export interface KlaxonApi {
  readonly kind: 'desktop' | 'web';
  getState(): Promise<ClientState>;
  onState(listener: (s: ClientState) => void): () => void;
  /** A page of mine changed (queued → delivered → incident → acknowledged, or failing). */
  onPage(listener: (p: Page) => void): () => void;
  /** Desktop only: a notification was clicked. */
  onNavigateIncident(listener: (number: string) => void): () => void;
  signIn(): Promise<Result<null>>;
  cancelSignIn(): Promise<Result<null>>;
  signOut(): Promise<Result<null>>;
  getOnCall(): Promise<Result<OnCallNow>>;
  createPage(req: PageRequest): Promise<Result<Page>>;
  myPages(): Promise<Result<Page[]>>;
  ackIncident(number: string, message?: string): Promise<Result<AckResult>>;
  /** "Escalate now": sends my own unacknowledged page's incident on to the server's fallback policy. */
  escalatePage(pageId: string): Promise<Result<EscalatePageResult>>;
  /** Opens a configured link (fallback contact, ticket tracker, incident) outside the app. */
  openExternal(url: string): Promise<void>;
  /** Esc on the home screen: the desktop hides its popover; the web page stays. */
  hideWindow(): Promise<void>;
  /**
   * Desktop only: the app's settings (policy > user > default). Absent in the web UI, which has
   * no settings of its own: the Settings button is not shown there.
   */
  getSettings?(): Promise<Result<EffectiveSettings>>;
  /** Desktop only: changes the user's settings; a key locked by policy fails with its `field`. */
  setSettings?(patch: UserSettings): Promise<Result<EffectiveSettings>>;
}
