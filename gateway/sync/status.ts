import type { SinkErrorCode } from '../sinks/contract.js';

/**
 * One sink's sync state, for the dashboard, the API and logs (`App.syncStatus()`). Field names
 * follow what the API shows (gateway/api); times are epoch ms from the injected clock.
 */
export interface SinkStatus {
  /** The sink's name, also its cursor name in the store. */
  name: string;
  /** `google-sheets` or `csv`. */
  kind: string;
  /**
   * idle: caught up (or lingering between batches); pushing: a write is out; backoff: waiting to
   * retry after a transient failure (429, 5xx, timeout); failed: waiting on something a person
   * must fix (credentials, sharing, a full spreadsheet); stopped.
   */
  state: 'idle' | 'pushing' | 'backoff' | 'stalled' | 'failed' | 'stopped';
  /** Where rows go ("data/csv", "spreadsheet <id>"); never a credential. */
  target: string | null;
  /** Id of the last reading the sink confirmed. */
  cursor: number;
  /** Readings stored but not yet confirmed by this sink. */
  pendingRows: number;
  /** `received` time of the oldest unconfirmed reading, null when none. */
  oldestPendingAt: number | null;
  /** When the last write was confirmed. */
  lastPushAt: number | null;
  /** The latest failure; kept after recovery (see `failing`). */
  lastError: { at: number; code: SinkErrorCode; message: string } | null;
  /** Whether the latest attempt failed. */
  failing: boolean;
  /** Readings confirmed since the gateway started. */
  rowsWritten: number;
  /** Write attempts (batches) since start, and how many of them failed. */
  requests: number;
  errors: number;
  /** 429 answers. */
  throttled: number;
  /** Readings this sink moved to the quarantine since the gateway started (each logged). */
  rejectedRows: number;
  /** Readings held in this sink's quarantine now (survives restarts; `sheetlog quarantine`). */
  quarantinedRows: number;
  /** The same, per device (devices with none are left out). */
  quarantinedByDevice: Record<string, number>;
  /** Requests used in the limiter's window (writes; reads beside), null for sinks without quota. */
  quota: { used: number; limit: number; windowMs: number; readsUsed: number; readsLimit: number } | null;
  /** While backing off or failed: when the next attempt is due. */
  backoffUntil: number | null;
}

