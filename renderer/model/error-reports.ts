import type { ClientErrorReports, ClientState, Page } from '#common/index.js';

/**
 * Whether the UI reports its own errors (Sentry), and how. Web: when the server's client config
 * names a DSN, sent straight to it (the server's CSP allows that host then). Desktop: when the main
 * process says its reports are on (IT's policy or the server), handed to it over `errors:report`;
 * the renderer never learns the DSN. Otherwise null: nothing is loaded or started.
 */
export type RendererErrorReports = { kind: 'web'; config: ClientErrorReports } | { kind: 'desktop' };

export function rendererErrorReports(shell: 'web' | 'desktop', state: ClientState): RendererErrorReports | null {
  if (shell === 'desktop') return state.errorReports === true ? { kind: 'desktop' } : null;
  return state.config?.sentry ? { kind: 'web', config: state.config.sentry } : null;
}

/**
 * What the UI knows to be sensitive when an error is reported: the signed-in person (name, e-mail,
 * subject), the web session's CSRF token, what is typed in any field right now (the page dialog's
 * summary and details among them) and the text of the person's recent pages.
 */
export function sensitiveStrings(
  state: ClientState | null,
  fieldValues: readonly string[],
  pages: readonly Pick<Page, 'summary' | 'details'>[],
): string[] {
  const auth = state?.auth;
  const me = auth && (auth.status === 'signed-in' || auth.status === 'not-authorised') ? auth.me : null;
  return [
    ...(me ? [me.user.name, me.user.email ?? '', me.user.sub, me.csrfToken ?? ''] : []),
    ...fieldValues,
    ...pages.flatMap((p) => [p.summary, p.details]),
  ].filter((s) => s.trim().length > 0);
}
