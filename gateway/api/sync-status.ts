/**
 * What the API and the dashboard show about each sink. The sync worker (gateway/sync) reports the
 * parts only it knows; `pendingRows` and `oldestPendingAt` may be left out and are then computed from
 * the store's cursor of that sink.
 */
export type SinkState = 'idle' | 'pushing' | 'backoff' | 'stalled' | 'failed' | 'stopped';

export interface SinkStatus {
  /** The sink's name (its cursor name in the store). */
  name: string;
  /** `google-sheets`, `csv`, ... */
  kind: string;
  state: SinkState;
  /** Where rows go: a spreadsheet id and tab, a CSV directory. Never a credential. */
  target: string | null;
  /** The store id of the last row the sink confirmed. */
  cursor: number;
  pendingRows?: number;
  /** `received` time of the oldest row not yet delivered (epoch ms), null when none is pending. */
  oldestPendingAt?: number | null;
  /** When the last batch was written successfully (epoch ms). */
  lastPushAt: number | null;
  lastError: { at: number; code: string; message: string } | null;
  rowsWritten: number;
  requests: number;
  errors: number;
  /** Replies 429 (quota exceeded) received. */
  throttled: number;
  /** Readings held in this sink's quarantine (rows it cannot write; `sheetlog quarantine`). 0 when left out. */
  quarantinedRows?: number;
  /** The same per device; devices with none are left out. */
  quarantinedByDevice?: Record<string, number>;
  /** Write requests used in the current quota window, when the sink has a quota. */
  quota: { used: number; limit: number; windowMs: number } | null;
  /** While backing off: when the next attempt is due (epoch ms). */
  backoffUntil: number | null;
  /**
   * What will stop this sink soon unless a person acts (an expiring Google refresh token, ...), as
   * text; empty when nothing. The API adds what the gateway watches beside the worker.
   */
  warnings?: string[];
}

/** Implemented by the sync side; the API asks it on every request and dashboard tick. */
export interface SyncStatusSource {
  sinks(): SinkStatus[];
}

/** Until a sync worker runs: no sinks. */
export const noSyncStatus: SyncStatusSource = { sinks: () => [] };
