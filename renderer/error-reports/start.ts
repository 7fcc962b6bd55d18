import type { ClientState, KlaxonBridge, Page } from '#common/index.js';
import type { KlaxonApi } from '../api/klaxon-api.js';
import { rendererErrorReports, sensitiveStrings } from '../model/error-reports.js';

/** How many of the person's latest pages are kept to blank their text out of reports. */
const PAGES_KEPT = 20;

/** Every value typed into a field of the page right now (the page dialog, settings). */
function fieldValues(): string[] {
  return Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea'), (f) =>
    f.type === 'checkbox' || f.type === 'radio' ? '' : f.value,
  );
}

/**
 * Starts the UI's error reports once `rendererErrorReports` says so. The SDK is loaded then, with a
 * dynamic import, so the UI's first download carries none of it and, with no DSN, nothing of it runs.
 */
export function startErrorReports(api: KlaxonApi, bridge: KlaxonBridge | null): void {
  let latest: ClientState | null = null;
  let started = false;
  const pages: Pick<Page, 'summary' | 'details'>[] = [];
  const sensitive = () => sensitiveStrings(latest, fieldValues(), pages);

  api.onPage((p) => {
    pages.unshift({ summary: p.summary, details: p.details });
    pages.length = Math.min(pages.length, PAGES_KEPT);
  });
  const consider = (state: ClientState) => {
    latest = state;
    if (started) return;
    const decision = rendererErrorReports(api.kind, state);
    if (!decision) return;
    started = true;
    const failed = (e: unknown) => console.warn('[klaxon] error reports could not start', e);
    if (decision.kind === 'web')
      import('./web.js').then((m) => m.startWebErrorReports(decision.config, sensitive), failed);
    else if (bridge) import('./desktop.js').then((m) => m.startDesktopErrorReports(bridge, sensitive), failed);
  };
  api.onState(consider);
  api.getState().then(consider, () => undefined);
}
