import type { ClientState } from '#common/index.js';
import { useApi } from './api-context.js';
import { AppFooter } from './AppFooter.js';
import { AuditScreen } from './audit/AuditScreen.js';
import { AuthPanel } from './AuthPanel.js';
import { FreshnessBannerView } from './FreshnessBannerView.js';
import { Home } from './Home.js';
import { unsentOf, unsentSignedOutNote } from '../model/unsent-pages.js';
import { useClientState, useMyPages, useNow, useOnCall, useUnsentPages } from './live-data.js';
import { useEscapeHidesWindow, useNavigateToIncident, useOpenedFrom } from './popover-behaviour.js';
import { PageDialog } from './page-dialog/PageDialog.js';
import { SettingsScreen } from './settings/SettingsScreen.js';
import { TopBar } from './TopBar.js';

export function App() {
  const api = useApi();
  const { state, error } = useClientState();
  return (
    <div className="app" data-shell={api.kind}>
      {state ? <Shell state={state} /> : <Loading error={error} />}
    </div>
  );
}

function Loading({ error }: { error: string | null }) {
  return (
    <main className="loading">
      <h1>Klaxon</h1>
      <p role="status">{error ? `Klaxon could not start: ${error}. Close and reopen it.` : 'Loading…'}</p>
    </main>
  );
}

/** One screen at a time: settings, home (signed in) or sign-in; the page dialog over home. */
function Shell({ state }: { state: ClientState }) {
  const api = useApi();
  const now = useNow(1000);
  const me = state.auth.status === 'signed-in' ? state.auth.me : null;
  const pages = useMyPages(me !== null);
  // Kept pages wait for their author: only the signed-in person's are shown.
  const allUnsent = useUnsentPages();
  const unsent = me ? unsentOf(allUnsent, me.user.sub) : [];
  const dialog = useOpenedFrom<HTMLButtonElement>();
  const settings = useOpenedFrom<HTMLButtonElement>();
  const audit = useOpenedFrom<HTMLButtonElement>();
  // Looked up again whenever the dialog opens or closes, so "who will be woken" is current.
  const oncall = useOnCall(me !== null, dialog.isOpen);
  // The web UI has no settings of its own (the adapter has no settings methods): no button there.
  const hasSettings = typeof api.getSettings === 'function';
  // The Audit view: for auditors, in the web UI (the desktop adapter has no audit methods).
  const mayAudit = me?.permissions.audit === true && typeof api.auditLog === 'function';
  // The dialog and the settings screen handle their own Esc.
  useEscapeHidesWindow(!dialog.isOpen && !settings.isOpen);
  useNavigateToIncident();

  return (
    <>
      <TopBar
        me={me}
        settings={hasSettings && !settings.isOpen ? { buttonRef: settings.openerRef, open: settings.open } : null}
        audit={mayAudit && !audit.isOpen ? { buttonRef: audit.openerRef, open: audit.open } : null}
      />
      <main className="content">
        {settings.isOpen ? (
          <SettingsScreen onClose={settings.close} />
        ) : mayAudit && audit.isOpen ? (
          <AuditScreen onClose={audit.close} />
        ) : me ? (
          <Home
            state={state}
            me={me}
            now={now}
            pages={pages}
            unsent={unsent}
            oncall={oncall}
            openerRef={dialog.openerRef}
            onPage={dialog.open}
          />
        ) : (
          <>
            {state.link.status === 'offline' && <FreshnessBannerView state={state} now={now} />}
            <SignedOutUnsentNote note={unsentSignedOutNote(allUnsent)} />
            <AuthPanel state={state} />
          </>
        )}
      </main>
      <AppFooter state={state} now={now} />
      {me && dialog.isOpen && (
        <PageDialog
          me={me}
          config={state.config}
          incidents={state.snapshot?.incidents ?? []}
          oncall={oncall}
          pages={pages}
          unsent={unsent}
          now={now}
          onClose={dialog.close}
        />
      )}
    </>
  );
}

/** Signed out while a page waits: it goes only once its author signs in again. */
function SignedOutUnsentNote({ note }: { note: string | null }) {
  return (
    <div role="status" aria-live="polite">
      {note && (
        <p className="warning" data-testid="unsent-signed-out">
          {note}
        </p>
      )}
    </div>
  );
}
