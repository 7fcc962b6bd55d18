import type { Metrics } from '../../http/metrics.js';
import { type Clock, systemClock } from '../../runtime/clock.js';
import { type Logger, silentLogger } from '../../runtime/logger.js';
import type { SendAlertOptions, SendAlertResult } from '../paging-backend.js';
import { seconds, transportError, UpstreamError } from '../upstream-error.js';
import { upstreamRequest, type UpstreamResponse } from '../upstream-http.js';
import { UpstreamLimiter } from '../upstream-limiter.js';
import { eventOutcome } from './events.js';
import { errorGist, isObj } from './wire.js';

/** The REST API's versioned media type: without it PagerDuty picks the version from the token (docs/pagerduty.md). */
export const PD_ACCEPT = 'application/vnd.pagerduty+json;version=2';

export interface PagerDutyClientOptions {
  /** `pagerduty.apiBaseUrl`, e.g. https://api.pagerduty.com */
  apiBaseUrl: string;
  /** `pagerduty.eventsUrl`, e.g. https://events.pagerduty.com/v2/enqueue */
  eventsUrl: string;
  /** `pagerduty.apiToken`: an account API key. */
  apiToken: string;
  /** Per-request timeout of the REST API (`pagerduty.timeoutMs`). */
  timeoutMs: number;
  /** Per-event timeout of the Events API, a different service (`delivery.timeoutMs`). */
  eventTimeoutMs: number;
  /** REST requests a minute, for everything this server asks (`pagerduty.restRequestsPerMinute`). */
  restPerMinute: number;
  metrics?: Pick<Metrics, 'upstreamCalls'> | null;
  logger?: Logger;
  clock?: Clock;
}

/** How long PagerDuty asks us to wait: `Retry-After` (seconds or a date), else `ratelimit-reset` (seconds). */
export function waitAskedMs(res: Pick<UpstreamResponse, 'header'>, now: number): number | null {
  const after = res.header('retry-after')?.trim();
  if (after) {
    if (/^\d+$/.test(after)) return Number(after) * 1000 || null;
    const at = Date.parse(after);
    if (!Number.isNaN(at)) return Math.max(0, at - now) || null;
  }
  const reset = res.header('ratelimit-reset')?.trim();
  return reset && /^\d+$/.test(reset) ? Number(reset) * 1000 || null : null;
}

/** One page of a classic-paginated list (docs/pagerduty.md#rest-api-v2). */
interface ListPage {
  items: unknown[];
  more: boolean;
}

/** PagerDuty answers at most 100 a page and refuses offset + limit above 10 000. */
const PAGE_SIZE = 100;
const MAX_OFFSET = 10_000;

/**
 * The only code that talks to PagerDuty. REST calls share one limiter (spaced to
 * `restPerMinute`), a 429 or an exhausted `ratelimit-remaining` pauses every caller for as long as
 * PagerDuty says, and nothing is retried here: readers retry on their own schedule (the hub's backoff,
 * the caches), writes are never retried automatically. Events go to their own host with their own
 * limiter: PagerDuty counts them per integration key, not per API key.
 */
export class PagerDutyClient {
  private readonly rest: UpstreamLimiter;
  private readonly events: UpstreamLimiter;
  private readonly clock: Clock;
  private readonly log: Logger;
  private consecutiveThrottles = 0;

  constructor(private readonly opts: PagerDutyClientOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.rest = new UpstreamLimiter({ perSecond: opts.restPerMinute / 60, clock: this.clock });
    // About 120 events a minute per integration key [docs/pagerduty.md#rate-limits]: 2 a second at most.
    this.events = new UpstreamLimiter({ perSecond: 2, clock: this.clock });
  }

  /** `GET path` (with its query string) as parsed JSON; throws UpstreamError. */
  get(endpoint: string, path: string): Promise<unknown> {
    return this.call(endpoint, 'GET', path);
  }

  /** `PUT path` as the user with e-mail `from` (PagerDuty records them as having acted). Never retried. */
  put(endpoint: string, path: string, body: unknown, from: string): Promise<unknown> {
    return this.call(endpoint, 'PUT', path, body, from);
  }

  /**
   * Every item of a paginated list (`key` names the array), following `more` with `offset`. `query`
   * must not contain limit/offset. Long lists stop at PagerDuty's own window of 10 000.
   */
  async listAll(endpoint: string, path: string, key: string): Promise<unknown[]> {
    const items: unknown[] = [];
    const sep = path.includes('?') ? '&' : '?';
    for (let offset = 0; offset + PAGE_SIZE <= MAX_OFFSET; offset += PAGE_SIZE) {
      const page = this.readPage(await this.get(endpoint, `${path}${sep}limit=${PAGE_SIZE}&offset=${offset}`), key);
      if (!page) throw this.malformed(endpoint, `the answer has no "${key}" list`);
      items.push(...page.items);
      if (!page.more || page.items.length === 0) return items;
    }
    this.log.warn(
      { endpoint, items: items.length },
      'PagerDuty list longer than its pagination window; showing the first part',
    );
    return items;
  }

  private readPage(body: unknown, key: string): ListPage | null {
    if (!isObj(body) || !Array.isArray(body[key])) return null;
    return { items: body[key] as unknown[], more: body.more === true };
  }

  /**
   * One Events API v2 event (`POST <eventsUrl>`). A timeout or network error is retryable; what an
   * answer means is `eventOutcome`'s to say. A 429 also holds back the next events for as long as
   * PagerDuty asks.
   */
  async enqueue(event: Record<string, unknown>, opts: SendAlertOptions = {}): Promise<SendAlertResult> {
    const slot = await this.events.acquire(opts.sendBy);
    if (!slot.granted) {
      const waitMs = slot.freeAt - this.clock.now();
      this.log.info({ endpoint: 'pd_event', waitMs }, 'PagerDuty event not sent: no rate-limit slot in time');
      return {
        ok: false,
        retryable: true,
        notSentUntil: slot.freeAt,
        error: `Not sent: the queue for PagerDuty's event rate limit (about 2 a second) was full (its next free turn: in ${seconds(waitMs)}).`,
      };
    }
    const count = (status: string) => this.opts.metrics?.upstreamCalls.inc({ endpoint: 'pd_event', status });
    let res: UpstreamResponse;
    try {
      res = await upstreamRequest(this.opts.eventsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'klaxon-server' },
        body: JSON.stringify(event),
        timeoutMs: this.opts.eventTimeoutMs,
      });
    } catch (e) {
      const err = transportError('PagerDuty', 'pd_event', e, this.opts.eventTimeoutMs);
      count(err.kind);
      this.log.warn({ endpoint: 'pd_event', reason: err.message }, 'PagerDuty event not sent');
      return { ok: false, retryable: true, error: err.message };
    }
    count(String(res.status));
    if (res.status === 429) this.events.pause(waitAskedMs(res, this.clock.now()) ?? 2000);
    const out = eventOutcome(res.status, res.text, event.dedup_key);
    if (!out.ok)
      this.log.warn(
        { endpoint: 'pd_event', status: res.status, retryable: out.retryable, reason: out.error },
        'PagerDuty event not accepted',
      );
    return out;
  }

  private async call(
    endpoint: string,
    method: 'GET' | 'PUT',
    path: string,
    body?: unknown,
    from?: string,
  ): Promise<unknown> {
    await this.rest.acquire();
    const headers: Record<string, string> = {
      authorization: `Token token=${this.opts.apiToken}`,
      accept: PD_ACCEPT,
      'user-agent': 'klaxon-server',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (from !== undefined) headers.from = from;
    let res: UpstreamResponse;
    try {
      res = await upstreamRequest(this.opts.apiBaseUrl.replace(/\/+$/, '') + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        timeoutMs: this.opts.timeoutMs,
      });
    } catch (e) {
      const err = transportError('PagerDuty', endpoint, e, this.opts.timeoutMs);
      this.opts.metrics?.upstreamCalls.inc({ endpoint, status: err.kind });
      this.log.warn({ endpoint, method, reason: err.message }, 'PagerDuty request failed');
      throw err;
    }
    this.opts.metrics?.upstreamCalls.inc({ endpoint, status: String(res.status) });
    this.honourRemaining(res);
    if (res.ok) {
      this.consecutiveThrottles = 0;
      try {
        return JSON.parse(res.text) as unknown;
      } catch {
        throw this.malformed(endpoint, `the answer is not JSON (${JSON.stringify(res.text.slice(0, 60))})`);
      }
    }
    const err = this.httpError(endpoint, method, res);
    if (err.kind !== 'not_found')
      this.log.warn({ endpoint, method, status: res.status, reason: err.message }, 'PagerDuty request failed');
    throw err;
  }

  /** `ratelimit-remaining: 0` says the next request would be refused: wait for `ratelimit-reset` first. */
  private honourRemaining(res: UpstreamResponse): void {
    if (res.header('ratelimit-remaining')?.trim() !== '0') return;
    const reset = Number(res.header('ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) this.rest.pause(Math.min(reset, 300) * 1000);
  }

  private httpError(endpoint: string, method: string, res: UpstreamResponse): UpstreamError {
    const { status } = res;
    const detail = errorGist(res.text);
    const reason = detail || 'PagerDuty gave no reason';
    if (status === 429) {
      this.consecutiveThrottles++;
      const asked = waitAskedMs(res, this.clock.now());
      const waitMs =
        asked !== null ? Math.min(300_000, asked) : Math.min(30_000, 1000 * 2 ** (this.consecutiveThrottles - 1));
      this.rest.pause(waitMs);
      return new UpstreamError(
        'rate_limited',
        `PagerDuty is limiting Klaxon's requests (HTTP 429); Klaxon waits ${seconds(waitMs)} before asking again.`,
        endpoint,
        { status, retryable: true, retryAfterMs: waitMs, detail },
      );
    }
    if (status === 401)
      return new UpstreamError(
        'auth',
        `PagerDuty refused Klaxon's API token (HTTP 401: ${reason}); the operator should check pagerduty.apiToken.`,
        endpoint,
        { status, retryable: false, detail },
      );
    if (status === 403)
      return new UpstreamError(
        'auth',
        method === 'GET'
          ? `PagerDuty does not let Klaxon's API token read this (HTTP 403: ${reason}); the operator should check pagerduty.apiToken.`
          : `PagerDuty refused the change (HTTP 403: ${reason}): Klaxon's API token is read-only. The Klaxon operator should give pagerduty.apiToken a full-access key.`,
        endpoint,
        { status, retryable: false, detail },
      );
    if (status === 404)
      return new UpstreamError('not_found', detail || 'PagerDuty does not know this item.', endpoint, {
        status,
        retryable: false,
        detail,
      });
    if (status >= 500)
      return new UpstreamError('http', `PagerDuty is having problems (HTTP ${status}: ${reason}).`, endpoint, {
        status,
        retryable: true,
        detail,
      });
    return new UpstreamError('http', `PagerDuty refused the request (HTTP ${status}: ${reason}).`, endpoint, {
      status,
      retryable: false,
      detail,
    });
  }

  malformed(endpoint: string, reason: string): UpstreamError {
    this.log.warn({ endpoint, reason }, 'PagerDuty answered with something Klaxon could not read');
    return new UpstreamError(
      'malformed',
      'PagerDuty answered with something Klaxon could not read; Klaxon keeps showing the last good data.',
      endpoint,
      { retryable: true, detail: reason },
    );
  }
}
