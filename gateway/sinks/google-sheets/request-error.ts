import type { SinkErrorCode } from '../../errors/registry.js';
import { sinkCodeFor } from './error-table.js';

/**
 * What a failed request was, as the sink reasons about it:
 * - metadata: spreadsheets.get (tabs, grids, marks, filters, protections)
 * - values-read: values.batchGet
 * - values-write: values.batchUpdate (the rows' cells)
 * - structural: spreadsheets.batchUpdate (add tabs, grow grids, headers, marks)
 * - token: the token endpoint (an access token fetched before, or instead of, the API call)
 */
export type SheetsRequestKind = 'metadata' | 'values-read' | 'values-write' | 'structural' | 'token';

/** The limit a 429 came from, as Google names it. */
export interface QuotaLimitHit {
  /** e.g. WriteRequestsPerMinutePerUser, or the limit's name from the message. */
  limit: string;
  /** per user (one account) or per project (every account of the Cloud project, together). */
  scope: 'user' | 'project' | 'unknown';
  /** The limit's value when Google says (quota_limit_value). */
  value?: number;
}

/** What is known about a failed request, read once from the client library's error (google-errors.ts). */
export interface SheetsRequestFacts {
  kind: SheetsRequestKind;
  /** HTTP status of the answer; null when there was none (connection failed, timed out). */
  status: number | null;
  /**
   * Google's status string (`PERMISSION_DENIED`, `RESOURCE_EXHAUSTED`, ...), or the token
   * endpoint's error (`invalid_grant`); null when there was no answer or no body.
   */
  googleStatus: string | null;
  /** Google's ErrorInfo reason (`RATE_LIMIT_EXCEEDED`, `ACCESS_TOKEN_EXPIRED`, ...), when it gives one. */
  reason: string | null;
  /** Google's message (or the token endpoint's description, or the transport's error). */
  detail: string;
  /** Without an answer: did the request time out, or did the connection fail? */
  noAnswer?: 'timeout' | 'connection';
  /** Minimum wait the server asked for (Retry-After header, RetryInfo), ms. */
  retryAfterMs?: number;
  /** For a 429: which quota limit Google named (ErrorInfo quota_limit, or the message's limit). */
  quota?: QuotaLimitHit;
}

/** A write request: what it changes may have landed even when no answer came back. */
export function isWriteKind(kind: SheetsRequestKind): boolean {
  return kind === 'values-write' || kind === 'structural';
}

/**
 * A failed request to Google (the Sheets API or the token endpoint): the one error type that
 * leaves the API boundary (api.ts). The SINK code it maps to is decided here, once, from the
 * facts (error-table.ts); the sink and `auth check` read the code and the facts, never the
 * client library's error (kept as `cause`, for logs).
 */
export class SheetsRequestError extends Error {
  override readonly name = 'SheetsRequestError';
  readonly kind: SheetsRequestKind;
  readonly status: number | null;
  readonly googleStatus: string | null;
  readonly reason: string | null;
  readonly detail: string;
  readonly noAnswer: 'timeout' | 'connection' | undefined;
  readonly retryAfterMs: number | undefined;
  readonly quota: QuotaLimitHit | undefined;
  /** The registry's SINK code. */
  readonly code: SinkErrorCode;
  /** A range or tab in the request no longer resolves or fits (renamed, deleted, a grid too small). */
  readonly badRange: boolean;
  /**
   * Whether the request may have been applied: a write that got no answer, or a 5xx. The client
   * never retries (`retry: false`); the sink reads the rows back before it writes again.
   */
  readonly mayHaveApplied: boolean;

  constructor(facts: SheetsRequestFacts, options?: { cause?: unknown }) {
    const { code, badRange } = sinkCodeFor(facts);
    const mayHaveApplied = isWriteKind(facts.kind) && (facts.status === null || facts.status >= 500);
    super(describe(facts, mayHaveApplied), options);
    this.kind = facts.kind;
    this.status = facts.status;
    this.googleStatus = facts.googleStatus;
    this.reason = facts.reason;
    this.detail = facts.detail;
    this.noAnswer = facts.noAnswer;
    this.retryAfterMs = facts.retryAfterMs;
    this.quota = facts.quota;
    this.code = code;
    this.badRange = badRange;
    this.mayHaveApplied = mayHaveApplied;
  }
}

/** The message a person reads (status, log, `auth check`). */
function describe(f: SheetsRequestFacts, mayHaveApplied: boolean): string {
  const checked = mayHaveApplied ? 'the write may have been applied: it is checked before it is retried' : '';
  if (f.status === null && f.noAnswer === 'timeout') return `no response within the request timeout${checked ? ` (${checked})` : ''}`;
  if (f.status === null) return `connection failed (${f.detail}${checked ? `; ${checked}` : ''})`;
  if (f.kind === 'token' && f.status < 500 && f.status !== 429) {
    return `Google refused the credentials (${f.googleStatus ?? f.status}${f.detail !== '' ? `: ${f.detail}` : ''})`;
  }
  return `${f.status} ${f.detail}${checked ? ` (${checked})` : ''}`;
}
