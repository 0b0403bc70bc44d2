import type { BatchWriter, Outcome } from './batch-writer.js';
import { isDiskFull } from './disk-full.js';
import type { ReadingOutcome, RegisterOutcome, WriteOp } from './ops.js';
import type { TimerHandle, Timers } from '../time/timers.js';

export interface GroupCommitOptions {
  /** How long the first operation of a batch may wait for company. 0: the next event-loop turn. */
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
   * 'full' when `diskFull`: SQLITE_FULL or ENOSPC).
   */
  failed?(error: unknown, ops: number, diskFull: boolean): void;
}

/**
 * Group commit: operations from every connection gather for at most `delayMs` (or until `maxOps`)
 * and are committed in one transaction, after which each operation's `done` callback runs. The
 * callbacks therefore never run before the commit: that is what makes an ACK mean "durable".
 */
export class GroupCommitter {
  private queue: WriteOp[] = [];
  private timer: TimerHandle | null = null;
  private closed = false;
  private immediate: NodeJS.Immediate | null = null;

  constructor(
    private readonly writer: BatchWriter,
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
      this.flush();
      return;
    }
    this.arm();
  }

  /** Operations waiting for the next commit. */
  get pending(): number {
    return this.queue.length;
  }

  /** Commits everything queued now (used on shutdown and when a batch is full). */
  flush(): void {
    this.disarm();
    while (this.queue.length > 0) {
      const batch = this.queue.length > this.options.maxOps ? this.queue.splice(0, this.options.maxOps) : this.queue;
      if (batch === this.queue) this.queue = [];
      this.commit(batch);
    }
  }

  /** Commits what is queued; later operations fail at once (the database is closing). */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private commit(batch: WriteOp[]): void {
    const started = performance.now();
    let outcomes: Outcome[];
    try {
      outcomes = this.writer.apply(batch, this.timers.now());
    } catch (error) {
      const full = isDiskFull(error);
      this.events.failed?.(error, batch.length, full);
      for (const op of batch) settle(op, full ? 'full' : 'failed');
      return;
    }
    const durationMs = performance.now() - started;
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
    if (this.timer !== null || this.immediate !== null) return;
    if (this.options.delayMs <= 0) {
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.flush();
      });
    } else {
      this.timer = this.timers.after(this.options.delayMs, () => {
        this.timer = null;
        this.flush();
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
  if (op.kind === 'reading') op.done(outcome === 'stored' || outcome === 'duplicate' || outcome === 'full' ? outcome : ('failed' satisfies ReadingOutcome));
  else if (op.kind === 'register') op.done(isRegisterOutcome(outcome) ? outcome : 'failed');
}

function isRegisterOutcome(o: Outcome): o is RegisterOutcome {
  return o === 'registered' || o === 'accepted' || o === 'conflict' || o === 'revoked';
}
