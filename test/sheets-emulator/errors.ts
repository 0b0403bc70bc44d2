// Google API errors as the emulator produces them. The JSON body follows Google's
// `{"error": {"code", "message", "status", "details"?}}` shape (AIP-193), so gaxios and
// googleapis-common turn them into the same GaxiosError a sink would see from Google.

export type GoogleStatus =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL'
  | 'UNAVAILABLE';

export interface GoogleErrorBody {
  error: { code: number; message: string; status: GoogleStatus; details?: unknown[] };
}

/**
 * A Google API error. Handlers throw it from deep inside validation so a request aborts
 * before anything is applied; the HTTP layer turns it into the response body.
 */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: GoogleStatus,
    message: string,
    readonly details?: unknown[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): GoogleErrorBody {
    const error: GoogleErrorBody['error'] = { code: this.httpStatus, message: this.message, status: this.status };
    if (this.details) error.details = this.details;
    return { error };
  }

  /** Google names the failing part of a batch: "Invalid requests[2].repeatCell: ...". */
  withPrefix(prefix: string): ApiError {
    return new ApiError(this.httpStatus, this.status, `${prefix}: ${this.message}`, this.details, this.headers);
  }
}

export function invalidArgument(message: string): ApiError {
  return new ApiError(400, 'INVALID_ARGUMENT', message);
}

export function notFound(): ApiError {
  return new ApiError(404, 'NOT_FOUND', 'Requested entity was not found.');
}

export function unableToParseRange(range: string): ApiError {
  return invalidArgument(`Unable to parse range: ${range}`);
}

export function gridLimitError(rangeA1: string, rowCount: number, columnCount: number): ApiError {
  return invalidArgument(
    `Range (${rangeA1}) exceeds grid limits. Max rows: ${rowCount}, max columns: ${columnCount}`,
  );
}

export function cellLimitError(maxCells: number): ApiError {
  return invalidArgument(
    `This action would increase the number of cells in the workbook above the limit of ${maxCells} cells.`,
  );
}

export function internalError(): ApiError {
  return new ApiError(500, 'INTERNAL', 'Internal error encountered.');
}

export function unavailableError(): ApiError {
  return new ApiError(503, 'UNAVAILABLE', 'The service is currently unavailable.');
}

/** Raised for a malformed `--faults` / `--quota` spec or control-endpoint body; never reaches a Sheets client. */
export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

const AUTH_HELP = 'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

function errorInfo(reason: string, rpcMethod: string): unknown {
  return {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason,
    domain: 'googleapis.com',
    metadata: { method: `google.apps.sheets.v4.SpreadsheetsService.${rpcMethod}`, service: 'sheets.googleapis.com' },
  };
}

/** Google's 401 for a call without a usable bearer token, with its WWW-Authenticate header. */
export function unauthenticated(reason: 'missing' | 'invalid' | 'expired', rpcMethod: string): ApiError {
  const realm = 'Bearer realm="https://accounts.google.com/"';
  if (reason === 'missing') {
    return new ApiError(401, 'UNAUTHENTICATED', `Request is missing required authentication credential. ${AUTH_HELP}`, [errorInfo('CREDENTIALS_MISSING', rpcMethod)], { 'www-authenticate': realm });
  }
  const info = errorInfo(reason === 'expired' ? 'ACCESS_TOKEN_EXPIRED' : 'ACCESS_TOKEN_TYPE_UNSUPPORTED', rpcMethod);
  return new ApiError(401, 'UNAUTHENTICATED', `Request had invalid authentication credentials. ${AUTH_HELP}`, [info], { 'www-authenticate': `${realm}, error="invalid_token"` });
}

/** Google's 403 for a token whose scopes do not cover the call. */
export function insufficientScopes(rpcMethod: string, needed: string): ApiError {
  return new ApiError(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.', [errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', rpcMethod)], {
    'www-authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${needed}"`,
  });
}
