import type { BatchWriter, Outcome } from './batch-writer.js';
import type { WriteOp } from './ops.js';

export type BatchResult = { outcomes: Outcome[]; durationMs: number } | { error: unknown };

/**
 * Where the group committer's batches are committed: on this thread (InProcessWriter) or in the
 * writer thread (writer-thread/client.ts). `done` runs only after the batch's transaction
 * committed (or failed and rolled back); batches complete in the order they were submitted.
 */
export interface CommitBackend {
  submit(ops: readonly WriteOp[], now: number, done: (result: BatchResult) => void): void;
  /** Whether a submitted batch has not completed yet. */
  readonly busy: boolean;
  /** Blocks until every submitted batch completed (its `done` ran). */
  drain(): void;
  /** The largest reading id committed so far. */
  readonly highestId: number;
  close(): void;
}

/** The transaction on the calling thread: `done` runs before `submit` returns. */
export class InProcessWriter implements CommitBackend {
  readonly busy = false;

  constructor(private readonly writer: BatchWriter) {}

  submit(ops: readonly WriteOp[], now: number, done: (result: BatchResult) => void): void {
    const started = performance.now();
    let outcomes: Outcome[];
    try {
      outcomes = this.writer.apply(ops, now);
    } catch (error) {
      done({ error });
      return;
    }
    done({ outcomes, durationMs: performance.now() - started });
  }

  drain(): void {}

  get highestId(): number {
    return this.writer.highestId;
  }

  close(): void {}
}
