import type { OpenOptions } from '../database.js';
import type { EncodedBatch } from './codec.js';

/*
 * The messages between the store (client.ts, on the ingest event loop) and the writer thread
 * (entry.ts), over a MessageChannel whose port the thread receives in workerData, so that the
 * store can also take replies synchronously (receiveMessageOnPort) when it must drain.
 *
 *   store ──commit {id, now, ops}──▶ thread   (one transaction; batches run in the order sent)
 *   store ◀──done {id, outcomes, highestId, durationMs} | failed {id, error}── thread
 *   store ──close──▶ thread ──closed──▶ store (the thread's connection is closed)
 *
 * After posting each reply the thread bumps `signal[0]` and notifies it: the store's synchronous
 * drain waits on it with Atomics.wait instead of spinning.
 */

export interface WriterInit {
  db: OpenOptions;
  signal: SharedArrayBuffer;
}

export type ToWriter = { type: 'commit'; id: number; now: number; ops: EncodedBatch } | { type: 'close' };

export type FromWriter =
  | { type: 'done'; id: number; outcomes: Uint8Array; highestId: number; durationMs: number }
  | { type: 'failed'; id: number; error: string }
  | { type: 'fatal'; error: string }
  | { type: 'closed' };
