import type { SinkStatus } from './status.js';

/**
 * What the composition root needs from the sync side, wherever it runs: on the main event loop
 * (SyncService) or in its own thread (SyncThreadHost, gateway/sync/thread/host.ts).
 */
export interface SyncRunner {
  /** The configured sinks' names, which are also their cursor names in the store. */
  readonly names: readonly string[];
  /** Prepares the sinks and starts syncing; rejects if a sink cannot start. */
  start(): Promise<void>;
  /** Called after each commit that stored readings; must be cheap (it runs on the ingest path). */
  notify(): void;
  /** Lets in-flight writes settle (bounded by timeoutMs), then closes the sinks. Idempotent. */
  stop(timeoutMs: number): Promise<void>;
  /** Per-sink sync state; never blocks on the sync side. */
  status(): SinkStatus[];
}
