import type { SinkErrorCode } from '../contract.js';
import { CredentialsError } from './credentials.js';
import { LimiterClosedError } from '../rate-limiter.js';

/** A failed Sheets or token request, classified. `applied` says whether the write may have landed. */
export interface SheetsFailure {
  code: SinkErrorCode;
  status: number | null;
  message: string;
  /** Minimum wait the server asked for (Retry-After header, RetryInfo), ms. */
  retryAfterMs?: number;
  /** The range in the request could not be resolved (a tab renamed or deleted by someone). */
  badRange: boolean;
  /** For a 429: which quota limit Google named (ErrorInfo quota_limit, or the message's limit). */
  quota?: QuotaLimitHit;
}

/** The limit a 429 came from, as Google names it. */
export interface QuotaLimitHit {
  /** e.g. WriteRequestsPerMinutePerUser, or the limit's name from the message. */
  limit: string;
  /** per user (one account) or per project (every account of the Cloud project, together). */
  scope: 'user' | 'project' | 'unknown';
  /** The limit's value when Google says (quota_limit_value). */
  value?: number;
}

interface ErrorLike {
  message?: unknown;
  status?: unknown;
  code?: unknown;
  name?: unknown;
  cause?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: { get?(name: string): string | null } };
}

/**
 * Maps an exception from @googleapis/sheets / google-auth-library (gaxios errors are matched by
 * shape: the two libraries bundle different gaxios copies) to a failure with a stable code.
 * Google's error bodies: `{ error: { code, message, status, details } }` for the API, and
 * `{ error: "invalid_grant", error_description }` for the token endpoint.
 */
export function classify(e: unknown): SheetsFailure {
  if (e instanceof CredentialsError) return failure('AUTH', null, e.message);
  if (e instanceof LimiterClosedError) return failure('UNAVAILABLE', null, 'shutting down');
  const err = (e ?? {}) as ErrorLike;
  const status = typeof err.response?.status === 'number' ? err.response.status : typeof err.status === 'number' ? err.status : null;
  const data = err.response?.data as { error?: unknown; error_description?: unknown } | undefined;
  if (data && typeof data.error === 'string') {
    // The token endpoint refused the credentials (invalid_grant: revoked, wrong key, clock skew).
    const description = typeof data.error_description === 'string' ? `: ${data.error_description}` : '';
    return failure('AUTH', status, `Google refused the credentials (${data.error}${description})`);
  }
  const api = data && typeof data.error === 'object' && data.error !== null ? (data.error as { message?: unknown; status?: unknown; details?: unknown }) : null;
  const apiMessage = api && typeof api.message === 'string' ? api.message : String(err.message ?? e);
  if (status === null) return networkFailure(err);
  const retryAfterMs = retryHint(err, api?.details);
  const f = (code: SinkErrorCode) => ({ ...failure(code, status, `${status} ${apiMessage}`), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  if (status === 429) {
    const quota = quotaHit(apiMessage, api?.details);
    return { ...f('RATE_LIMITED'), ...(quota ? { quota } : {}) };
  }
  if (status === 401) return f('AUTH');
  // A person protected cells sheetlog writes: not the spreadsheet's sharing (PERMISSION).
  if (status === 403 && /protected cell or object/i.test(apiMessage)) return f('PROTECTED');
  if (status === 403) return f('PERMISSION');
  if (status === 404) return f('NOT_FOUND');
  if (status === 408 || status >= 500) return f('UNAVAILABLE');
  if (status === 400 && /unable to parse range|no grid with id|sheet.*not found/i.test(apiMessage)) return { ...f('CONFLICT'), badRange: true };
  if (status === 400 && /above the limit of \d+ cells/i.test(apiMessage)) return { ...f('FULL'), badRange: true };
  if (status === 400 && /exceeds grid limits|already exists/i.test(apiMessage)) return { ...f('CONFLICT'), badRange: true };
  return f('BAD_REQUEST');
}

function failure(code: SinkErrorCode, status: number | null, message: string): SheetsFailure {
  return { code, status, message, badRange: false };
}

function networkFailure(err: ErrorLike): SheetsFailure {
  const names = [err.code, err.name, (err.cause as ErrorLike | undefined)?.name, (err.cause as ErrorLike | undefined)?.code].map(String);
  if (names.some((n) => n === 'TimeoutError' || n === 'AbortError' || n === 'ETIMEDOUT')) {
    return failure('TIMEOUT', null, 'no response within the request timeout (the write may have been applied; it is checked before any retry)');
  }
  const cause = (err.cause as ErrorLike | undefined)?.message;
  const text = String(typeof cause === 'string' && cause !== '' ? cause : (err.message ?? 'no response'));
  const detail = text.replace(/^request to \S+ failed, reason: /, '');
  return failure('UNAVAILABLE', null, `connection failed (${detail}; if it was a write, it is checked before it is retried)`);
}

/** Retry-After (seconds) or google.rpc.RetryInfo.retryDelay ("30s"), in ms. */
function retryHint(err: ErrorLike, details: unknown): number | undefined {
  const header = err.response?.headers?.get?.('retry-after');
  if (header && /^\d+(\.\d+)?$/.test(header)) return Math.round(Number(header) * 1000);
  if (Array.isArray(details)) {
    for (const d of details as { '@type'?: unknown; retryDelay?: unknown }[]) {
      if (typeof d?.retryDelay === 'string' && /^\d+(\.\d+)?s$/.test(d.retryDelay)) return Math.round(Number(d.retryDelay.slice(0, -1)) * 1000);
    }
  }
  return undefined;
}

/**
 * Which quota a 429 names. Google's body: the message "Quota exceeded for quota metric 'Write
 * requests' and limit 'Write requests per minute per user' of service ..." and an ErrorInfo
 * detail whose metadata has quota_limit (WriteRequestsPerMinutePerUser / ...PerProject),
 * quota_limit_value and quota_unit.
 */
function quotaHit(message: string, details: unknown): QuotaLimitHit | undefined {
  const info = Array.isArray(details)
    ? (details as { '@type'?: unknown; metadata?: Record<string, unknown> }[]).find((d) => String(d?.['@type'] ?? '').endsWith('google.rpc.ErrorInfo') && d.metadata)
    : undefined;
  const meta = info?.metadata ?? {};
  const named = /limit '([^']+)'/.exec(message)?.[1];
  const limit = typeof meta['quota_limit'] === 'string' ? meta['quota_limit'] : named;
  if (!limit) return undefined;
  const unit = String(meta['quota_unit'] ?? '');
  const perUser = /PerUser$/.test(limit) || / per user$/i.test(named ?? '') || unit.includes('{user}');
  const perProject = /PerProject$/.test(limit) || / per minute$/i.test(named ?? '') || unit === '1/min/{project}';
  const scope = perUser ? 'user' : perProject ? 'project' : 'unknown';
  const value = Number(meta['quota_limit_value']);
  return { limit, scope, ...(Number.isFinite(value) && value > 0 ? { value } : {}) };
}
