import type { ErrorBody, ErrorCode } from './errors.js';

/** What went wrong, as a person reads it: the contract's error body without its envelope. */
export type Failure = ErrorBody['error'];

/**
 * The outcome of a request that can fail in a way the caller must handle: the server's answers, the
 * desktop IPC channels (Electron flattens thrown errors to a string, so errors cross as values) and
 * the renderer's API all use this one shape.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const fail = (
  code: ErrorCode,
  message: string,
  extra: Omit<Partial<Failure>, 'code' | 'message'> = {},
): { ok: false; error: Failure } => ({
  ok: false,
  error: { code, message, ...extra },
});
