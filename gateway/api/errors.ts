/**
 * Stable error codes of the HTTP API (docs/API.md, "Error codes"). Programs match on `reason.code`;
 * the message may change. Each code has one HTTP status.
 */
export const API_ERRORS = {
  INVALID_PARAMETER: 400,
  INVALID_JSON: 400,
  DEVICE_ID_INVALID: 400,
  TOKEN_REQUIRED: 401,
  TOKEN_INVALID: 403,
  NOT_FOUND: 404,
  DEVICE_UNKNOWN: 404,
  SINK_UNKNOWN: 404,
  METHOD_NOT_ALLOWED: 405,
  DEVICE_EXISTS: 409,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UPGRADE_REQUIRED: 426,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

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
