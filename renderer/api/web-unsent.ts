import {
  UnsentPage,
  afterSendAttempt,
  dueUnsent,
  fail,
  isWaiting,
  nextUnsentDueInMs,
  ok,
  unsentKey,
  type Page,
  type PageRequest,
  type Result,
  type ValidPageRequest,
} from '#common/index.js';

/** sessionStorage key: the tab's unsent pages survive a reload, and leave with the tab. */
const STORAGE_KEY = 'klaxon.unsent-pages';

export interface WebUnsentDeps {
  /** The tab's sessionStorage; null where storage is refused (then pages are kept for this load only). */
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  send(request: ValidPageRequest): Promise<Result<Page>>;
  /** Who is signed in (`sub`), or null: a page is resent only in its author's session. */
  signedInAs(): string | null;
  targetLabel(targetId: string | undefined): string;
  onAccepted(page: Page): void;
}

/**
 * The web UI's pages the server has not confirmed: the same rules as Klaxon desktop's main process
 * (common/unsent-page.ts), kept in the tab's sessionStorage instead of a file. While one is waiting,
 * closing the tab asks first (web-adapter.ts), because the tab is what keeps trying.
 */
export function createWebUnsent(deps: WebUnsentDeps) {
  let pages = load();
  const listeners = new Set<(pages: UnsentPage[]) => void>();
  const inFlight = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  function load(): UnsentPage[] {
    try {
      const saved = JSON.parse(deps.storage?.getItem(STORAGE_KEY) ?? '[]') as unknown;
      return (Array.isArray(saved) ? saved : []).flatMap((e) => {
        const parsed = UnsentPage.safeParse(e);
        return parsed.success ? [parsed.data] : [];
      });
    } catch {
      return []; // not ours, or damaged: nothing to resend
    }
  }

  function changed(next: UnsentPage[]) {
    pages = next;
    try {
      if (pages.length) deps.storage?.setItem(STORAGE_KEY, JSON.stringify(pages));
      else deps.storage?.removeItem(STORAGE_KEY);
    } catch {
      /* storage full or refused: still kept for as long as the page is open */
    }
    for (const l of listeners) l(pages);
    schedule();
  }

  const find = (key: string) => pages.find((u) => unsentKey(u) === key) ?? null;

  async function attempt(request: ValidPageRequest, sub: string, kept: UnsentPage | null): Promise<Result<Page>> {
    const key = request.idempotencyKey;
    inFlight.add(key);
    const r = await deps.send(request).finally(() => inFlight.delete(key));
    const targetLabel = kept?.targetLabel ?? deps.targetLabel(request.target);
    const outcome = afterSendAttempt({ request, requesterSub: sub, targetLabel, kept }, r, Date.now());
    const discarded = kept !== null && !find(key);
    if (outcome.kind === 'accepted') {
      deps.onAccepted(outcome.page);
      if (find(key)) changed(pages.filter((u) => unsentKey(u) !== key));
    } else if (outcome.kind === 'kept' && !discarded) {
      changed(find(key) ? pages.map((u) => (unsentKey(u) === key ? outcome.unsent : u)) : [...pages, outcome.unsent]);
    } else {
      schedule();
    }
    return r;
  }

  function resend(all: boolean) {
    for (const u of dueUnsent(pages, deps.signedInAs(), Date.now(), all))
      if (!inFlight.has(unsentKey(u))) void attempt(u.request, u.requesterSub, u);
    schedule();
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = null;
    const idle = pages.filter((u) => !inFlight.has(unsentKey(u)));
    const ms = nextUnsentDueInMs(idle, deps.signedInAs(), Date.now());
    if (ms !== null)
      timer = setTimeout(() => {
        timer = null;
        resend(false);
      }, ms);
  }

  return {
    list: () => [...pages],
    onChange(listener: (pages: UnsentPage[]) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** A Send from the dialog (first Send or Try again): sent now, kept when no answer comes. */
    send(req: PageRequest): Promise<Result<Page>> {
      const request: ValidPageRequest = { ...req, details: req.details ?? '' };
      const sub = deps.signedInAs();
      if (!sub) return deps.send(request);
      return attempt(request, sub, find(request.idempotencyKey));
    },
    async retryNow(key: string): Promise<Result<null>> {
      const kept = find(key);
      if (!kept) return fail('not_found', 'This page is no longer waiting to be sent.');
      if (kept.requesterSub !== deps.signedInAs())
        return fail('unauthorized', 'Sign in as the person who wrote this page to send it.');
      await attempt(kept.request, kept.requesterSub, kept);
      return ok(null);
    },
    discard(key: string): Result<null> {
      if (find(key)) changed(pages.filter((u) => unsentKey(u) !== key));
      return ok(null);
    },
    /** Signed in, or the server answers again: every waiting page of this person goes now. */
    resendNow: () => resend(true),
    /** Closing the tab now would stop a page from ever being sent. */
    hasWaiting: () => pages.some(isWaiting),
  };
}
