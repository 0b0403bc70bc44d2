import { z } from 'zod';
import { isTimeZone } from '../../time/time-zone.js';
import { parsePeriod } from '../../time/periods.js';

const period = z
  .string()
  .refine((p) => parsePeriod(p) !== null, 'a period: Nm (N divides 1440), Nh (N divides 24) or 1d')
  .describe('a period: "15m", "1h", "1d"');

export const summariesSection = z
  .object({
    periods: z
      .array(period)
      .max(8)
      .default([])
      .refine((a) => new Set(a).size === a.length, 'each period may be listed once')
      .describe('Summary periods, e.g. ["1h", "1d"]; empty: no summaries (docs/SUMMARIES.md)'),
    timeZone: z.string().refine((tz) => tz === '' || isTimeZone(tz), 'not an IANA time zone').default('').describe('Time zone the periods follow (days of 23 and 25 hours at DST changes; "": the machine\'s)'),
    graceMs: z.number().int().min(0).max(7 * 86_400_000).default(300_000).describe('A period\'s summary is written this long after it closes; a reading arriving later revises the same row'),
    fields: z.array(z.string().min(1).max(128).regex(/^[A-Za-z0-9_.*?-]+$/)).default(['*']).describe('Fields summarised (globs); numeric values only'),
  })
  .strict();

export type SummariesConfig = z.infer<typeof summariesSection>;
