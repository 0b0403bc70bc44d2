// values.append's table detection, as a pure function over "is this cell filled?".
//
// Google documents it as: "The input range is used to search for existing data and find a
// 'table' within that range. Values will be appended to the next row of the table, starting
// with the first column of the table." The emulator models that as:
//   1. scan the input range (clamped to the grid) row by row for the first non-empty cell;
//   2. no such cell: there is no table, and values go to the range's top-left cell;
//   3. otherwise the table is the block of data connected to that cell, bounded by fully
//      empty rows and columns (like a spreadsheet's "current region"; it may reach outside the
//      input range), and values go to the row after its last row, in its first column.
// A consequence Google users know well: an empty row inside the data ends the table, so an
// append lands in that gap rather than at the bottom.

import type { Box } from './a1.js';

export type FilledFn = (row: number, column: number) => boolean;

export interface GridSize {
  rowCount: number;
  columnCount: number;
}

export interface AppendTarget {
  /** The detected table before the append, or undefined when the range held no data. */
  table: Box | undefined;
  row: number;
  column: number;
}

function firstFilled(search: Box, filled: FilledFn): { row: number; column: number } | undefined {
  for (let row = search.startRow; row < search.endRow; row++) {
    for (let column = search.startColumn; column < search.endColumn; column++) {
      if (filled(row, column)) return { row, column };
    }
  }
  return undefined;
}

function rowHasData(row: number, from: number, to: number, filled: FilledFn): boolean {
  for (let c = from; c < to; c++) if (filled(row, c)) return true;
  return false;
}

function columnHasData(column: number, from: number, to: number, filled: FilledFn): boolean {
  for (let r = from; r < to; r++) if (filled(r, column)) return true;
  return false;
}

/** Grows a box around a seed cell until it is surrounded by empty rows and columns. */
export function currentRegion(seed: { row: number; column: number }, grid: GridSize, filled: FilledFn): Box {
  const box: Box = { startRow: seed.row, endRow: seed.row + 1, startColumn: seed.column, endColumn: seed.column + 1 };
  // Neighbouring rows/columns are checked one cell wider than the box so diagonal contact counts.
  const colFrom = (): number => Math.max(box.startColumn - 1, 0);
  const colTo = (): number => Math.min(box.endColumn + 1, grid.columnCount);
  const rowFrom = (): number => Math.max(box.startRow - 1, 0);
  const rowTo = (): number => Math.min(box.endRow + 1, grid.rowCount);
  let widened = true;
  while (widened) {
    // Rows are grown greedily first: tables are tall, and re-checking columns after every
    // single row would make a long log quadratic.
    while (box.startRow > 0 && rowHasData(box.startRow - 1, colFrom(), colTo(), filled)) box.startRow--;
    while (box.endRow < grid.rowCount && rowHasData(box.endRow, colFrom(), colTo(), filled)) box.endRow++;
    widened = false;
    if (box.startColumn > 0 && columnHasData(box.startColumn - 1, rowFrom(), rowTo(), filled)) {
      box.startColumn--;
      widened = true;
    }
    if (box.endColumn < grid.columnCount && columnHasData(box.endColumn, rowFrom(), rowTo(), filled)) {
      box.endColumn++;
      widened = true;
    }
  }
  return box;
}

/** Where values.append writes, given its input range (already clamped to the grid). */
export function findAppendTarget(search: Box, grid: GridSize, filled: FilledFn): AppendTarget {
  const seed = firstFilled(search, filled);
  if (!seed) return { table: undefined, row: search.startRow, column: search.startColumn };
  const table = currentRegion(seed, grid, filled);
  return { table, row: table.endRow, column: table.startColumn };
}
