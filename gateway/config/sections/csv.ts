import { z } from 'zod';
import { isTimeZone } from '../../time/time-zone.js';

export const csvSection = z
  .object({
    dir: z.string().min(1).default('csv').describe('Directory of the CSV files, relative to the data directory'),
    layout: z.enum(['long', 'per-device']).default('long').describe('long: one file, a row per field; per-device: a file per device, a column per field'),
    table: z.string().regex(/^[A-Za-z0-9_. -]{1,100}$/).default('readings').describe('File name (without .csv) of the long layout'),
    timeZone: z.string().refine((tz) => tz === '' || isTimeZone(tz), 'not an IANA time zone').default('').describe('Time zone of the time columns ("": the machine\'s)'),
    maxBatchRows: z
      .number()
      .int()
      .min(1)
      .default(2000)
      .describe('Most readings in one CSV write (the lower of this and sync.maxBatchRows). The sync thread holds a batch in memory while it is written; batches this small die young in the garbage collector (with 20,000 a bulk backlog cost 4-21% more CPU per reading: docs/BENCHMARKS.md)'),
  })
  .strict();
