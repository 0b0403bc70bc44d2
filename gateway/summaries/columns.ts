import { offsetText, type ZoneClock } from '../time/time-zone.js';
import type { SummaryRow } from './table.js';

/** The columns of a summary table, in every sink (docs/SUMMARIES.md). */
export const SUMMARY_COLUMNS = ['start', 'end', 'utc_offset', 'device', 'field', 'unit', 'kind', 'count', 'min', 'max', 'mean', 'last', 'consumption', 'revision'] as const;

/** A cell of a summary row before a sink renders it: a number, text, an instant, or empty. */
export type SummaryCell = number | string | { time: number } | null;

/** The cells of one summary row, in SUMMARY_COLUMNS order (pure). */
export function summaryCells(row: SummaryRow, zone: ZoneClock): SummaryCell[] {
  return [
    { time: row.start },
    { time: row.end },
    offsetText(zone.offset(row.start)),
    row.device,
    row.field,
    row.unit ?? '',
    row.kind,
    row.count,
    row.min,
    row.max,
    row.mean,
    row.last,
    row.consumption,
    row.revision,
  ];
}

/** The table (tab, CSV file) name of a period's summaries. */
export function summaryTableName(period: string): string {
  return `summary ${period}`;
}
