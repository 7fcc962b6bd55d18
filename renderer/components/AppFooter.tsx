import type { ClientState } from '#common/index.js';
import { describeAppFooter } from '../model/app-footer.js';

/** Sign-in kept in memory only (no keyring), and which Klaxon this is; nothing when neither applies. */
export function AppFooter({ state, now }: { state: ClientState; now: number }) {
  const footerText = describeAppFooter(state.app, now);
  const memoryOnly = state.storage.mode === 'memory-only';
  if (!memoryOnly && !footerText) return null;
  return (
    <footer className="app-footer">
      {memoryOnly && (
        <p className="storage-notice" data-testid="storage-notice">
          <strong>Sign-in is kept in memory only:</strong> you will need to sign in again after Klaxon restarts.
          {state.storage.message ? ` ${state.storage.message}` : ''}
        </p>
      )}
      {footerText && (
        <p className="app-version" data-testid="app-footer">
          {footerText}
        </p>
      )}
    </footer>
  );
}
