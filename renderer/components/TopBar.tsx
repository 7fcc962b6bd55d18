import type { RefObject } from 'react';
import type { Me } from '#common/index.js';
import { useApi } from './api-context.js';
import { GearIcon } from './icons.js';

interface TopBarProps {
  me: Me | null;
  /** Null hides the Settings button (the web UI, which has no settings; or while they are open). */
  settings: { buttonRef: RefObject<HTMLButtonElement | null>; open(): void } | null;
  /** Null hides the Audit button (not an auditor, the desktop, or while the Audit view is open). */
  audit: { buttonRef: RefObject<HTMLButtonElement | null>; open(): void } | null;
}

/** "Klaxon", who is signed in (with Sign out), and the Settings button on the desktop. */
export function TopBar({ me, settings, audit }: TopBarProps) {
  const api = useApi();
  return (
    <header className="topbar">
      <h1>Klaxon</h1>
      <div className="who">
        {audit && (
          <button type="button" ref={audit.buttonRef} className="ghost small" onClick={audit.open}>
            Audit
          </button>
        )}
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
        {settings && (
          <button
            type="button"
            ref={settings.buttonRef}
            className="ghost small settings-button"
            onClick={settings.open}
          >
            <GearIcon /> Settings
          </button>
        )}
      </div>
    </header>
  );
}
