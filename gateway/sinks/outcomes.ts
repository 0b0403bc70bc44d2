import { SINK, type SinkErrorCode } from '../errors/registry.js';

/**
 * What each sink failure means for the rows, read from the one error registry
 * (gateway/errors/registry.ts, docs/ERRORS.md): the sync worker acts on it, the status view shows it.
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

export const SINK_ERRORS: Readonly<Record<SinkErrorCode, { handling: Handling; meaning: string }>> = Object.fromEntries(
  Object.entries(SINK).map(([code, info]) => [code, { handling: info.then, meaning: info.meaning }]),
) as Record<SinkErrorCode, { handling: Handling; meaning: string }>;

export function handlingOf(code: SinkErrorCode): Handling {
  return SINK[code].then;
}
