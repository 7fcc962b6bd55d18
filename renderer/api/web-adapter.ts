import {
  IDLE_LINK,
  AccessReview,
  AckResult,
  AuditLogPage,
  EscalatePageResult,
  IDEMPOTENCY_HEADER,
  MyPages,
  OnCallNow,
  Page,
  resendUnsentNow,
  routePath,
  routeUrl,
  targetLabelOf,
  webAuthRoutes,
  type ClientState,
} from '#common/index.js';
import type { KlaxonApi } from './klaxon-api.js';
import { createWebRequest } from './web-http.js';
import { createWebLink, type WebStateStore } from './web-link.js';
import { initialWebState } from './web-state.js';
import { createWebUnsent } from './web-unsent.js';

function tabStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage refused by the browser's settings
  }
}

/**
 * Web shell: the page is served by the Klaxon server itself, so everything is same-origin with the
 * session cookie. Sign-in is a full navigation to the server's /auth/login (the server runs the
 * OIDC code flow); state-changing requests carry the CSRF token from GET /api/v1/session.
 */
export function createWebApi(origin: string = window.location.origin): KlaxonApi {
  const stateListeners = new Set<(s: ClientState) => void>();
  const pageListeners = new Set<(p: Page) => void>();
  let state = initialWebState(origin);
  const store: WebStateStore = {
    get state() {
      return state;
    },
    set(next) {
      const prev = state;
      state = next;
      for (const l of stateListeners) l(state);
      if (resendUnsentNow(prev, next)) unsent.resendNow();
    },
    emitPages(pages) {
      for (const p of pages) for (const l of pageListeners) l(p);
    },
  };
  const request = createWebRequest({
    csrfToken: () => link.csrfToken(),
    onUnauthorized() {
      if (store.state.auth.status !== 'signed-in') return;
      link.closeEvents();
      store.set({ ...store.state, auth: { status: 'signed-out', message: 'Your session has ended. Sign in again.' } });
    },
  });
  const link = createWebLink(store, request);
  let started: Promise<void> | null = null;
  const unsent = createWebUnsent({
    storage: tabStorage(),
    send: (req) => request('POST', routePath('createPage'), Page, req, { [IDEMPOTENCY_HEADER]: req.idempotencyKey }),
    signedInAs: () => (store.state.auth.status === 'signed-in' ? store.state.auth.me.user.sub : null),
    targetLabel: (id) => targetLabelOf(store.state.config?.targets ?? [], id),
    onAccepted: (p) => store.emitPages([p]),
  });
  // This tab is what keeps trying: closing it while a page waits asks first (the browser words it).
  // Klaxon's own navigation to sign in keeps the tab, and with it sessionStorage: no question then.
  let signingIn = false;
  window.addEventListener('beforeunload', (e) => {
    if (unsent.hasWaiting() && !signingIn) e.preventDefault();
  });

  return {
    kind: 'web',
    async getState() {
      await (started ??= link.refresh());
      return store.state;
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
      store.set({ ...store.state, auth: { status: 'signing-in', authorizeUrl: null } });
      signingIn = true;
      window.location.assign(webAuthRoutes.login);
      return { ok: true, value: null };
    },
    async cancelSignIn() {
      store.set({ ...store.state, auth: { status: 'signed-out', message: null } });
      return { ok: true, value: null };
    },
    async signOut() {
      const r = await request('POST', webAuthRoutes.logout, null);
      link.forget();
      store.set({
        ...store.state,
        auth: { status: 'signed-out', message: r.ok ? 'You have signed out.' : null },
        snapshot: null,
        link: IDLE_LINK,
      });
      return { ok: true, value: null };
    },
    getOnCall: () => request('GET', routePath('oncall'), OnCallNow),
    createPage: (req) => unsent.send(req),
    async myPages() {
      const r = await request('GET', routePath('myPages'), MyPages);
      return r.ok ? { ok: true, value: r.value.pages } : r;
    },
    unsentPages: async () => ({ ok: true, value: unsent.list() }),
    onUnsent: (listener) => unsent.onChange(listener),
    retryUnsent: (key) => unsent.retryNow(key),
    discardUnsent: async (key) => unsent.discard(key),
    ackIncident: (number, message) =>
      request('POST', routePath('ackIncident', { number }), AckResult, message ? { message } : {}),
    auditLog: (query) => request('GET', routeUrl('auditLog', query), AuditLogPage),
    auditExportUrl: (query, format) => routeUrl('auditExport', { ...query, format }),
    accessReview: (months) => request('GET', routeUrl('accessReview', { months }), AccessReview),
    escalatePage: (id) => request('POST', routePath('escalatePage', { id }), EscalatePageResult, {}),
    async openExternal(url) {
      window.open(url, '_blank', 'noopener,noreferrer');
    },
    async hideWindow() {
      /* a web page has no popover to hide */
    },
  };
}
