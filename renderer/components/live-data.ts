// The data every screen shows, kept current: the clock, the client state, my pages, who is on call.
import { useEffect, useState } from 'react';
import { mergePages, type ClientState, type OnCallNow, type Page, type UnsentPage } from '#common/index.js';
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

/** The pages Klaxon keeps because the server has not confirmed them, kept current by their pushes. */
export function useUnsentPages(): UnsentPage[] {
  const api = useApi();
  const [unsent, setUnsent] = useState<UnsentPage[]>([]);
  useEffect(() => {
    let alive = true;
    let pushed = false; // a push is newer than the answer to a request that left before it
    const off = api.onUnsent((l) => {
      pushed = true;
      setUnsent(l);
    });
    void api.unsentPages().then((r) => {
      if (alive && !pushed && r.ok) setUnsent(r.value);
    });
    return () => {
      alive = false;
      off();
    };
  }, [api]);
  return unsent;
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
