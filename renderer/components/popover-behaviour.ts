// How the popover behaves around its screens: focus goes back where it came from, Esc, notification clicks.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from './api-context.js';

/** Something opened from a button (the page dialog, the settings): closing it puts focus back on that button. */
export function useOpenedFrom<T extends HTMLElement>() {
  const [isOpen, setOpen] = useState(false);
  const openerRef = useRef<T>(null);
  const open = useCallback(() => setOpen(true), []);
  const close = useCallback(() => {
    setOpen(false);
    // After the re-render that brings the opener back; unless focus went somewhere meanwhile (a
    // clicked notification focuses its incident), which it must not take away.
    requestAnimationFrame(() => {
      const now = document.activeElement;
      if (!now || now === document.body) openerRef.current?.focus();
    });
  }, []);
  return { isOpen, open, close, openerRef };
}

/** Esc closes the popover (desktop; the web page stays) while `active`, and nothing else took the key. */
export function useEscapeHidesWindow(active: boolean): void {
  const api = useApi();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && active && !e.defaultPrevented) void api.hideWindow();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [api, active]);
}

/** A clicked notification (desktop) brings its incident into view. */
export function useNavigateToIncident(): void {
  const api = useApi();
  useEffect(
    () =>
      api.onNavigateIncident((n) => {
        // `n` is the incident's key (`pagerduty:7`), written into element ids with `-` (IncidentList).
        const el = document.getElementById(`incident-${n.replace(':', '-')}`);
        // A resolved incident sits in a folded list: unfold it first, or it cannot be shown.
        const folded = el?.closest('details');
        if (folded) folded.open = true;
        el?.scrollIntoView({ block: 'center' });
        el?.focus();
      }),
    [api],
  );
}
