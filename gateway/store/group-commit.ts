import type { Outcome } from './batch-writer.js';
import type { BatchResult, CommitBackend } from './commit-backend.js';
import { isDiskFull } from './disk-full.js';
import type { ReadingOutcome, RegisterOutcome, WriteOp } from './ops.js';
import type { TimerHandle, Timers } from '../time/timers.js';

export interface GroupCommitOptions {
  /**
   * How long the first operation of a batch may wait for company. 0: the next event-loop turn.
   * Adapts to the rate: after a window that gathered a single operation, the next window is
   * zero-length (see `sparse`).
   */
  delayMs: number;
  /** A batch this large is committed at once. */
  maxOps: number;
}

export interface CommitReport {
  ops: number;
  stored: number;
  duplicates: number;
  durationMs: number;
}

export interface GroupCommitEvents {
  committed?(report: CommitReport): void;
  /**
   * The transaction failed and was rolled back; every waiting operation was told 'failed' (readings
   * and registrations 'full' when `diskFull`: SQLITE_FULL or ENOSPC).
   */
  failed?(error: unknown, ops: number, diskFull: boolean): void;
}

/**
 * Group commit: operations from every connection gather for at most `delayMs` (or until `maxOps`)
 * and are committed in one transaction, after which each operation's `done` callback runs. The
 * callbacks therefore never run before the commit: that is what makes an ACK mean "durable".
 *
 * With the writer thread (a backend that answers later) at most one batch is in flight: while it
 * commits, the next one gathers, and it is sent the moment the previous one is answered. So the
 * batch size follows the rate by itself: at a low rate a commit carries what `delayMs` gathered, at
 * a high one it carries everything that arrived during the previous commit (up to `maxOps`), and
 * fewer, larger commits write fewer pages per reading. Batches complete in order.
 *
 * The gathering window adapts to the rate: when a window ended with a single operation in it,
 * nobody arrives within `delayMs` at this rate and waiting only adds latency, so the next operation
 * gets a zero-length window (committed as soon as the timer fires, about 1 ms, with whatever
 * arrived until then). As soon as such a
 * commit carries more than one operation the rate is up again and windows are `delayMs` long.
 */
export class GroupCommitter {
  private queue: WriteOp[] = [];
  private timer: TimerHandle | null = null;
  private closed = false;
  /** The gathering window ended while a batch was in flight: send as soon as it is answered. */
  private due = false;
  private immediate: NodeJS.Immediate | null = null;
  /** The last window gathered a single operation: the next one does not wait for company. */
  private sparse = false;

  constructor(
    private readonly backend: CommitBackend,
    private readonly timers: Timers,
    private readonly options: GroupCommitOptions,
    private readonly events: GroupCommitEvents = {},
  ) {}

  enqueue(op: WriteOp): void {
    if (this.closed) {
      settle(op, 'failed');
      return;
    }
    this.queue.push(op);
    if (this.queue.length >= this.options.maxOps) {
      this.dispatch();
      return;
    }
    this.arm();
  }

  /** Operations waiting for the next commit (not counting a batch being committed). */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Commits everything queued and waits until it is committed (shutdown, tests): every `done`
   * of an operation enqueued before this call has run when it returns.
   */
  flush(): void {
    this.disarm();
    for (;;) {
      this.backend.drain();
      if (this.queue.length === 0) return;
      this.send(false);
    }
  }

  /** Commits what is queued; later operations fail at once (the database is closing). */
  close(): void {
    this.flush();
    this.closed = true;
  }

  /** The gathering window ended or a batch is full: send now, or as soon as the writer is free. */
  private dispatch(): void {
    this.disarm();
    if (this.backend.busy) {
      this.due = true; // completed() sends what gathered meanwhile
      return;
    }
    this.send(true);
  }

  /** `adapt`: the batch ends a gathering window (not a flush), so its size tells the rate. */
  private send(adapt = true): void {
    this.due = false;
    const batch = this.queue.length > this.options.maxOps ? this.queue.splice(0, this.options.maxOps) : this.queue;
    if (batch === this.queue) this.queue = [];
    const leftover = this.queue.length;
    if (adapt) this.sparse = batch.length === 1;
    this.backend.submit(batch, this.timers.now(), (result) => this.completed(batch, result));
    // More than one batch was queued: an in-process backend has committed already, so go on at
    // once; the writer thread takes the rest when it answers. Only for what was queued before this
    // commit: operations its callbacks enqueued (the next registrations of a burst of new boards,
    // each let in as one finishes) wait for a window of their own. Chained at once, a burst of
    // thousands of registrations became hundreds of commits in one event-loop turn (365 ms
    // measured), holding every other board's ACK.
    if (leftover > 0) {
      if (this.backend.busy) this.due = true;
      else this.send();
    }
  }

  private completed(batch: WriteOp[], result: BatchResult): void {
    this.settleBatch(batch, result);
    // The writer is free again: what gathered during that commit, past its window, goes now.
    if (this.due && !this.backend.busy) {
      if (this.queue.length > 0) this.send();
      else this.due = false;
    }
  }

  private settleBatch(batch: WriteOp[], result: BatchResult): void {
    if ('error' in result) {
      const full = isDiskFull(result.error);
      this.events.failed?.(result.error, batch.length, full);
      for (const op of batch) settle(op, full ? 'full' : 'failed');
      return;
    }
    const { outcomes, durationMs } = result;
    let stored = 0;
    let duplicates = 0;
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i];
      if (outcome === 'stored') stored++;
      else if (outcome === 'duplicate') duplicates++;
      settle(batch[i] as WriteOp, outcome ?? null);
    }
    this.events.committed?.({ ops: batch.length, stored, duplicates, durationMs });
  }

  private arm(): void {
    if (this.timer !== null || this.immediate !== null || this.due) return;
    if (this.options.delayMs <= 0) {
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.dispatch();
      });
    } else {
      // A sparse rate: a zero-length window, through the injected timers (a timer's minimum, about
      // 1 ms, in production) so that tests driving time by hand still decide when it ends.
      this.timer = this.timers.after(this.sparse ? 0 : this.options.delayMs, () => {
        this.timer = null;
        this.dispatch();
      });
    }
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
  }
}

function settle(op: WriteOp, outcome: Outcome): void {
  if (op.kind === 'reading') op.done(outcome === 'stored' || outcome === 'duplicate' || outcome === 'full' || outcome === 'gaps' ? outcome : ('failed' satisfies ReadingOutcome));
  else if (op.kind === 'register') op.done(isRegisterOutcome(outcome) ? outcome : 'failed');
}

function isRegisterOutcome(o: Outcome): o is RegisterOutcome {
  return o === 'registered' || o === 'accepted' || o === 'conflict' || o === 'revoked' || o === 'full';
}
