import type { LimitName } from './session/limits.js';

/**
 * Gateway-wide ingest counters (for logs, the API and metrics). One instance per gateway, created
 * by the composition root and passed to the transports.
 */
export class IngestCounters {
  connectionsOpen = 0;
  connectionsTotal = 0;
  readingsAccepted = 0;
  readingsStored = 0;
  readingsDuplicate = 0;
  busyReplies = 0;
  readonly naks = new Map<string, number>();
  readonly errors = new Map<string, number>();
  /** Limit hits by name (LINE_TOO_LONG, SLOW_READER, BACKPRESSURE, ...). */
  readonly limits = new Map<LimitName, number>();

  countNak(code: string): void {
    this.naks.set(code, (this.naks.get(code) ?? 0) + 1);
  }

  countErr(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  countLimit(name: LimitName): void {
    this.limits.set(name, (this.limits.get(name) ?? 0) + 1);
  }
}
