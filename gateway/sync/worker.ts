import type { Logger } from '../log.js';
import type { StoredReading } from '../store/readings.js';
import type { TimerHandle, Timers } from '../time/timers.js';
import { backoffDelay } from './backoff.js';
import { handlingOf, type Sink, type SinkErrorCode, type WriteOutcome } from '../sinks/contract.js';
import type { SinkStatus } from './status.js';

/** What the worker needs from the store (the Store class satisfies it). */
export interface SyncStore {
  readonly readings: {
    after(afterId: number, limit: number): StoredReading[];
    within(afterId: number, limit: number, maxBytes: number, overheadBytes: number): { rows: StoredReading[]; cut: boolean };
  };
  readonly cursors: { get(sink: string): number };
  advanceCursor(sink: string, lastId: number): void;
  /** Moves a reading the sink cannot write to the quarantine and the cursor past it, at once. */
  quarantineRow(sink: string, row: StoredReading, code: SinkErrorCode, reason: string): void;
  readonly quarantine: {
    /** Ids in a range the sink must pass over (it already holds them: a retried reading). */
    skipped(sink: string, fromId: number, toId: number): Set<number>;
    counts(sink: string): { rows: number; byDevice: Record<string, number> };
  };
  readonly highestId: number;
}

export interface WorkerSettings {
  /** Most readings in one batch (the batch halves on rejection and grows back on success). */
  maxBatchRows: number;
  /** Rough upper bound of a batch's size; the sink may still deliver only a prefix. */
  maxBatchBytes: number;
  /** After a batch that was not full, wait this long before the next one (lets rows gather). */
  lingerMs: number;
  /** With nothing to send, look again after this long (or when notified of a commit). */
  idlePollMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface WorkerDeps {
  store: SyncStore;
  timers: Timers;
  log: Logger;
  /** Jitter source, injectable for tests. */
  random?: () => number;
}

/** Per-reading overhead added to the fields' JSON length when estimating a batch's size. */
const ROW_OVERHEAD_BYTES = 96;

/**
 * Moves readings from SQLite to one sink, in id order, exactly as the sink confirms them:
 *
 *   cursor ─▶ read batch (adaptive size) ─▶ sink.write ─▶ delivered ─▶ advance cursor
 *                                               │
 *                        retry-later ◀──────────┤  (jittered exponential backoff, hint as floor)
 *                        rejected ◀─────────────┘  (narrow to the bad reading, quarantine it, go on)
 *
 * What each failure code means (retry, wait for a person, quarantine) is decided in one table,
 * gateway/sinks/outcomes.ts.
 *
 * Batching adapts by itself: a batch takes everything pending up to the limits, so when idle
 * each reading goes out within about lingerMs + one request, and when behind (or while the rate
 * limiter holds a request back) batches grow toward maxBatchRows / maxBatchBytes. A sink with a
 * rate limit says when it can send next (readyInMs); a batch that is not full is taken only then.
 */
export class SyncWorker {
  private loop: Promise<void> | null = null;
  private stopping = false;
  /** Set when stop() gave up waiting: a late result must not touch the (closed) store. */
  private detached = false;
  private sleeper: { handle: TimerHandle; wake: () => void } | null = null;
  /** Whether the current wait is an idle poll (a commit notification may cut it short). */
  private idleWait = false;
  private lastCursor = 0;
  private lastHeld: { rows: number; byDevice: Record<string, number> } = { rows: 0, byDevice: {} };
  private attempt = 0;
  private batchLimit: number;
  /** The most rows a batch may hold: sync.maxBatchRows, or the sink's own lower limit. */
  private readonly maxRows: number;
  private lastLoggedCode: string | null = null;
  private readonly random: () => number;
  private readonly st: Omit<
    SinkStatus,
    'name' | 'kind' | 'target' | 'cursor' | 'pendingRows' | 'oldestPendingAt' | 'quota' | 'quarantinedRows' | 'quarantinedByDevice'
  > = {
    state: 'idle',
    lastPushAt: null,
    lastError: null,
    failing: false,
    rowsWritten: 0,
    requests: 0,
    errors: 0,
    throttled: 0,
    rejectedRows: 0,
    backoffUntil: null,
  };

  constructor(
    readonly sink: Sink,
    private readonly settings: WorkerSettings,
    private readonly deps: WorkerDeps,
  ) {
    if (settings.maxBatchRows < 1 || settings.maxBatchBytes < 1) throw new RangeError('batch limits must be positive');
    if (sink.maxBatchRows !== undefined && !(sink.maxBatchRows >= 1)) throw new RangeError(`sink ${sink.name}: maxBatchRows must be positive`);
    this.maxRows = Math.min(settings.maxBatchRows, sink.maxBatchRows ?? Number.POSITIVE_INFINITY);
    this.batchLimit = this.maxRows;
    this.random = deps.random ?? Math.random;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** New readings were committed: an idle worker looks at once instead of at its next poll. */
  notify(): void {
    if (this.idleWait) this.wake();
  }

  /**
   * Stops after the write in flight, if any, settles (at most timeoutMs). Rows of an unconfirmed
   * write stay above the cursor and are offered again after a restart.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.wake();
    if (!this.loop) return;
    let timer: TimerHandle | null = null;
    const gaveUp = new Promise<'timeout'>((resolve) => (timer = this.deps.timers.after(timeoutMs, () => resolve('timeout'))));
    const result = await Promise.race([this.loop.then(() => 'done' as const), gaveUp]);
    (timer as TimerHandle | null)?.cancel();
    if (result === 'timeout') {
      this.detached = true;
      this.deps.log.warn({ sink: this.sink.name }, 'sync stopped with a write still in flight; it is checked again at the next start');
    }
    this.st.state = 'stopped';
  }

  /** Reads the store unless stopped (the store may be closed by then). */
  status(): SinkStatus {
    const live = this.st.state !== 'stopped' && !this.detached;
    const cursor = live ? this.deps.store.cursors.get(this.sink.name) : this.lastCursor;
    const oldest = live ? this.deps.store.readings.after(cursor, 1)[0] : undefined;
    const q = this.sink.quota?.();
    const held = live ? this.deps.store.quarantine.counts(this.sink.name) : this.lastHeld;
    this.lastHeld = held;
    return {
      name: this.sink.name,
      kind: this.sink.name,
      target: this.sink.describe(),
      cursor,
      pendingRows: live ? Math.max(0, this.deps.store.highestId - cursor) : 0,
      oldestPendingAt: oldest ? oldest.received : null,
      quarantinedRows: held.rows,
      quarantinedByDevice: held.byDevice,
      quota: q ? { used: q.writesUsed, limit: q.writesLimit, windowMs: q.windowMs, readsUsed: q.readsUsed, readsLimit: q.readsLimit } : null,
      ...this.st,
      lastError: this.st.lastError && { ...this.st.lastError },
    };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let waitMs: number;
      try {
        waitMs = await this.step();
      } catch (e) {
        // A bug (the store or the sink threw): log it and try again later rather than die.
        if (this.stopping) break;
        this.deps.log.error({ sink: this.sink.name, err: String(e) }, 'sync step failed');
        waitMs = this.retryDelay('INTERNAL', String(e));
      }
      if (waitMs > 0 && !this.stopping) await this.sleep(waitMs);
      this.idleWait = false;
    }
  }

  /** One batch; returns how long to wait before the next. */
  private async step(): Promise<number> {
    const cursor = this.deps.store.cursors.get(this.sink.name);
    this.lastCursor = cursor;
    const { rows, cut, passOver } = this.readBatch(cursor);
    if (passOver !== null) {
      // Readings this sink already holds under an older id (another sink's quarantine retry).
      this.deps.store.advanceCursor(this.sink.name, passOver);
      this.lastCursor = passOver;
      return 0;
    }
    if (rows.length === 0) {
      this.st.state = 'idle';
      this.idleWait = true;
      return this.settings.idlePollMs;
    }
    // A rate-limited sink that cannot send yet: a batch with room left is taken again when it
    // can, with everything that came by then. (A full one goes now and waits in the sink, so
    // that preparing it overlaps the wait.)
    const pacing = cut ? 0 : (this.sink.readyInMs?.() ?? 0);
    if (pacing > 0) return pacing;
    this.st.state = 'pushing';
    this.st.requests++;
    const outcome = await this.write(rows);
    if (this.detached) return 0;
    switch (outcome.kind) {
      case 'delivered':
        return this.delivered(rows, outcome.throughId, cut);
      case 'retry-later':
        if (outcome.code === 'RATE_LIMITED') this.st.throttled++;
        return this.retryDelay(outcome.code, outcome.reason, outcome.delayMs);
      case 'rejected':
        return this.rejected(rows, outcome);
    }
  }

  private async write(rows: StoredReading[]): Promise<WriteOutcome> {
    const pending = Math.max(0, this.deps.store.highestId - (rows[rows.length - 1] as StoredReading).id);
    try {
      return await this.sink.write({ rows, pending });
    } catch (e) {
      return { kind: 'retry-later', code: 'INTERNAL', reason: `sink threw: ${String(e)}` };
    }
  }

  /**
   * The next batch; `cut` says it was limited (more may be waiting). `passOver`: the batch starts
   * with readings the sink must not get; the cursor moves through them instead.
   */
  private readBatch(cursor: number): { rows: StoredReading[]; cut: boolean; passOver: number | null } {
    let { rows, cut } = this.deps.store.readings.within(cursor, this.batchLimit, this.settings.maxBatchBytes, ROW_OVERHEAD_BYTES);
    const first = rows[0];
    if (first === undefined) return { rows, cut, passOver: null };
    const skipped = this.deps.store.quarantine.skipped(this.sink.name, first.id, (rows[rows.length - 1] as StoredReading).id);
    if (skipped.size > 0) {
      const at = rows.findIndex((r) => skipped.has(r.id));
      if (at === 0) {
        const through = rows.findIndex((r) => !skipped.has(r.id));
        return { rows: [], cut: false, passOver: (rows[through === -1 ? rows.length - 1 : through - 1] as StoredReading).id };
      }
      rows = rows.slice(0, at);
      cut = true;
    }
    return { rows, cut, passOver: null };
  }

  private delivered(rows: StoredReading[], throughId: number, cut: boolean): number {
    const first = (rows[0] as StoredReading).id;
    const last = (rows[rows.length - 1] as StoredReading).id;
    if (!(throughId >= first && throughId <= last)) {
      return this.retryDelay('INTERNAL', `sink confirmed id ${throughId}, outside the batch ${first}..${last}`);
    }
    this.deps.store.advanceCursor(this.sink.name, throughId);
    this.lastCursor = throughId;
    this.st.state = 'idle';
    const count = rows.filter((r) => r.id <= throughId).length;
    this.st.rowsWritten += count;
    this.st.lastPushAt = this.deps.timers.now();
    this.st.backoffUntil = null;
    if (this.st.failing) this.deps.log.info({ sink: this.sink.name, after: this.attempt }, 'sync resumed');
    this.st.failing = false;
    this.lastLoggedCode = null;
    this.attempt = 0;
    this.batchLimit = Math.min(this.maxRows, this.batchLimit * 2);
    // More is waiting (a partial write or a full batch): go on at once; otherwise let rows gather.
    return cut || throughId < last ? 0 : this.settings.lingerMs;
  }

  private rejected(rows: StoredReading[], outcome: { code: SinkErrorCode; reason: string; rowId?: number }): number {
    if (handlingOf(outcome.code) !== 'quarantine') {
      // A sink bug: only a per-row data problem may cost a row. Retry rather than lose it.
      return this.retryDelay(outcome.code, `rejected with a code that is not a row problem: ${outcome.reason}`);
    }
    const named = outcome.rowId === undefined ? -1 : rows.findIndex((r) => r.id === outcome.rowId);
    if (named > 0) {
      // The rows before the named one go first (the sink should have written them as a prefix).
      this.batchLimit = named;
      return 0;
    }
    if (named === -1 && rows.length > 1) {
      this.batchLimit = Math.max(1, Math.floor(rows.length / 2));
      this.deps.log.warn({ sink: this.sink.name, rows: rows.length, code: outcome.code, reason: outcome.reason }, 'batch rejected; narrowing it down');
      return 0;
    }
    const row = rows[0] as StoredReading;
    this.deps.store.quarantineRow(this.sink.name, row, outcome.code, outcome.reason);
    this.deps.log.error(
      { sink: this.sink.name, id: row.id, device: row.device, boot: row.boot, seq: row.seq, code: outcome.code, reason: outcome.reason },
      'reading cannot be written by this sink; quarantined (see `sheetlog quarantine list`)',
    );
    this.lastCursor = row.id;
    this.st.rejectedRows++;
    this.batchLimit = this.maxRows;
    return 0;
  }

  private retryDelay(code: SinkErrorCode, reason: string, hintMs?: number): number {
    this.attempt++;
    this.st.errors++;
    this.st.failing = true;
    const now = this.deps.timers.now();
    this.st.lastError = { at: now, code, message: reason };
    const delay = backoffDelay(this.attempt, { baseMs: this.settings.backoffBaseMs, maxMs: this.settings.backoffMaxMs }, this.random, hintMs);
    this.st.backoffUntil = now + delay;
    this.st.state = handlingOf(code) === 'person' ? 'failed' : 'backoff';
    // One clear line per kind of trouble; repeats of the same failure go to debug.
    const level = this.lastLoggedCode === code ? 'debug' : code === 'RATE_LIMITED' || code === 'UNAVAILABLE' || code === 'TIMEOUT' ? 'warn' : 'error';
    this.lastLoggedCode = code;
    this.deps.log[level]({ sink: this.sink.name, code, attempt: this.attempt, retryInMs: delay }, `sync to ${this.sink.name} failed: ${reason}`);
    return delay;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        if (this.sleeper?.wake !== wake) return;
        this.sleeper.handle.cancel();
        this.sleeper = null;
        resolve();
      };
      this.sleeper = { handle: this.deps.timers.after(ms, wake), wake };
    });
  }

  private wake(): void {
    this.sleeper?.wake();
  }
}
