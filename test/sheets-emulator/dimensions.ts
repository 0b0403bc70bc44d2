// batchUpdate requests that change a sheet's rows or columns: appendDimension,
// insertDimension, deleteDimension, moveDimension. Cells move with their rows and columns, and
// so do protected ranges, the basic filter and row/column developer metadata (shift.ts). The
// 10M-cell workbook limit is checked by the batch after each request.

import type { SpreadsheetDraft } from './draft.js';
import { invalidArgument } from './errors.js';
import { type Row, type Sheet, findSheetById } from './model.js';
import { requireEditable } from './protection.js';
import { shiftFormulas } from './formula-refs.js';
import { deletePoint, deleteSpan, insertPoint, insertSpan, movePoint, moveSpan, movedOrder, shiftAnchors } from './shift.js';

type Json = Record<string, unknown>;
type Dimension = 'ROWS' | 'COLUMNS';

function parseDimension(value: unknown): Dimension {
  if (value === 'ROWS' || value === 'COLUMNS') return value;
  throw invalidArgument(`Invalid dimension: ${String(value ?? 'DIMENSION_UNSPECIFIED')}`);
}

function index(value: unknown, what: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidArgument(`Invalid ${what}: ${String(value)}`);
  return value;
}

function sheetOf(draft: SpreadsheetDraft, raw: unknown): Sheet {
  return findSheetById(draft.spreadsheet, index(raw, 'sheetId'));
}

export function appendDimension(draft: SpreadsheetDraft, request: Json): Json {
  const sheet = sheetOf(draft, request['sheetId']);
  const dimension = parseDimension(request['dimension']);
  const length = index(request['length'], 'length');
  if (length < 1) throw invalidArgument('length must be greater than zero.');
  if (dimension === 'ROWS') sheet.rowCount += length;
  else sheet.columnCount += length;
  return {};
}

interface DimensionRange {
  sheet: Sheet;
  dimension: Dimension;
  start: number;
  end: number;
}

function dimensionRange(draft: SpreadsheetDraft, raw: unknown, allowAtEnd: boolean): DimensionRange {
  const range = (raw ?? {}) as Json;
  const sheet = sheetOf(draft, range['sheetId']);
  const dimension = parseDimension(range['dimension']);
  const size = dimension === 'ROWS' ? sheet.rowCount : sheet.columnCount;
  const start = index(range['startIndex'], 'startIndex');
  const end = range['endIndex'] === undefined ? size : index(range['endIndex'], 'endIndex');
  const limit = allowAtEnd ? size : size - 1;
  if (end <= start || start > limit) throw invalidArgument(`Invalid dimension range: startIndex ${start}, endIndex ${end} (grid has ${size}).`);
  return { sheet, dimension, start, end: Math.min(end, allowAtEnd ? Number.MAX_SAFE_INTEGER : size) };
}

/** Rebuilds a row array around a gap; array literals, since spread arguments overflow on big sheets. */
function withRows(rows: Array<Row | undefined>, at: number, removeCount: number, insertCount: number): Array<Row | undefined> {
  if (rows.length <= at) return rows;
  return [...rows.slice(0, at), ...new Array<undefined>(insertCount), ...rows.slice(at + removeCount)];
}

function spliceColumns(draft: SpreadsheetDraft, sheet: Sheet, at: number, removeCount: number, insertCount: number): void {
  sheet.rows.forEach((row, r) => {
    if (!row || row.length <= at) return;
    const copy = draft.mutableRow(sheet, r);
    copy.splice(at, removeCount, ...new Array<undefined>(insertCount));
  });
}

export function insertDimension(draft: SpreadsheetDraft, request: Json): Json {
  const { sheet, dimension, start, end } = dimensionRange(draft, request['range'], true);
  const count = end - start;
  draft.materializeBands(sheet); // cells move: formats kept as bands become cells first
  shiftAnchors(draft, sheet, dimension, insertSpan(start, count));
  shiftFormulas(draft, sheet, dimension, insertPoint(start, count));
  if (dimension === 'ROWS') {
    sheet.rows = withRows(sheet.rows, start, 0, count);
    sheet.rowCount += count;
  } else {
    spliceColumns(draft, sheet, start, 0, count);
    sheet.columnCount += count;
  }
  return {};
}

/** The grid box a span of rows or columns covers, for the protection check. */
function spanBox(sheet: Sheet, dimension: Dimension, start: number, end: number): { startRow: number; endRow: number; startColumn: number; endColumn: number } {
  return dimension === 'ROWS' ? { startRow: start, endRow: end, startColumn: 0, endColumn: sheet.columnCount } : { startRow: 0, endRow: sheet.rowCount, startColumn: start, endColumn: end };
}

export function deleteDimension(draft: SpreadsheetDraft, request: Json, actor?: string): Json {
  const { sheet, dimension, start, end } = dimensionRange(draft, request['range'], false);
  const count = end - start;
  requireEditable(sheet, spanBox(sheet, dimension, start, end), actor);
  draft.materializeBands(sheet);
  shiftAnchors(draft, sheet, dimension, deleteSpan(start, end));
  shiftFormulas(draft, sheet, dimension, deletePoint(start, end));
  if (dimension === 'ROWS') {
    if (count >= sheet.rowCount) throw invalidArgument("You can't delete all the rows on the sheet.");
    sheet.rows = withRows(sheet.rows, start, count, 0);
    sheet.rowCount -= count;
    sheet.frozenRowCount = Math.min(sheet.frozenRowCount, sheet.rowCount - 1);
  } else {
    if (count >= sheet.columnCount) throw invalidArgument("You can't delete all the columns on the sheet.");
    spliceColumns(draft, sheet, start, count, 0);
    sheet.columnCount -= count;
    sheet.frozenColumnCount = Math.min(sheet.frozenColumnCount, sheet.columnCount - 1);
  }
  return {};
}

/**
 * moveDimension: `source` goes before `destinationIndex`, an index counted *before* the source
 * is taken out (Google's definition); a destination inside the source moves nothing.
 */
export function moveDimension(draft: SpreadsheetDraft, request: Json, actor?: string): Json {
  const { sheet, dimension, start, end } = dimensionRange(draft, request['source'], false);
  const size = dimension === 'ROWS' ? sheet.rowCount : sheet.columnCount;
  const destination = index(request['destinationIndex'], 'destinationIndex');
  if (destination > size) throw invalidArgument(`Invalid destinationIndex: ${destination} (grid has ${size}).`);
  if (destination >= start && destination <= end) return {};
  requireEditable(sheet, spanBox(sheet, dimension, Math.min(start, destination), Math.max(end, destination)), actor);
  draft.materializeBands(sheet);
  shiftAnchors(draft, sheet, dimension, moveSpan(start, end, destination));
  shiftFormulas(draft, sheet, dimension, movePoint(start, end, destination));
  if (dimension === 'ROWS') {
    const order = movedOrder(Math.max(size, sheet.rows.length), start, end, destination);
    const before = sheet.rows;
    sheet.rows = order.map((old) => before[old]);
    while (sheet.rows.length > 0 && sheet.rows[sheet.rows.length - 1] === undefined) sheet.rows.length--;
  } else {
    const order = movedOrder(size, start, end, destination);
    sheet.rows.forEach((row, r) => {
      if (!row) return;
      const copy = draft.mutableRow(sheet, r);
      const before = copy.slice();
      copy.length = 0;
      order.forEach((old, i) => {
        if (before[old] !== undefined) copy[i] = before[old];
      });
    });
  }
  return {};
}
