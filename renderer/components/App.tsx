import { useCallback, useEffect, useRef, useState } from 'react';
import { countIncidents, describeCounts, type ClientState, type Me } from '#common/index.js';
import { describeAppFooter } from '../model/app-footer.js';
import { pageGroupsText, recentWindowMinutes } from '../model/home.js';
import { pageToFollow } from '../model/page-status.js';
import { useApi } from './api-context.js';
import { AuthPanel } from './AuthPanel.js';
import { FreshnessBannerView } from './FreshnessBannerView.js';
import { useClientState, useMyPages, useNow, useOnCall } from './hooks.js';
import { IncidentList } from './IncidentList.js';
import { OnCallList } from './OnCallList.js';
import { PageDialog } from './page-dialog/PageDialog.js';
import { MyPagesList, PageStatusView } from './PageStatusView.js';
import { SettingsScreen } from './settings/SettingsScreen.js';
import { AlertIcon, CheckIcon, GearIcon } from './icons.js';

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

function Shell({ state }: { state: ClientState }) {
  const api = useApi();
  const now = useNow(1000);
  const signedIn = state.auth.status === 'signed-in';
  const pages = useMyPages(signedIn);
  const [dialogOpen, setDialogOpen] = useState(false);
  const oncall = useOnCall(signedIn, dialogOpen);
  const openerRef = useRef<HTMLButtonElement>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const settingsButtonRef = useRef<HTMLButtonElement>(null);
  // The web UI has no settings of its own (the adapter has no settings methods): no button there.
  const hasSettings = typeof api.getSettings === 'function';

  const closeDialog = useCallback(() => {
    setDialogOpen(false);
    requestAnimationFrame(() => openerRef.current?.focus());
  }, []);
  const closeSettings = useCallback(() => {
    setSettingsOpen(false);
    requestAnimationFrame(() => settingsButtonRef.current?.focus());
  }, []);

  // Esc on the home screen closes the popover (desktop); the dialog handles its own Esc.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !dialogOpen && !settingsOpen && !e.defaultPrevented) void api.hideWindow();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [api, dialogOpen, settingsOpen]);

  // A clicked notification brings its incident into view.
  useEffect(
    () =>
      api.onNavigateIncident((n) => {
        const el = document.getElementById(`incident-${n}`);
        el?.scrollIntoView({ block: 'center' });
        el?.focus();
      }),
    [api],
  );

  const me = state.auth.status === 'signed-in' ? state.auth.me : null;
  const footerText = describeAppFooter(state.app, now);
  const memoryOnly = state.storage.mode === 'memory-only';
  return (
    <>
      <header className="topbar">
        <h1>Klaxon</h1>
        <div className="who">
          {me && (
            <>
              <span className="muted small-text" title={me.user.email ?? undefined}>
                {me.user.name}
              </span>
              <button type="button" className="ghost small" onClick={() => void api.signOut()}>
                Sign out
              </button>
            </>
          )}
          {hasSettings && !settingsOpen && (
            <button
              type="button"
              ref={settingsButtonRef}
              className="ghost small settings-button"
              onClick={() => setSettingsOpen(true)}
            >
              <GearIcon /> Settings
            </button>
          )}
        </div>
      </header>
      <main className="content">
        {settingsOpen ? (
          <SettingsScreen onClose={closeSettings} />
        ) : me ? (
          <Home
            state={state}
            me={me}
            now={now}
            pages={pages}
            oncall={oncall}
            openerRef={openerRef}
            onPage={() => setDialogOpen(true)}
          />
        ) : (
          <>
            {state.link.status === 'offline' && <FreshnessBannerView state={state} now={now} />}
            <AuthPanel state={state} />
          </>
        )}
      </main>
      {(memoryOnly || footerText) && (
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
      )}
      {me && dialogOpen && (
        <PageDialog
          me={me}
          config={state.config}
          incidents={state.snapshot?.incidents ?? []}
          oncall={oncall}
          pages={pages}
          now={now}
          onClose={closeDialog}
        />
      )}
    </>
  );
}

interface HomeProps {
  state: ClientState;
  me: Me;
  now: number;
  pages: ReturnType<typeof useMyPages>;
  oncall: ReturnType<typeof useOnCall>;
  openerRef: React.RefObject<HTMLButtonElement | null>;
  onPage(): void;
}

function Home({ state, me, now, pages, oncall, openerRef, onPage }: HomeProps) {
  const incidents = state.snapshot?.incidents ?? [];
  const counts = countIncidents(incidents);
  const follow = pageToFollow(pages, now);
  const windowMinutes = recentWindowMinutes(state);
  return (
    <>
      <FreshnessBannerView state={state} now={now} />
      <section className="summary-card" aria-label="Incident overview">
        <p
          className={counts.unacked > 0 ? 'summary-line summary-unacked' : 'summary-line'}
          role="status"
          aria-live="polite"
          data-testid="badge-summary"
        >
          {counts.unacked > 0 ? <AlertIcon /> : <CheckIcon />}
          <span>{state.snapshot ? describeCounts(counts) : 'Waiting for the incident list…'}</span>
        </p>
        {me.permissions.page ? (
          <button type="button" ref={openerRef} className="primary wide danger" onClick={onPage}>
            Wake up SRE…
          </button>
        ) : (
          <p className="muted small-text">
            You can see incidents but not page SRE. To page, ask for membership of: {pageGroupsText(state.config)}.
          </p>
        )}
      </section>
      {follow && (
        <section className="follow-card" aria-label="Your latest page">
          <PageStatusView
            page={follow}
            now={now}
            fallbackContacts={state.config?.fallbackContacts ?? []}
            headingLevel={2}
          />
        </section>
      )}
      <section aria-labelledby="incidents-title">
        <h2 id="incidents-title">
          Recent incidents <span className="muted small-text">last {windowMinutes} min</span>
        </h2>
        <IncidentList
          incidents={incidents}
          now={now}
          canAck={me.permissions.acknowledge}
          windowMinutes={windowMinutes}
        />
      </section>
      <section aria-labelledby="oncall-title">
        <h2 id="oncall-title">On call now</h2>
        <OnCallList oncall={oncall} now={now} />
      </section>
      <section aria-labelledby="mypages-title">
        <h2 id="mypages-title">My recent pages</h2>
        <MyPagesList pages={pages} now={now} />
      </section>
    </>
  );
}
