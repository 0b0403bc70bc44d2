import { z } from 'zod';

export const storeSection = z
  .object({
    file: z.string().min(1).default('sheetlog.db').describe('SQLite file name, relative to the data directory'),
    synchronous: z.enum(['OFF', 'NORMAL', 'FULL', 'EXTRA']).default('FULL').describe('SQLite synchronous pragma; FULL makes every ACK survive power loss'),
    busyTimeoutMs: z.number().int().min(0).default(5000).describe('How long a write waits for another process (the CLI) holding the lock'),
    pageSize: z
      .number()
      .int()
      .min(512)
      .max(65536)
      .refine((n) => (n & (n - 1)) === 0, { message: 'a power of two from 512 to 65536' })
      .default(4096)
      .describe('SQLite page size of a new store file; a file that exists keeps its own. 1024 writes fewer bytes per reading when many boards send (docs/BENCHMARKS.md), 4096 is SQLite\'s default'),
    commitDelayMs: z.number().min(0).max(1000).default(2).describe('Longest a reading waits for others to share its commit while no commit is running (0: next event-loop turn). Adapts to the rate: after a commit that carried a single operation the next one does not wait (a timer of 0 ms), until a commit carries two or more again; with the writer thread, readings arriving during a commit go in the next one as soon as it ends, so batches grow with the rate'),
    commitMaxRows: z.number().int().min(1).default(5000).describe('A batch this large is committed at once'),
    writerThread: z
      .boolean()
      .default(false)
      .describe('Commit in a writer thread with its own SQLite connection, so transactions and fsyncs never hold up the ingest event loop (off by default until bench:ingest shows it wins on a quiet machine, docs/BENCHMARKS.md); false commits on the main event loop (always so with an injected test clock)'),
    maxBufferRows: z.number().int().min(1).default(2_000_000).describe('Rows not yet delivered to every sink before boards get BUSY'),
    busyRetryAfterMs: z.number().int().min(1).default(5000).describe('retry-after value sent with BUSY'),
    retentionHours: z.number().min(0).default(168).describe('Delivered rows older than this are pruned (0: prune as soon as delivered); the newest reading always stays, so reading ids never restart'),
    checkpointIntervalMs: z
      .number()
      .int()
      .min(0)
      .default(1000)
      .describe('How often the sync thread copies the WAL into the database file (a PASSIVE checkpoint, beside the commits); the committing connection then checkpoints by itself only past 64 MB of WAL. 0, or without the sync thread: SQLite checkpoints inside the commit that takes the WAL past 4 MB (1,000 pages of 4 KB)'),
    pruneIntervalMs: z.number().int().min(1000).default(60000).describe('How often retention runs; a round deletes in transactions of at most 2,000 readings, one per turn of the event loop'),
  })
  .strict();
