import type {
  AccessReview,
  AckResult,
  AuditLogPage,
  AuditQuery,
  ClientState,
  EscalatePageResult,
  EffectiveSettings,
  Result,
  OnCallNow,
  Page,
  PageRequest,
  UnsentPage,
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
  /**
   * Sends a page. One the server does not confirm (no answer) is kept and resent with the same
   * idempotency key until the server answers (common/unsent-page.ts): by the main process on the
   * desktop, in the tab's sessionStorage on the web. A Try again is this call with the same request.
   */
  createPage(req: PageRequest): Promise<Result<Page>>;
  /** The pages kept because the server has not confirmed them, oldest first. */
  unsentPages(): Promise<Result<UnsentPage[]>>;
  onUnsent(listener: (pages: UnsentPage[]) => void): () => void;
  /** "Try again now" on a kept page; the outcome arrives through `onUnsent` / `onPage`. */
  retryUnsent(idempotencyKey: string): Promise<Result<null>>;
  /** "Discard": the kept page will not be sent. */
  discardUnsent(idempotencyKey: string): Promise<Result<null>>;
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
  /**
   * Web only (auditors, `me.permissions.audit`): one page of the audit log. Absent on the desktop,
   * which has no Audit view: auditors use the web page.
   */
  auditLog?(query: AuditQuery): Promise<Result<AuditLogPage>>;
  /** Web only: where the browser downloads the filtered log (`format` csv or json). */
  auditExportUrl?(query: Record<string, string | undefined>, format: 'csv' | 'json'): string;
  /** Web only: the access review, people inactive for `months` months marked. */
  accessReview?(months: number): Promise<Result<AccessReview>>;
}
