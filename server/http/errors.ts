import type { ErrorBody, ErrorCode } from '#common/index.js';

/** An error that becomes the contract's ErrorBody with the given HTTP status (see app.ts error handler). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: {
      field?: string;
      retryAfterSeconds?: number;
      requiredGroups?: string[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): ErrorBody {
    const { field, retryAfterSeconds, requiredGroups } = this.extra;
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(field !== undefined ? { field } : {}),
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        ...(requiredGroups !== undefined ? { requiredGroups } : {}),
      },
    };
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}
