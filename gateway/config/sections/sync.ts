import { z } from 'zod';

export const syncSection = z
  .object({
    maxBatchRows: z.number().int().min(1).default(20000).describe('Most readings in one write (batches grow toward it when the sink is behind); a sink may take fewer (csv.maxBatchRows)'),
    maxBatchBytes: z.number().int().min(1024).default(4_000_000).describe('Rough upper bound of a batch in bytes (fields plus about 100 bytes per reading); a sink cuts its requests further (sheets.maxRequestBytes)'),
    lingerMs: z.number().int().min(0).default(50).describe('Pause after a write that was not full, so that rows gather (short: each batch is a burst of work in the sync thread)'),
    idlePollMs: z.number().int().min(10).default(1000).describe('With nothing to send, look again after this long (commits also wake the worker)'),
    backoffBaseMs: z.number().int().min(1).default(1000).describe('First retry delay after a failed write; doubles per attempt, with jitter'),
    backoffMaxMs: z.number().int().min(1).default(120000).describe('Longest retry delay (a Retry-After hint from the sink may be longer)'),
    stopTimeoutMs: z.number().int().min(0).default(5000).describe('At shutdown, how long a write in flight may take to finish'),
    thread: z
      .boolean()
      .default(true)
      .describe('Run the sinks in their own thread with their own SQLite connection, so that syncing never delays an ACK; false runs them on the main event loop (tests with an injected clock)'),
  })
  .strict();
