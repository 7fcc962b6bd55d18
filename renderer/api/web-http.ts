import { CLIENT_HEADER, CSRF_HEADER, ErrorBody, fail, type Result } from '#common/index.js';
import type { z } from 'zod/mini';

// Said of one request, which is not retried here: only the caller knows whether it tries again.
const NOT_REACHABLE = 'The Klaxon server is not reachable: check your network or VPN.';

export type WebRequest = <T>(
  method: 'GET' | 'POST',
  path: string,
  /** Checks the answer against the contract; null: the answer's body is not used. */
  schema: z.ZodMiniType<T> | null,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<Result<T>>;

/**
 * Same-origin JSON requests with the browser session: every answer, good or bad, becomes a Result a
 * person can read. State-changing requests carry the CSRF token from GET /api/v1/session.
 */
export function createWebRequest(session: { csrfToken(): string | null; onUnauthorized(): void }): WebRequest {
  return async function request<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodMiniType<T> | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Result<T>> {
    const csrf = session.csrfToken();
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: {
          accept: 'application/json',
          [CLIENT_HEADER]: 'web',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(method === 'POST' && csrf ? { [CSRF_HEADER]: csrf } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      return fail('upstream_unavailable', NOT_REACHABLE);
    }
    const json = parseJson(await res.text());
    if (!res.ok) {
      if (res.status === 401) session.onUnauthorized();
      return { ok: false, error: errorOf(res.status, json) };
    }
    if (!schema) return { ok: true, value: json as T };
    const parsed = schema.safeParse(json);
    return parsed.success
      ? { ok: true, value: parsed.data }
      : fail('internal', 'The Klaxon server sent an answer this page does not understand. Reload the page.');
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null; // not JSON: the status decides
  }
}

/** The server's error body when it sent one, else a sentence from the status alone. */
function errorOf(status: number, json: unknown) {
  const parsed = ErrorBody.safeParse(json);
  if (parsed.success) return parsed.data.error;
  return {
    code: status >= 500 ? ('upstream_unavailable' as const) : ('internal' as const),
    message: `The Klaxon server answered ${status}. Try again in a moment.`,
  };
}
