import type { Db } from '../store/database.js';
import type { ZoneClock } from '../time/time-zone.js';
import { SUMMARY_COLUMNS, summaryCells, summaryTableName, type SummaryCell } from './columns.js';
import { SummaryPlaces, summarySource } from './places.js';
import type { SummaryRow } from './table.js';

/**
 * A table sheetlog keeps in the sinks with rows at fixed places (a period's summaries, the bills):
 * its name (tab title, CSV file name), columns, where its rows come from and how a row renders.
 */
export interface PlacedTable<R extends { id: number; revision: number }> {
  title: string;
  columns: readonly string[];
  places(db: Db, sink: string): SummaryPlaces<R>;
  cells(row: R, zone: ZoneClock): SummaryCell[];
}

export function summaryPlacedTable(period: string): PlacedTable<SummaryRow> {
  const title = summaryTableName(period);
  return {
    title,
    columns: SUMMARY_COLUMNS,
    places: (db, sink) => new SummaryPlaces<SummaryRow>(db, sink, title, summarySource(period)),
    cells: summaryCells,
  };
}
