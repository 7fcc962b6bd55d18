import { useCallback, useEffect, useRef, useState } from 'react';
import { mergePages, type ClientState, type OnCallNow, type Page } from '#common/index.js';
import { useApi } from './api-context.js';

/** A clock that re-renders the caller, so relative times and data ages stay current. */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function useClientState(): { state: ClientState | null; error: string | null } {
  const api = useApi();
  const [state, setState] = useState<ClientState | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const off = api.onState(setState);
    api.getState().then(setState, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return off;
  }, [api]);
  return { state, error };
}

/**
 * My pages, from the server (so following a page survives closing and reopening the popover),
 * kept current by page events.
 */
export function useMyPages(signedIn: boolean): Page[] {
  const api = useApi();
  const [pages, setPages] = useState<Page[]>([]);
  useEffect(() => {
    if (!signedIn) {
      setPages([]);
      return;
    }
    let alive = true;
    const off = api.onPage((p) => setPages((cur) => mergePages(cur, [p])));
    const load = () =>
      api.myPages().then((r) => {
        if (alive && r.ok) setPages((cur) => mergePages(cur, r.value));
      });
    void load();
    // Events are the fast path; a slow poll covers a missed event after a reconnect.
    const t = setInterval(load, 30_000);
    return () => {
      alive = false;
      off();
      clearInterval(t);
    };
  }, [api, signedIn]);
  return pages;
}

export function useOnCall(enabled: boolean, refreshKey: unknown): OnCallNow | null {
  const api = useApi();
  const [oncall, setOncall] = useState<OnCallNow | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let alive = true;
    const load = () =>
      api.getOnCall().then((r) => {
        if (alive && r.ok) setOncall(r.value);
      });
    void load();
    const t = setInterval(load, 60_000);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [api, enabled, refreshKey]);
  return oncall;
}

/** Something opened from a button (the page dialog, the settings): closing it puts focus back on that button. */
export function useOpenedFrom<T extends HTMLElement>() {
  const [isOpen, setOpen] = useState(false);
  const openerRef = useRef<T>(null);
  const open = useCallback(() => setOpen(true), []);
  const close = useCallback(() => {
    setOpen(false);
    // After the re-render that brings the opener back.
    requestAnimationFrame(() => openerRef.current?.focus());
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
        const el = document.getElementById(`incident-${n}`);
        el?.scrollIntoView({ block: 'center' });
        el?.focus();
      }),
    [api],
  );
}
