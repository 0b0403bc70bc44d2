import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BatchResult, CommitBackend } from '../../../gateway/store/commit-backend.js';
import { GroupCommitter } from '../../../gateway/store/group-commit.js';
import type { ReadingOutcome, WriteOp } from '../../../gateway/store/ops.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

/** A backend that commits at once and remembers each batch's size. */
function recordingBackend(): CommitBackend & { batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    busy: false,
    highestId: 0,
    submit(ops: readonly WriteOp[], _now: number, done: (r: BatchResult) => void) {
      batches.push(ops.length);
      done({ outcomes: ops.map(() => 'stored'), durationMs: 0 });
    },
    drain() {},
    close() {},
  };
}

function reading(seq: number, outcomes: ReadingOutcome[]): WriteOp {
  const row = { device: 'a', boot: 1, seq, ts: 0, tsSource: 'gateway' as const, deviceTs: null, received: 0, fields: '{}', bytes: 1, clockUntrusted: false };
  return { kind: 'reading', row, done: (o) => outcomes.push(o) };
}

test('the commit window adapts to the rate: after a window with a lone operation the next window is zero-length; company brings delayMs back', async () => {
  const timers = new ManualTimers();
  const backend = recordingBackend();
  const committer = new GroupCommitter(backend, timers, { delayMs: 5, maxOps: 100 });
  const outcomes: ReadingOutcome[] = [];

  // A lone reading waits the whole window (nothing tells yet that nobody comes).
  committer.enqueue(reading(1, outcomes));
  await nextTurn();
  assert.deepEqual(backend.batches, [], 'the first window is delayMs long');
  timers.advance(5);
  assert.deepEqual(backend.batches, [1]);

  // That window gathered one operation: the next reading gets a zero-length window (committed
  // when the timer fires, without the clock moving).
  committer.enqueue(reading(2, outcomes));
  assert.deepEqual(backend.batches, [1], 'not before the commit');
  timers.advance(0);
  assert.deepEqual(backend.batches, [1, 1]);

  // Two before that timer fires share the commit; the rate is up, so windows are delayMs again.
  committer.enqueue(reading(3, outcomes));
  committer.enqueue(reading(4, outcomes));
  timers.advance(0);
  assert.deepEqual(backend.batches, [1, 1, 2]);
  committer.enqueue(reading(5, outcomes));
  timers.advance(4);
  await nextTurn();
  assert.deepEqual(backend.batches, [1, 1, 2], 'waits for company again');
  committer.enqueue(reading(6, outcomes));
  timers.advance(1);
  assert.deepEqual(backend.batches, [1, 1, 2, 2]);
  assert.deepEqual(outcomes, ['stored', 'stored', 'stored', 'stored', 'stored', 'stored']);
  assert.equal(timers.scheduled, 0);
});

test('a flush of a single operation does not count as a sparse window', async () => {
  const timers = new ManualTimers();
  const backend = recordingBackend();
  const committer = new GroupCommitter(backend, timers, { delayMs: 5, maxOps: 100 });
  const outcomes: ReadingOutcome[] = [];
  committer.enqueue(reading(1, outcomes));
  committer.flush();
  assert.deepEqual(backend.batches, [1]);
  committer.enqueue(reading(2, outcomes));
  await nextTurn();
  assert.deepEqual(backend.batches, [1], 'still a full window');
  timers.advance(5);
  assert.deepEqual(backend.batches, [1, 1]);
});

test('operations a commit\'s callbacks enqueue wait for a window of their own; a queue past maxOps is committed at once', () => {
  const timers = new ManualTimers();
  const backend = recordingBackend();
  const committer = new GroupCommitter(backend, timers, { delayMs: 5, maxOps: 3 });
  const outcomes: ReadingOutcome[] = [];
  // Each committed reading lets the next one in, as the registration pacer does for a burst of
  // new boards: chained at once, a burst became hundreds of commits in one event-loop turn.
  let next = 1;
  const chained = (): WriteOp => {
    const seq = next++;
    return { kind: 'reading', row: (reading(seq, outcomes) as Extract<WriteOp, { kind: 'reading' }>).row, done: (o) => {
      outcomes.push(o);
      if (next <= 9) committer.enqueue(chained());
    } };
  };
  committer.enqueue(chained());
  committer.enqueue(chained());
  timers.advance(5);
  assert.deepEqual(backend.batches, [2], 'the two readings enqueued by the first commit wait');
  assert.equal(committer.pending, 2);
  timers.advance(5);
  assert.deepEqual(backend.batches, [2, 2]);

  // Seven queued with maxOps 3: three commits back to back, no window between them.
  const other = recordingBackend();
  const more = new GroupCommitter(other, new ManualTimers(), { delayMs: 5, maxOps: 3 });
  for (let i = 0; i < 7; i++) more.enqueue(reading(100 + i, outcomes));
  assert.deepEqual(other.batches, [3, 3], 'two full batches at once; the seventh waits for its window');
  more.flush();
  assert.deepEqual(other.batches, [3, 3, 1]);
});
