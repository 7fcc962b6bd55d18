/**
 * The desktop's one connection to the Klaxon server: a REST client (axios, bearer token, one retry
 * after a 401 with a freshly refreshed token) and one SSE stream (reconnect with backoff + jitter,
 * `Last-Event-ID` resume, and a staleness clock so the badge never shows old data as current).
 */
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import type { Readable } from 'node:stream';
import type { z } from 'zod/mini';
import {
  IDLE_LINK,
  CLIENT_HEADER,
  ErrorBody,
  HEARTBEAT_SECONDS,
  ServerEvent,
  routes,
  type Result,
  backoffDelayMs,
  fail,
  type LinkState,
  RECONNECT_BACKOFF,
} from '#common/index.js';
import { EventStreamParser, type RawServerSentEvent } from './event-stream-parser.js';
import { IdentityProviderUnreachableError, NotSignedInError } from './token-vault.js';

export type AuthProblem =
  { kind: 'signed-out'; message: string } | { kind: 'forbidden'; message: string; requiredGroups: string[] };

export interface ServerLinkOptions {
  serverUrl: string;
  getAccessToken(): Promise<string>;
  /** Forces a refresh (the server refused the current access token). */
  refreshAccessToken(): Promise<string>;
  onEvent(e: ServerEvent): void;
  onLink(l: LinkState): void;
  onAuthProblem(p: AuthProblem): void;
  /** The server's On-Call poll interval (ClientConfig); data older than two of these is stale. */
  pollIntervalSeconds(): number;
  heartbeatSeconds?: number;
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
  now?: () => number;
  log?(message: string): void;
}

/** One REST call to the Klaxon server; the answer is checked with `schema`. */
export interface ServerRequest<T> {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  schema: z.ZodMiniType<T>;
}

type StreamOutcome = 'ended' | 'unauthorized' | 'reauth' | 'stop';
/** Lowest base reconnect delay a server `retry:` hint may set. */
const MIN_RETRY_MS = 1000;

export class ServerLink {
  private readonly http: AxiosInstance;
  private link: LinkState = IDLE_LINK;
  private running = false;
  private streamAbort: AbortController | null = null;
  private wakeUp: (() => void) | null = null;
  private lastEventId: string | null = null;
  private lastDataMs = 0;
  private serverSaysStale = false;
  private attempt = 0;
  private immediate = false;
  private watchdog: NodeJS.Timeout | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly heartbeatMs: number;
  private readonly log: (m: string) => void;

  constructor(private readonly opts: ServerLinkOptions) {
    this.now = opts.now ?? Date.now;
    this.heartbeatMs = (opts.heartbeatSeconds ?? HEARTBEAT_SECONDS) * 1000;
    this.log = opts.log ?? (() => {});
    this.http = axios.create({
      baseURL: opts.serverUrl.replace(/\/+$/, ''),
      timeout: 20_000,
      adapter: 'http',
      headers: { [CLIENT_HEADER]: 'desktop' },
      validateStatus: () => true, // every status is handled below, as a value
      maxRedirects: 0,
    });
  }

  // ---------------------------------------------------------------- REST

  /** One REST call with the bearer token; failures come back as values a person can read. */
  async request<T>(req: ServerRequest<T>): Promise<Result<T>> {
    let res: AxiosResponse;
    try {
      res = await this.send(req, await this.opts.getAccessToken());
      if (res.status === 401) {
        // The access token was refused (expired early, keys rotated): refresh once and retry once.
        res = await this.send(req, await this.opts.refreshAccessToken());
        if (res.status === 401) {
          const message = 'The Klaxon server no longer accepts your sign-in. Sign in again.';
          this.opts.onAuthProblem({ kind: 'signed-out', message });
          return fail('unauthorized', message);
        }
      }
    } catch (e) {
      return this.errorToFailure(e);
    }
    if (res.status >= 200 && res.status < 300) {
      const parsed = req.schema.safeParse(res.data);
      if (parsed.success) return { ok: true, value: parsed.data };
      this.log(`${req.method} ${req.path}: unexpected answer: ${parsed.error.issues[0]?.message}`);
      return fail(
        'internal',
        'The Klaxon server sent an answer this version of Klaxon does not understand. Update Klaxon, or tell the Klaxon operator.',
      );
    }
    const body = ErrorBody.safeParse(res.data);
    if (body.success) return { ok: false, error: body.data.error };
    return fail(
      res.status >= 500 ? 'upstream_unavailable' : 'internal',
      `The Klaxon server answered ${res.status} ${res.statusText || ''}`.trim() + '. Try again in a moment.',
    );
  }

  private send(req: Omit<ServerRequest<unknown>, 'schema'>, token: string): Promise<AxiosResponse> {
    return this.http.request({
      method: req.method,
      url: req.path,
      data: req.body,
      headers: { ...req.headers, authorization: `Bearer ${token}`, accept: 'application/json' },
    });
  }

  private errorToFailure(e: unknown): ReturnType<typeof fail> {
    if (e instanceof NotSignedInError) {
      this.opts.onAuthProblem({ kind: 'signed-out', message: e.message });
      return fail('unauthorized', e.message);
    }
    if (e instanceof IdentityProviderUnreachableError) return fail('upstream_unavailable', e.message);
    const why = e instanceof AxiosError ? (e.code ?? e.message) : e instanceof Error ? e.message : String(e);
    return fail(
      'upstream_unavailable',
      // Said of one request, which is not retried here: only the caller knows whether it tries again.
      `Klaxon cannot reach the server at ${this.opts.serverUrl} (${why}). Check your network connection.`,
    );
  }

  // ---------------------------------------------------------------- SSE

  getLink(): LinkState {
    return this.link;
  }

  private setLink(patch: Partial<LinkState>): void {
    const next = { ...this.link, ...patch };
    if (JSON.stringify(next) === JSON.stringify(this.link)) return;
    this.link = next;
    this.opts.onLink(next);
  }

  private staleAfterMs(): number {
    // Two poll intervals, but never less than two heartbeats: a quiet server only speaks on heartbeats.
    return Math.max(2 * this.opts.pollIntervalSeconds() * 1000, 2 * this.heartbeatMs);
  }

  connect(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.watchdog = setInterval(() => this.checkClock(), Math.min(1000, this.heartbeatMs / 4));
    this.watchdog.unref();
    this.loopDone = this.loop();
  }

  async disconnect(): Promise<void> {
    this.running = false;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.streamAbort?.abort();
    this.wakeUp?.();
    await this.loopDone;
    this.lastEventId = null;
    this.setLink({ status: 'idle', error: null, retryAt: null });
  }

  /** Network came back or the machine woke up: drop the (possibly dead) stream and reconnect now. */
  reconnectNow(): void {
    if (!this.running) return;
    this.attempt = 0;
    this.immediate = true;
    this.streamAbort?.abort();
    this.wakeUp?.();
  }

  private checkClock(): void {
    if (this.link.status !== 'live' && this.link.status !== 'stale') return;
    const silentMs = this.now() - this.lastDataMs;
    // A half-open TCP connection looks alive forever; three missed heartbeats means it is not.
    if (silentMs > 3 * this.heartbeatMs) {
      this.log('no data for three heartbeats: reconnecting');
      this.streamAbort?.abort();
      return;
    }
    this.setLink({ status: this.serverSaysStale || silentMs > this.staleAfterMs() ? 'stale' : 'live' });
  }

  private async loop(): Promise<void> {
    let forcedRefresh = false;
    let refusedAfterRefresh = false;
    while (this.running) {
      this.setLink({ status: 'connecting', retryAt: null });
      let outcome: StreamOutcome = 'ended';
      let error: string | null = null;
      try {
        const token = forcedRefresh ? await this.opts.refreshAccessToken() : await this.opts.getAccessToken();
        outcome = await this.stream(token);
      } catch (e) {
        if (e instanceof NotSignedInError) {
          this.opts.onAuthProblem({ kind: 'signed-out', message: e.message });
          outcome = 'stop';
        } else if (!this.running) {
          outcome = 'stop';
        } else {
          error =
            e instanceof IdentityProviderUnreachableError
              ? e.message
              : `Cannot reach the Klaxon server at ${this.opts.serverUrl} (${e instanceof AxiosError ? (e.code ?? e.message) : e instanceof Error ? e.message : String(e)}).`;
        }
      }
      if (outcome === 'stop' || !this.running) break;
      if (outcome === 'unauthorized') {
        if (refusedAfterRefresh) {
          this.opts.onAuthProblem({
            kind: 'signed-out',
            message: 'The Klaxon server no longer accepts your sign-in. Sign in again.',
          });
          break;
        }
        forcedRefresh = true; // refresh once, reconnect at once
        refusedAfterRefresh = true;
        continue;
      }
      if (outcome === 'reauth') {
        forcedRefresh = true; // the server announced the end of this credential: renew and reconnect at once
        continue;
      }
      forcedRefresh = false;
      refusedAfterRefresh = false;
      if (this.immediate) {
        this.immediate = false;
        continue;
      }
      const { baseMs, maxMs } = this.opts.backoff ?? RECONNECT_BACKOFF;
      const delay = backoffDelayMs(++this.attempt, { baseMs, maxMs, minMs: baseMs / 2 }, this.opts.random);
      this.setLink({
        status: 'offline',
        error: error ?? 'The connection to the Klaxon server closed.',
        retryAt: new Date(this.now() + delay).toISOString(),
      });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = null;
    }
    this.running = false;
    this.streamAbort?.abort();
  }

  /** Runs one SSE connection until it ends. Resolves with why it ended; throws on network failure. */
  private async stream(token: string): Promise<StreamOutcome> {
    const abort = new AbortController();
    this.streamAbort = abort;
    const res = await this.http.get<Readable>(routes.events.path, {
      responseType: 'stream',
      timeout: 0,
      signal: abort.signal,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'text/event-stream',
        'cache-control': 'no-store',
        ...(this.lastEventId ? { 'last-event-id': this.lastEventId } : {}),
      },
    });
    if (res.status === 401) {
      res.data.destroy();
      return 'unauthorized';
    }
    if (res.status === 403) {
      const body = await readJson(res.data);
      const parsed = ErrorBody.safeParse(body);
      this.opts.onAuthProblem({
        kind: 'forbidden',
        message: parsed.success ? parsed.data.error.message : 'Your account may not see incidents in Klaxon.',
        requiredGroups: parsed.success ? (parsed.data.error.requiredGroups ?? []) : [],
      });
      return 'stop';
    }
    if (res.status !== 200) {
      res.data.destroy();
      throw new Error(`the server answered ${res.status}`);
    }
    let outcome: StreamOutcome = 'ended';
    const parser = new EventStreamParser((raw) => {
      const r = this.handle(raw);
      if (r === 'reauth') {
        outcome = 'reauth';
        abort.abort();
      }
    });
    try {
      for await (const chunk of res.data) {
        if (abort.signal.aborted) break;
        parser.push(chunk as Buffer);
      }
    } catch (e) {
      if (!abort.signal.aborted) throw e;
    } finally {
      res.data.destroy();
    }
    // The server's `retry:` hint sets the base delay, but never below 1 s: a misconfigured or hostile
    // server must not turn every client into a reconnect loop.
    if (parser.retryMs && this.opts.backoff === undefined)
      this.opts.backoff = { baseMs: Math.max(MIN_RETRY_MS, parser.retryMs), maxMs: 60_000 };
    return this.running ? outcome : 'stop';
  }

  private handle(raw: RawServerSentEvent): 'ok' | 'reauth' {
    let data: unknown;
    try {
      data = JSON.parse(raw.data);
    } catch {
      this.log(`ignored an event that is not JSON (${raw.event})`);
      return 'ok';
    }
    // Accept both wire shapes: the whole ServerEvent as data, or `event: <type>` + `data: <payload>`.
    const candidate =
      data && typeof data === 'object' && 'type' in data && 'data' in data
        ? data
        : { type: raw.event, id: raw.lastEventId, data };
    const parsed = ServerEvent.safeParse(candidate);
    if (!parsed.success) {
      this.log(
        `ignored an invalid ${raw.event} event: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      );
      return 'ok';
    }
    const e = parsed.data;
    this.lastEventId = raw.lastEventId || e.id;
    this.lastDataMs = this.now();
    if (this.attempt > 0) this.attempt = 0;
    if (e.type === 'snapshot') this.serverSaysStale = e.data.incidents.stale;
    else if (e.type === 'heartbeat') this.serverSaysStale = e.data.stale;
    else if (e.type === 'incident') this.serverSaysStale = false;
    this.setLink({
      status: this.serverSaysStale ? 'stale' : 'live',
      lastDataAt: new Date(this.lastDataMs).toISOString(),
      error: null,
      retryAt: null,
    });
    this.opts.onEvent(e);
    // The credential behind the stream is ending: refresh and reconnect before the server cuts us off.
    return e.type === 'session' ? 'reauth' : 'ok';
  }
}

async function readJson(stream: Readable): Promise<unknown> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of stream) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null;
  }
}
