import { API, type ApiErrorCode } from '../errors/registry.js';

/**
 * Stable error codes of the HTTP API and their HTTP status, derived from the error registry
 * (gateway/errors/registry.ts, docs/ERRORS.md). Programs match on `reason.code`; the message may change.
 */
export type { ApiErrorCode };

export const API_ERRORS = Object.fromEntries(Object.entries(API).map(([code, info]) => [code, info.http])) as Record<ApiErrorCode, number>;

/** An expected failure of a request; the server turns it into an error envelope. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get httpStatus(): number {
    return API_ERRORS[this.code];
  }
}
