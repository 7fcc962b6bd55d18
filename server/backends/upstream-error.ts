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
