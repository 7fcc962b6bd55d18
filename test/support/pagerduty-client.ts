/**
 * A small PagerDuty client for tests: sends what a real client sends (docs/pagerduty.md: the
 * `Authorization: Token token=…` header, the versioned `Accept`, JSON bodies, `From` on writes) and
 * hands back status, headers and parsed body, plus the request it sent so tests can check it
 * against PagerDuty's OpenAPI documents (test/support/pagerduty-openapi.ts).
 */
import type { RequestToCheck } from '#test/support/pagerduty-openapi.js';

export const PD_ACCEPT = 'application/vnd.pagerduty+json;version=2';

export interface PdAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  /** The raw text (for malformed-body faults). */
  text: string;
  /** What was sent, in the form the OpenAPI checker takes. */
  request: RequestToCheck;
}

export interface PdClient {
  get<T = Record<string, unknown>>(path: string): Promise<PdAnswer<T>>;
  put<T = Record<string, unknown>>(path: string, body: unknown, from?: string): Promise<PdAnswer<T>>;
  enqueue<T = Record<string, unknown>>(event: unknown): Promise<PdAnswer<T>>;
}

export function pagerDutyClient(baseUrl: string, token: string | null): PdClient {
  const call = async <T>(api: 'rest' | 'events', method: string, path: string, body?: unknown, from?: string) => {
    const headers: Record<string, string> =
      api === 'rest'
        ? { Accept: PD_ACCEPT, ...(token ? { Authorization: `Token token=${token}` } : {}) }
        : { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (from !== undefined) headers.From = from;
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return {
      status: res.status,
      headers: res.headers,
      body: parsed as T,
      text,
      request: {
        api,
        method,
        path: api === 'events' ? '/enqueue' : path,
        headers,
        ...(body !== undefined ? { body } : {}),
      },
    };
  };
  return {
    get: (path) => call('rest', 'GET', path),
    put: (path, body, from) => call('rest', 'PUT', path, body, from),
    enqueue: (event) => call('events', 'POST', '/v2/enqueue', event),
  };
}
