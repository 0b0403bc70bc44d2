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

/** Raised for a malformed `--faults` / control-endpoint spec; never reaches a Sheets client. */
export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}
