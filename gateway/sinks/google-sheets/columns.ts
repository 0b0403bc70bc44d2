import type { CellValue } from './api.js';
import { columnLetter, quoteTitle, type SheetValue } from './encoder.js';

/**
 * Where sheetlog's columns are on a tab a person may have changed. Pure: everything here works on
 * values read from the sheet.
 *
 * The header row decides: each of sheetlog's columns is the first header cell with its name, so
 * a column a person inserted, moved or deleted never shifts values under the wrong header. A
 * column of sheetlog's that has no header cell (deleted by a person, or new: a sensor seen for the
 * first time) gets the first free column right of the header's last filled cell, and its header
 * cell is written there. Cells in other columns (a person's formulas, notes) are never written:
 * values requests carry `null` there, which Sheets skips.
 */
export interface ColumnMap {
  /** 0-based sheet column of each of sheetlog's columns, in their order. */
  positions: number[];
  /** Header cells to write: sheetlog columns that had none. */
  newHeaders: { column: number; name: string }[];
}

export function mapColumns(header: readonly CellValue[], columns: readonly string[]): ColumnMap {
  const names = header.map((c) => String(c ?? '').trim());
  let free = lastFilled(names) + 1;
  const positions: number[] = [];
  const newHeaders: { column: number; name: string }[] = [];
  for (const name of columns) {
    const at = names.indexOf(name);
    if (at >= 0 && !positions.includes(at)) {
      positions.push(at);
      continue;
    }
    positions.push(free);
    newHeaders.push({ column: free, name });
    free++;
  }
  return { positions, newHeaders };
}

/** Index of the last non-empty cell, -1 for none. */
function lastFilled(row: readonly (string | CellValue | null | undefined)[]): number {
  for (let i = row.length - 1; i >= 0; i--) if (!isEmptyCell(row[i])) return i;
  return -1;
}

export function isEmptyCell(c: CellValue | null | undefined): boolean {
  return c === '' || c === null || c === undefined;
}

/** sheetlog's cells of rows read from the sheet starting at column `firstColumn`, in sheetlog's order. */
export function ownCells(rows: readonly CellValue[][], map: ColumnMap, firstColumn = 0): CellValue[][] {
  return rows.map((row) => map.positions.map((p) => row[p - firstColumn] ?? ''));
}

/** The columns a values write spans: from the leftmost to the rightmost of sheetlog's. */
export function span(map: ColumnMap): { first: number; last: number } {
  return { first: Math.min(...map.positions), last: Math.max(...map.positions) };
}

/**
 * Rows of values laid out over the span; columns that are not sheetlog's are null (left alone).
 * Trailing empty cells are left out: Sheets leaves the cells of a range past a shorter row as they
 * are, and the rows written are reserved ones, empty until then. An empty `unit` (a field without
 * one) is 3 bytes of every long row, about 4% of a 2 MB request.
 */
export function spread(map: ColumnMap, rows: readonly SheetValue[][]): (SheetValue | null)[][] {
  const { first, last } = span(map);
  return rows.map((row) => {
    const out: (SheetValue | null)[] = new Array<SheetValue | null>(last - first + 1).fill(null);
    map.positions.forEach((p, i) => {
      out[p - first] = row[i] ?? '';
    });
    out.length = lastFilled(out) + 1;
    return out;
  });
}

/** A1 range of rows `firstRow..lastRow` (1-based) over columns `first..last` (0-based). */
export function blockRange(title: string, firstRow: number, lastRow: number, first: number, last: number): string {
  return `${quoteTitle(title)}!${columnLetter(first)}${firstRow}:${columnLetter(last)}${lastRow}`;
}

/** A1 range from row `firstRow` to the grid's end, columns `first..last`. */
export function openRows(title: string, firstRow: number, first: number, last: number): string {
  return `${quoteTitle(title)}!${columnLetter(first)}${firstRow}:${columnLetter(last)}`;
}
