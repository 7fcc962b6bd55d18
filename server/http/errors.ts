import { validationError, type ErrorBody, type ErrorCode } from '#common/index.js';

/**
 * How every route fails: throw one. The error handler (error-handler.ts) answers with the HTTP
 * status, the extra headers and the contract's ErrorBody.
 */
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

  /** 400 naming the first offending field of a failed schema check, as the contract's validationError words it. */
  static invalid(issues: Parameters<typeof validationError>[0]): HttpError {
    const { message, field } = validationError(issues).error;
    return new HttpError(400, 'invalid_request', message, field !== undefined ? { field } : {});
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
