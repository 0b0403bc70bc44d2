import type { SinkErrorCode } from '../errors/registry.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/database.js';
import type { SinkStateStore } from '../store/sink-state/port.js';
import type { StoredReading } from '../store/readings.js';
import type { Timers } from '../time/timers.js';

/**
 * A destination for stored readings. The sync worker owns ordering, batching, backoff and the
 * cursor; a sink only writes what it is handed and says, as a value, what happened.
 *
 * Exactly-once is shared work: the worker advances the sink's cursor only after `delivered`, so
 * a sink may be handed rows it already holds (the process died between the sink's write and the
 * cursor update, or a confirmation was lost). Every sink must recognise those rows and not write
 * them twice; how is its own business (the CSV sink records the id that ends its files, the
 * Sheets sink owns explicit row ranges; see docs/SHEETS.md).
 */
export interface Sink {
  /** Unique among the configured sinks; also the name of its cursor in SQLite. */
  readonly name: string;
  /** Local preparation only (files, bookkeeping). Never waits for a network peer. */
  start(): Promise<void>;
  /** Is the destination reachable and writable right now? Used by `auth check` and the API. */
  health(): Promise<SinkHealth>;
  /** Writes a batch. Expected failures are outcomes; a throw is a bug (the worker retries later). */
  write(batch: SinkBatch): Promise<WriteOutcome>;
  /** Releases files and clients; idempotent. */
  close(): Promise<void>;
  /** Where the rows go, for status displays ("data/csv", "spreadsheet 1AbC…"). */
  describe(): string;
  /** Request quota use, for sinks with a client-side rate limit. */
  quota?(): QuotaUsage;
  /**
   * Milliseconds until the sink could send a write without waiting for its rate limit (0: now).
   * The worker waits this long before it takes a batch, so that the batch holds every reading
   * that arrived meanwhile instead of leaving them for the write after.
   */
  readyInMs?(): number;
  /**
   * The most readings this sink takes in one batch, when fewer than `sync.maxBatchRows` (absent:
   * that limit). For a sink without a request quota large batches save little, and the sync
   * thread holds a whole batch in memory while the sink writes it: the CSV sink takes 2,000
   * (config `csv.maxBatchRows`), which the garbage collector can drop young (docs/OPERATIONS.md,
   * "The sinks' cadence").
   */
  readonly maxBatchRows?: number;
}

export interface SinkBatch {
  /** Readings above the sink's cursor, ascending id, at least one. */
  readonly rows: readonly StoredReading[];
  /**
   * Readings known to be stored after the batch's last one and waiting for this sink (the
   * store's highest id minus that last id: an estimate, ids may have gaps); 0 or absent when
   * none are known. A sink may prepare for them (the Sheets sink grows a grid once for a whole
   * backlog); it is never a promise that they will come in the next batch.
   */
  readonly pending?: number;
}

/**
 * - delivered: every row with id <= throughId is durably in the destination (throughId may be
 *   less than the batch's last id: a partial write; the worker continues with the rest).
 * - retry-later: nothing is lost, try the same rows again later; `delayMs` is the destination's
 *   own hint (Retry-After), honoured as a minimum.
 * - rejected: these rows can never be written as they are (the code's handling is `quarantine`
 *   in gateway/sinks/outcomes.ts). `rowId` names the offending reading when the sink knows it
 *   (it must then be the batch's first row: a sink writes the rows before it first, as a partial
 *   delivery); otherwise the worker halves the batch until the reading is alone. Either way the
 *   reading goes to the quarantine with the reason and the sink goes on with the rows after it.
 */
export type WriteOutcome =
  | { kind: 'delivered'; throughId: number }
  | { kind: 'retry-later'; code: SinkErrorCode; reason: string; delayMs?: number }
  | { kind: 'rejected'; code: SinkErrorCode; reason: string; rowId?: number };

export type SinkHealth = { ok: true; detail: string } | { ok: false; code: SinkErrorCode; reason: string };

/** Stable codes of sink failures, from the error registry; what each means for the rows: gateway/sinks/outcomes.ts. */
export type { SinkErrorCode };

export interface QuotaUsage {
  windowMs: number;
  writesUsed: number;
  writesLimit: number;
  readsUsed: number;
  readsLimit: number;
}

/** What a composition root gives the sinks it builds. */
export interface SinkDeps {
  /**
   * The store's state port: a sink with state of its own in SQLite registers its tables and
   * migrations and gets a handle on those tables only (gateway/store/sink-state/). Sinks never
   * get the raw database.
   */
  state: SinkStateStore;
  /** Names the SQLite store the rows come from (gateway/sync/instance.ts). */
  storeInstance: string;
  timers: Timers;
  log: Logger;
  random?: () => number;
}

/**
 * Builds the configured sinks. The sync side receives one (from app.ts, or from the sync
 * thread's entry, gateway/sync-thread.ts) and never imports a sink itself.
 */
export type SinkFactory = (deps: SinkDeps) => Sink[];

// The outcome table is part of the contract: the sync side reads it through this module only.
export { handlingOf, SINK_ERRORS, type Handling } from './outcomes.js';

/**
 * Work that runs beside the sink workers on the same connection and clock (summaries, bills:
 * gateway/summaries/, gateway/billing/; built by gateway/sinks/jobs.ts). Started after the sinks,
 * stopped before they close. The jobs meet this by shape: summaries/ and billing/ never import
 * the sinks.
 */
export interface SyncJob {
  readonly name: string;
  start(): void;
  /** New readings were committed (cheap; the job decides when to look). */
  notify(): void;
  /** Finishes the step in flight (bounded by timeoutMs) and stops; idempotent. */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * What the jobs get: the sinks' deps and the database itself, since summaries and bills are
 * computed from the readings with SQL and kept in the store's own tables (store/schema.ts).
 */
export interface JobDeps extends SinkDeps {
  db: Db;
}

/** Builds the jobs for a composition root, like SinkFactory builds the sinks. */
export type JobFactory = (deps: JobDeps) => SyncJob[];
