import type { SinkErrorCode } from '../contract.js';
import { CredentialsError } from './credentials.js';
import { LimiterClosedError } from '../rate-limiter.js';
import { SheetsRequestError, type QuotaLimitHit, type SheetsRequestKind } from './request-error.js';

export type { QuotaLimitHit } from './request-error.js';

/** A failure of the Sheets sink (or of `auth check`), with a stable code and a message for a person. */
export interface SheetsFailure {
  code: SinkErrorCode;
  status: number | null;
  message: string;
  /** The request that failed; absent for local failures (credentials file, shutdown, a bug). */
  kind?: SheetsRequestKind;
  /** Minimum wait the server asked for (Retry-After header, RetryInfo), ms. */
  retryAfterMs?: number;
  /** The range in the request could not be resolved (a tab renamed or deleted by someone). */
  badRange: boolean;
  /** A write that may have landed although it failed (no answer, 5xx): checked before a retry. */
  mayHaveApplied: boolean;
  /** For a 429: which quota limit Google named (ErrorInfo quota_limit, or the message's limit). */
  quota?: QuotaLimitHit;
}

/**
 * The failure an error stands for. Requests to Google arrive as SheetsRequestError (api.ts), whose
 * code is already decided (error-table.ts); the local failures are the credentials file (AUTH) and
 * a shutdown while waiting for the rate limiter (UNAVAILABLE). Anything else is a bug (INTERNAL,
 * retried).
 */
export function classify(e: unknown): SheetsFailure {
  if (e instanceof SheetsRequestError) {
    const f: SheetsFailure = { code: e.code, status: e.status, message: e.message, kind: e.kind, badRange: e.badRange, mayHaveApplied: e.mayHaveApplied };
    if (e.retryAfterMs !== undefined) f.retryAfterMs = e.retryAfterMs;
    if (e.quota) f.quota = e.quota;
    return f;
  }
  if (e instanceof CredentialsError) return local('AUTH', e.message);
  if (e instanceof LimiterClosedError) return local('UNAVAILABLE', 'shutting down');
  return local('INTERNAL', `unexpected error: ${e instanceof Error ? e.message : String(e)}`);
}

function local(code: SinkErrorCode, message: string): SheetsFailure {
  return { code, status: null, message, badRange: false, mayHaveApplied: false };
}
