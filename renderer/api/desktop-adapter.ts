import { fail, type KlaxonBridge } from '#common/index.js';
import type { KlaxonApi } from './klaxon-api.js';

/**
 * Desktop shell: everything goes through the preload's typed bridge; the main process holds the
 * tokens and the server link, and pushes the whole ClientState whenever it changes.
 */
export function createDesktopApi(bridge: KlaxonBridge): KlaxonApi {
  return {
    kind: 'desktop',
    async getState() {
      const r = await bridge.invoke('state:get');
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    },
    onState: (listener) => bridge.on('state:changed', listener),
    onPage: (listener) => bridge.on('page:updated', listener),
    onNavigateIncident: (listener) => bridge.on('navigate:incident', (p) => listener(p.number)),
    signIn: () => bridge.invoke('auth:sign-in'),
    cancelSignIn: () => bridge.invoke('auth:cancel'),
    signOut: () => bridge.invoke('auth:sign-out'),
    getOnCall: () => bridge.invoke('oncall:get'),
    createPage: async (req) => {
      try {
        return await bridge.invoke('pages:create', req);
      } catch {
        return fail(
          'upstream_unavailable',
          'Klaxon could not hand your page to its background process. Try again; if urgent, use a fallback contact.',
        );
      }
    },
    myPages: () => bridge.invoke('pages:mine'),
    unsentPages: () => bridge.invoke('unsent:list'),
    onUnsent: (listener) => bridge.on('unsent:changed', listener),
    retryUnsent: (idempotencyKey) => bridge.invoke('unsent:retry', { idempotencyKey }),
    discardUnsent: (idempotencyKey) => bridge.invoke('unsent:discard', { idempotencyKey }),
    ackIncident: (number, message) => bridge.invoke('incidents:ack', message ? { number, message } : { number }),
    escalatePage: (id) => bridge.invoke('pages:escalate', { id }),
    openExternal: async (url) => {
      await bridge.invoke('shell:open-external', { url });
    },
    hideWindow: async () => {
      await bridge.invoke('window:hide');
    },
    getSettings: () => bridge.invoke('settings:get'),
    setSettings: async (patch) => {
      try {
        return await bridge.invoke('settings:set', patch);
      } catch {
        return fail(
          'upstream_unavailable',
          'Klaxon could not save your settings in its background process. Try again.',
        );
      }
    },
  };
}
