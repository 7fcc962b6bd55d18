import type { Page as PwPage } from '@playwright/test';
import type { ClientState, Failure, IpcRequestChannel, OnCallNow, Page, UnsentPage } from '#common/index.js';

/**
 * A static `window.klaxon` answering from fixed data: enough to render and look at a screen.
 * (The real desktop path is exercised by the desktop-renderer spec through createDesktopCore.)
 * `window.__klaxonPush(channel, payload)` delivers a push as the main process would. Written as
 * source text: a function handed to addInitScript is serialised, and a transpiler's helpers
 * (esbuild's __name under tsx) would not exist in the page.
 */
export async function installFixtureBridge(
  page: PwPage,
  data: {
    state: ClientState;
    oncall: OnCallNow;
    pages: Page[];
    unsent?: UnsentPage[];
    /** Channels that answer with this failure instead (a refused Send, say). */
    failures?: Partial<Record<IpcRequestChannel, Failure>>;
  },
): Promise<void> {
  const answers = {
    'state:get': data.state,
    'oncall:get': data.oncall,
    'pages:mine': data.pages,
    'unsent:list': data.unsent ?? [],
    'config:get': data.state.config,
  };
  await page.addInitScript({
    content: `(() => {
      const answers = ${JSON.stringify(answers)};
      const failures = ${JSON.stringify(data.failures ?? {})};
      const listeners = new Map();
      window.klaxon = {
        invoke: async (channel) =>
          channel in failures
            ? { ok: false, error: failures[channel] }
            : { ok: true, value: channel in answers ? answers[channel] : null },
        on: (channel, l) => {
          const set = listeners.get(channel) || new Set();
          set.add(l);
          listeners.set(channel, set);
          return () => set.delete(l);
        },
      };
      window.__klaxonPush = (channel, payload) => (listeners.get(channel) || new Set()).forEach((l) => l(payload));
    })();`,
  });
}
