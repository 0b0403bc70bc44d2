import type { SinkErrorCode } from '../../errors/registry.js';
import type { SheetsRequestFacts } from './request-error.js';

/** One row of the table: when it applies, the code, and whether a range in the request went stale. */
interface Rule {
  /** The HTTP statuses it covers; 'none': no answer came back. */
  status: readonly number[] | '5xx' | 'none' | 'any';
  /** Only for these request kinds (default: every kind). */
  kinds?: readonly SheetsRequestFacts['kind'][];
  /** Only when Google's message matches. */
  detail?: RegExp;
  /** Only when the request timed out (with status 'none'). */
  timeout?: boolean;
  code: SinkErrorCode;
  badRange?: boolean;
}

/**
 * How a failed Sheets or token request maps to a SINK code (gateway/errors/registry.ts, whose
 * handling the worker applies: retry, person or quarantine). The first matching row wins. Google
 * gives the same status (400 INVALID_ARGUMENT) for a stale range and for a refused cell, so those
 * rows tell them apart by the message.
 */
export const SHEETS_ERROR_TABLE: readonly Rule[] = [
  // The token endpoint refused the grant (invalid_grant: revoked, wrong key, clock skew;
  // invalid_client): a person must fix the credentials. Its 429 and 5xx are the rows below.
  { status: [400, 401, 403], kinds: ['token'], code: 'AUTH' },
  { status: 'none', timeout: true, code: 'TIMEOUT' },
  { status: 'none', code: 'UNAVAILABLE' },
  { status: [429], code: 'RATE_LIMITED' },
  // The API refused the access token even after a fresh one (api.ts refreshes once).
  { status: [401], code: 'AUTH' },
  // A person protected cells sheetlog writes: not the spreadsheet's sharing.
  { status: [403], detail: /protected cell or object/i, code: 'PROTECTED' },
  { status: [403], code: 'PERMISSION' },
  { status: [404], code: 'NOT_FOUND' },
  { status: [408], code: 'UNAVAILABLE' },
  { status: '5xx', code: 'UNAVAILABLE' },
  // A tab renamed or deleted by someone since the metadata was read: read it again.
  { status: [400], detail: /unable to parse range|no grid with id|sheet.*not found/i, code: 'CONFLICT', badRange: true },
  { status: [400], detail: /above the limit of \d+ cells/i, code: 'FULL', badRange: true },
  { status: [400], detail: /exceeds grid limits|already exists/i, code: 'CONFLICT', badRange: true },
  // Anything else Google refuses (a cell it will not take): the row is quarantined when it was
  // a values write, else retried slowly (gateway/sinks/google-sheets/sheets-sink.ts).
  { status: 'any', code: 'BAD_REQUEST' },
];

/** The SINK code of a failed request: the first row of SHEETS_ERROR_TABLE that matches. */
export function sinkCodeFor(f: SheetsRequestFacts): { code: SinkErrorCode; badRange: boolean } {
  const rule = SHEETS_ERROR_TABLE.find((r) => matches(r, f));
  return { code: rule?.code ?? 'BAD_REQUEST', badRange: rule?.badRange === true };
}

function matches(r: Rule, f: SheetsRequestFacts): boolean {
  if (r.kinds && !r.kinds.includes(f.kind)) return false;
  if (r.detail && !r.detail.test(f.detail)) return false;
  if (r.status === 'none') return f.status === null && (r.timeout !== true || f.noAnswer === 'timeout');
  if (f.status === null) return false;
  if (r.status === 'any') return true;
  if (r.status === '5xx') return f.status >= 500;
  return r.status.includes(f.status);
}
