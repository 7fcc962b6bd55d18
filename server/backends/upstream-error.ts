export type UpstreamErrorKind = 'timeout' | 'network' | 'rate_limited' | 'auth' | 'not_found' | 'http' | 'malformed';

/**
 * What went wrong talking to a paging service; every backend fails this way. `kind` lets callers
 * decide (retry, back off, try another user); the message is a sentence a person can act on.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly endpoint: string,
    readonly opts: { status?: number; retryable: boolean; retryAfterMs?: number; detail?: string },
  ) {
    super(message);
  }
  get status(): number | null {
    return this.opts.status ?? null;
  }
  get retryable(): boolean {
    return this.opts.retryable;
  }
  /** How long the service (or our own reading of a 429) asks us to wait, if known. */
  get retryAfterMs(): number | null {
    return this.opts.retryAfterMs ?? null;
  }
}

/** A wait or timeout in a message: "2 s", "1.5 s". */
export const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`.replace('.0 s', ' s');
const codeOf = (x: unknown): string | null =>
  typeof x === 'object' && x !== null && typeof (x as { code?: unknown }).code === 'string'
    ? (x as { code: string }).code
    : null;

/**
 * A request to `service` ("On-Call", "PagerDuty") that got no answer: a timeout or a network error,
 * in words a person can act on. Both are retryable; the error's code (ECONNREFUSED, …) is the detail.
 */
export function transportError(service: string, endpoint: string, e: unknown, timeoutMs: number): UpstreamError {
  const name = e instanceof Error ? e.name : '';
  if (name === 'TimeoutError' || name === 'AbortError')
    return new UpstreamError('timeout', `${service} did not answer within ${seconds(timeoutMs)}.`, endpoint, {
      retryable: true,
    });
  const code = e instanceof Error ? (codeOf(e) ?? codeOf(e.cause)) : codeOf(e);
  const why =
    code === 'ECONNREFUSED'
      ? 'the connection was refused'
      : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
        ? 'the connection was cut'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'its address could not be resolved'
          : (code ?? (e instanceof Error ? e.message : 'unknown network error'));
  return new UpstreamError('network', `Klaxon could not reach ${service} (${why}).`, endpoint, {
    retryable: true,
    detail: code ?? undefined,
  });
}
