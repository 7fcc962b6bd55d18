/**
 * What every REST API v2 route shares (docs/pagerduty.md#rest-api-v2): token auth, the error body
 * `{"error":{"message","code","errors"}}`, rate-limit headers, array query parameters and classic offset pagination.
 */
import { json, type Reply, type SimRequest } from '../simulator-kit/http-io.js';
import { rateLimitHeaders } from './rate-limiter.js';
import type { Simulator } from './simulator.js';

export function pdError(status: number, message: string, code: number, errors: string[] = []): Reply {
  return json(status, { error: { message, code, errors } });
}

/** `GET /incidents?statuses[]=a&statuses[]=b` and `?statuses=a,b`-free: PagerDuty's array parameters repeat `name[]`. */
export function queryArray(q: URLSearchParams, name: string): string[] {
  return [...q.getAll(`${name}[]`), ...q.getAll(name)].filter((v) => v !== '');
}

export const invalidInput = (...errors: string[]): Reply => pdError(400, 'Invalid Input Provided', 2001, errors);

export interface Caller {
  token: string;
  readOnly: boolean;
  /** `ratelimit-*` headers to add to the answer. */
  headers: Record<string, string>;
}

/** Checks `Authorization: Token token=…` and the token's rate limit; a Reply means refuse with it. */
export function authenticate(sim: Simulator, req: SimRequest): Caller | Reply {
  const m = /^Token token=(\S+)$/.exec(String(req.headers.authorization ?? '').trim());
  const token = m ? sim.dir.org.apiTokens.find((t) => t.token === m[1]) : undefined;
  if (!token) return pdError(401, 'Authentication failed', 2006);
  const rate = sim.limiter.take('rest', token.token);
  const headers = rate ? rateLimitHeaders(rate) : {};
  if (rate && !rate.allowed) return json(429, { error: { message: 'Rate Limit Exceeded', code: 2020 } }, headers);
  return { token: token.token, readOnly: token.readOnly, headers };
}

const MAX_LIMIT = 100;
const MAX_WINDOW = 10_000;

/** `limit` (default 25, at most 100), `offset`, `more`, and `total` (null unless `total=true`). */
export function paginate<T>(
  req: SimRequest,
  items: T[],
): { page: T[]; fields: { limit: number; offset: number; more: boolean; total: number | null } } | Reply {
  const q = req.query;
  const limitRaw = q.get('limit');
  const offsetRaw = q.get('offset');
  const limit = limitRaw === null || limitRaw === '' ? 25 : Number(limitRaw);
  const offset = offsetRaw === null || offsetRaw === '' ? 0 : Number(offsetRaw);
  if (!Number.isInteger(limit) || limit < 1) return invalidInput('limit must be a positive integer');
  if (!Number.isInteger(offset) || offset < 0) return invalidInput('offset must be a non-negative integer');
  const used = Math.min(limit, MAX_LIMIT);
  if (offset + used > MAX_WINDOW)
    return invalidInput(`offset + limit must not exceed ${MAX_WINDOW}; narrow the query with filters`);
  const page = items.slice(offset, offset + used);
  return {
    page,
    fields: {
      limit: used,
      offset,
      more: offset + page.length < items.length,
      total: q.get('total') === 'true' ? items.length : null,
    },
  };
}

/** Parses an ISO-8601 `since`/`until`; undefined when absent, NaN when not a time. */
export function timeParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  return Date.parse(v);
}

/** `query` filters by a case-insensitive substring of the name (and e-mail, for users). */
export function matchesQuery(q: URLSearchParams, ...fields: string[]): boolean {
  const query = q.get('query');
  if (!query) return true;
  const needle = query.toLowerCase();
  return fields.some((f) => f.toLowerCase().includes(needle));
}
