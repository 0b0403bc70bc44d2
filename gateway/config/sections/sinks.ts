import { z } from 'zod';

export const SINK_NAMES = ['google-sheets', 'csv'] as const;
export type SinkName = (typeof SINK_NAMES)[number];

/** What a sink writes: `readings` (the raw rows), `summary <period>` (e.g. "summary 1h"), `bills`. */
const tables = z
  .array(z.string().regex(/^(readings|bills|summary [1-9][0-9]*[mhd])$/, 'a table: "readings", "bills" or "summary <period>" (e.g. "summary 1h")'))
  .min(1)
  .refine((a) => new Set(a).size === a.length, 'each table may be listed once')
  .optional();

const sinkTables = (name: string) =>
  z
    .object({
      tables: tables.describe(`Tables the ${name} sink writes, e.g. ["summary 1h"]; unset: the raw readings and every configured summary and bills table`),
    })
    .strict();

export const sinksSection = z
  .object({
    enabled: z
      .array(z.enum(SINK_NAMES))
      .default([])
      .refine((a) => new Set(a).size === a.length, 'each sink may be listed once')
      .describe('Sinks that receive every reading, each with its own cursor. Empty: google-sheets when sheets.spreadsheetId and sheets.credentials are set, otherwise csv'),
    csv: sinkTables('csv').prefault({}),
    'google-sheets': sinkTables('google-sheets').prefault({}),
  })
  .strict();

/** Whether a sink writes `table` (no list: every table). */
export function sinkWrites(tablesOfSink: readonly string[] | undefined, table: string): boolean {
  return tablesOfSink === undefined || tablesOfSink.includes(table);
}
