import { z } from 'zod';

export const SINK_NAMES = ['google-sheets', 'csv'] as const;
export type SinkName = (typeof SINK_NAMES)[number];

export const sinksSection = z
  .object({
    enabled: z
      .array(z.enum(SINK_NAMES))
      .default([])
      .refine((a) => new Set(a).size === a.length, 'each sink may be listed once')
      .describe('Sinks that receive every reading, each with its own cursor. Empty: google-sheets when sheets.spreadsheetId and sheets.credentials are set, otherwise csv'),
  })
  .strict();
