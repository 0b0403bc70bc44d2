import type { SinkErrorCode } from './contract.js';

/**
 * What each sink failure means for the rows, in one place: the sync worker acts on it, the status
 * view shows it, docs/SHEETS.md ("Sink errors and quarantine") lists it.
 *
 * - retry: the destination is down or busy; the same rows are tried again after a jittered
 *   exponential backoff (state `backoff`). Nothing is lost.
 * - person: the destination refuses everything until a person fixes something (credentials,
 *   sharing, a full spreadsheet, a tab in the way, a local disk): retried slowly, state `failed`.
 * - quarantine: this row can never be written as it is. A sink reports it as `rejected`; the
 *   worker narrows a batch down to the row, moves it to the quarantine with the reason and goes
 *   on with the rows after it. Reported as `retry-later` (a structural request refused), the code
 *   is retried like `retry`.
 */
export type Handling = 'retry' | 'person' | 'quarantine';

export const SINK_ERRORS: Readonly<Record<SinkErrorCode, { handling: Handling; meaning: string }>> = {
  RATE_LIMITED: { handling: 'retry', meaning: '429 from the destination (quota)' },
  UNAVAILABLE: { handling: 'retry', meaning: '5xx, connection refused or reset, response lost' },
  TIMEOUT: { handling: 'retry', meaning: 'no response within the request timeout' },
  INTERNAL: { handling: 'retry', meaning: 'a bug: the sink threw; retried, the log has the details' },
  AUTH: { handling: 'person', meaning: 'credentials missing, unreadable, revoked or refused' },
  PERMISSION: { handling: 'person', meaning: 'authenticated, but not allowed to write the spreadsheet' },
  NOT_FOUND: { handling: 'person', meaning: 'the spreadsheet does not exist' },
  FULL: { handling: 'person', meaning: 'the cell limit is reached and nowhere is left to roll over to' },
  CONFLICT: { handling: 'person', meaning: 'a tab the gateway must use holds something else' },
  IO: { handling: 'person', meaning: 'local file system error (disk full, permissions)' },
  BAD_ROW: { handling: 'quarantine', meaning: 'the stored row cannot be represented (a time outside years 1-9999, fields that are not a JSON object)' },
  BAD_REQUEST: { handling: 'quarantine', meaning: 'the destination refused the content of a values write (400)' },
};

export function handlingOf(code: SinkErrorCode): Handling {
  return SINK_ERRORS[code].handling;
}
