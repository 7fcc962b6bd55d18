/**
 * Pages the Klaxon server has not confirmed, kept by the main process so they outlive the popover
 * and the app: a Send without an answer is saved (through an injected store: a file in the user
 * data folder), resent with the same idempotency key until the server answers, and listed in the
 * popover as "NOT sent yet" with Try again now and Discard. The rules for an answer are
 * `afterSendAttempt` in common/unsent-page.ts (the web UI keeps its unsent pages by the same rules).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  UnsentPage,
  afterSendAttempt,
  dueUnsent,
  fail,
  nextUnsentDueInMs,
  ok,
  unsentKey,
  type Page,
  type Result,
  type ValidPageRequest,
} from '#common/index.js';

/** Where unsent pages live between runs. */
export interface UnsentPagesStore {
  /** What was saved (checked here, so a damaged file costs its bad entries, not the app), or null. */
  load(): Promise<unknown>;
  save(pages: readonly UnsentPage[]): Promise<void>;
}

/** A JSON file, replaced in one rename so a crash mid-write leaves the old list, readable by its owner only. */
export function fileUnsentPagesStore(file: string): UnsentPagesStore {
  return {
    async load() {
      try {
        return JSON.parse(await readFile(file, 'utf8')) as unknown;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    async save(pages) {
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(tmp, JSON.stringify({ version: 1, pages }, null, 2), { mode: 0o600 });
      await rename(tmp, file);
    },
  };
}

/** Kept for this run only: tests, and a shell that has no folder to write to. */
export function memoryUnsentPagesStore(): UnsentPagesStore {
  let saved: unknown = null;
  return {
    load: async () => saved,
    save: async (pages) => {
      saved = { version: 1, pages: structuredClone(pages) };
    },
  };
}

interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface UnsentPagesOptions {
  store: UnsentPagesStore;
  /** One POST of the page to the Klaxon server as the signed-in person. */
  send(request: ValidPageRequest): Promise<Result<Page>>;
  /** Who is signed in (`sub`), or null: a page is resent only in its author's session. */
  signedInAs(): string | null;
  /** The server accepted a page: the popover follows it like any other. */
  onAccepted(page: Page): void;
  /** The list changed (for the popover). */
  onChange(pages: UnsentPage[]): void;
  timers?: Timers;
  random?: () => number;
  log?(message: string): void;
}

export class UnsentPages {
  private pages: UnsentPage[] = [];
  private readonly inFlight = new Set<string>();
  private timer: unknown = null;
  private saving: Promise<void> = Promise.resolve();
  private running = false;
  private readonly timers: Timers;
  private readonly log: (m: string) => void;

  constructor(private readonly opts: UnsentPagesOptions) {
    this.timers = opts.timers ?? realTimers;
    this.log = opts.log ?? (() => {});
  }

  /** Loads what an earlier run left (entries that no longer fit the schema are dropped, with a log line). */
  async start(): Promise<void> {
    let saved: unknown = null;
    try {
      saved = await this.opts.store.load();
    } catch (e) {
      this.log(`unsent pages: could not read the saved list (${e instanceof Error ? e.message : String(e)})`);
    }
    const list = (saved as { pages?: unknown } | null)?.pages;
    this.pages = [];
    for (const entry of Array.isArray(list) ? list : []) {
      const parsed = UnsentPage.safeParse(entry);
      if (parsed.success) this.pages.push(parsed.data);
      else this.log(`unsent pages: dropped an entry that is not an unsent page (${parsed.error.issues[0]?.message})`);
    }
    this.running = true;
    if (this.pages.length) this.opts.onChange(this.list());
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  list(): UnsentPage[] {
    return this.pages.map((u) => ({ ...u }));
  }

  /**
   * A Send from the page dialog (first Send or its Try again): sent now, and kept when no answer
   * comes. Resolves once a kept copy is saved, so the dialog never says "kept" before it is.
   */
  async send(request: ValidPageRequest, targetLabel: string): Promise<Result<Page>> {
    const sub = this.opts.signedInAs();
    if (!sub) return this.opts.send(request); // nobody to keep it for: the answer as it is
    const kept = this.find(request.idempotencyKey);
    if (kept && kept.requesterSub !== sub)
      return fail('unauthorized', 'Sign in as the person who wrote this page to send it.');
    return this.attempt({ request, requesterSub: sub, targetLabel, kept });
  }

  /** "Try again now" on a kept page. */
  async retryNow(idempotencyKey: string): Promise<Result<null>> {
    const kept = this.find(idempotencyKey);
    if (!kept) return fail('not_found', 'This page is no longer waiting to be sent.');
    if (kept.requesterSub !== this.opts.signedInAs())
      return fail('unauthorized', 'Sign in as the person who wrote this page to send it.');
    await this.attempt({ request: kept.request, requesterSub: kept.requesterSub, targetLabel: kept.targetLabel, kept });
    return ok(null);
  }

  /** The person gave up on a kept page: it will not be sent. */
  async discard(idempotencyKey: string): Promise<void> {
    if (!this.find(idempotencyKey)) return;
    this.pages = this.pages.filter((u) => unsentKey(u) !== idempotencyKey);
    await this.changed();
  }

  /** Signed in again, or the server answers again: every waiting page of this person goes now. */
  resendNow(): void {
    this.resend(true);
  }

  private find(key: string): UnsentPage | null {
    return this.pages.find((u) => unsentKey(u) === key) ?? null;
  }

  private async attempt(a: Parameters<typeof afterSendAttempt>[0]): Promise<Result<Page>> {
    const key = a.request.idempotencyKey;
    this.inFlight.add(key);
    let r: Result<Page>;
    try {
      r = await this.opts.send(a.request);
    } finally {
      this.inFlight.delete(key);
    }
    const outcome = afterSendAttempt(a, r, this.timers.now(), this.opts.random);
    // Discarded while on its way: a late "accepted" still counts (the page exists), anything else is dropped.
    const discarded = a.kept !== null && !this.find(key);
    if (outcome.kind === 'accepted') {
      this.opts.onAccepted(outcome.page);
      if (this.find(key)) {
        this.pages = this.pages.filter((u) => unsentKey(u) !== key);
        await this.changed();
      }
    } else if (outcome.kind === 'kept' && !discarded) {
      this.pages = this.find(key)
        ? this.pages.map((u) => (unsentKey(u) === key ? outcome.unsent : u))
        : [...this.pages, outcome.unsent];
      await this.changed();
    }
    return r;
  }

  private async changed(): Promise<void> {
    const snapshot = this.list();
    this.opts.onChange(snapshot);
    this.schedule();
    // Saves run one after another, so the file always ends with the newest list.
    this.saving = this.saving
      .then(() => this.opts.store.save(snapshot))
      .catch((e: unknown) =>
        this.log(`unsent pages: could not save the list (${e instanceof Error ? e.message : String(e)})`),
      );
    await this.saving;
  }

  private resend(all: boolean): void {
    if (!this.running) return;
    const due = dueUnsent(this.pages, this.opts.signedInAs(), this.timers.now(), all);
    for (const u of due) {
      if (this.inFlight.has(unsentKey(u))) continue;
      void this.attempt({ request: u.request, requesterSub: u.requesterSub, targetLabel: u.targetLabel, kept: u });
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return;
    // A page on its way is not due again until its answer says when.
    const idle = this.pages.filter((u) => !this.inFlight.has(unsentKey(u)));
    const ms = nextUnsentDueInMs(idle, this.opts.signedInAs(), this.timers.now());
    if (ms === null) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.resend(false);
    }, ms);
  }
}
