import { SheetsRequestError, type QuotaLimitHit, type SheetsRequestFacts, type SheetsRequestKind } from './request-error.js';

interface ErrorLike {
  message?: unknown;
  status?: unknown;
  code?: unknown;
  name?: unknown;
  cause?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: { get?(name: string): string | null } };
}

interface ApiErrorBody {
  message?: unknown;
  status?: unknown;
  details?: unknown;
}

/**
 * The one place that reads the errors @googleapis/sheets and google-auth-library throw (gaxios
 * errors, matched by shape: the two libraries bundle different gaxios copies) and turns them into
 * a SheetsRequestError. Google's error bodies: `{ error: { code, message, status, details } }`
 * from the API, `{ error: "invalid_grant", error_description }` from the token endpoint (which
 * makes the failed request a token request, whatever call needed the token).
 */
export function fromClientError(e: unknown, kind: SheetsRequestKind): SheetsRequestError {
  if (e instanceof SheetsRequestError) return e;
  return new SheetsRequestError(factsOf(e, kind), { cause: e });
}

function factsOf(e: unknown, kind: SheetsRequestKind): SheetsRequestFacts {
  const err = (e ?? {}) as ErrorLike;
  const status = typeof err.response?.status === 'number' ? err.response.status : typeof err.status === 'number' ? err.status : null;
  if (status === null) return { kind, status, googleStatus: null, reason: null, ...noAnswer(err, e) };
  const data = err.response?.data as { error?: unknown; error_description?: unknown } | undefined;
  if (data && typeof data.error === 'string') {
    const detail = typeof data.error_description === 'string' ? data.error_description : '';
    return { kind: 'token', status, googleStatus: data.error, reason: null, detail, ...hint(err, undefined) };
  }
  const api = data && typeof data.error === 'object' && data.error !== null ? (data.error as ApiErrorBody) : null;
  const detail = api && typeof api.message === 'string' ? api.message : String(err.message ?? e);
  const facts: SheetsRequestFacts = {
    kind,
    status,
    googleStatus: typeof api?.status === 'string' ? api.status : null,
    reason: errorInfo(api?.details)?.reason ?? null,
    detail,
    ...hint(err, api?.details),
  };
  if (status === 429) {
    const quota = quotaHit(detail, api?.details);
    if (quota) facts.quota = quota;
  }
  return facts;
}

/** No answer: a timeout (gaxios aborts: TimeoutError / AbortError) or a failed connection. */
function noAnswer(err: ErrorLike, e: unknown): Pick<SheetsRequestFacts, 'detail' | 'noAnswer'> {
  const cause = err.cause as ErrorLike | undefined;
  const names = [err.code, err.name, cause?.name, cause?.code].map(String);
  if (names.some((n) => n === 'TimeoutError' || n === 'AbortError' || n === 'ETIMEDOUT')) return { noAnswer: 'timeout', detail: 'timed out' };
  const text = String(typeof cause?.message === 'string' && cause.message !== '' ? cause.message : (err.message ?? e ?? 'no response'));
  return { noAnswer: 'connection', detail: text.replace(/^request to \S+ failed, reason: /, '') };
}

function hint(err: ErrorLike, details: unknown): Pick<SheetsRequestFacts, 'retryAfterMs'> {
  const ms = retryHint(err, details);
  return ms === undefined ? {} : { retryAfterMs: ms };
}

/** Retry-After (seconds) or google.rpc.RetryInfo.retryDelay ("30s"), in ms. */
function retryHint(err: ErrorLike, details: unknown): number | undefined {
  const header = err.response?.headers?.get?.('retry-after');
  if (header && /^\d+(\.\d+)?$/.test(header)) return Math.round(Number(header) * 1000);
  if (Array.isArray(details)) {
    for (const d of details as { retryDelay?: unknown }[]) {
      if (typeof d?.retryDelay === 'string' && /^\d+(\.\d+)?s$/.test(d.retryDelay)) return Math.round(Number(d.retryDelay.slice(0, -1)) * 1000);
    }
  }
  return undefined;
}

function errorInfo(details: unknown): { reason?: string; metadata: Record<string, unknown> } | undefined {
  if (!Array.isArray(details)) return undefined;
  const info = (details as { '@type'?: unknown; reason?: unknown; metadata?: unknown }[]).find((d) => String(d?.['@type'] ?? '').endsWith('google.rpc.ErrorInfo'));
  if (!info) return undefined;
  const metadata = typeof info.metadata === 'object' && info.metadata !== null ? (info.metadata as Record<string, unknown>) : {};
  return typeof info.reason === 'string' ? { reason: info.reason, metadata } : { metadata };
}

/**
 * Which quota a 429 names. Google's body: the message "Quota exceeded for quota metric 'Write
 * requests' and limit 'Write requests per minute per user' of service ..." and an ErrorInfo
 * detail whose metadata has quota_limit (WriteRequestsPerMinutePerUser / ...PerProject),
 * quota_limit_value and quota_unit.
 */
function quotaHit(message: string, details: unknown): QuotaLimitHit | undefined {
  const meta = errorInfo(details)?.metadata ?? {};
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
