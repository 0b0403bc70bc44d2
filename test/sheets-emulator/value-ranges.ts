// Reading and writing rectangles of values: the primitives under the values.* handlers.
// Writes are planned first (every input parsed and checked) and applied second, so a
// request that fails validation leaves the model untouched.

import { type Box, columnToLetters, formatA1 } from './a1.js';
import { type CellInput, type ValueInputOption, parseCellInput } from './cell-input.js';
import { type RenderOptions, renderCell } from './cell-format.js';
import { invalidArgument } from './errors.js';
import { type Scalar, type Sheet, cellForWrite, getCell } from './model.js';

export type MajorDimension = 'ROWS' | 'COLUMNS';

export interface ValueRangeJson {
  range: string;
  majorDimension: MajorDimension;
  values?: Scalar[][];
}

export function parseMajorDimension(raw: unknown): MajorDimension {
  if (raw === undefined || raw === null || raw === 'ROWS' || raw === 'DIMENSION_UNSPECIFIED') return 'ROWS';
  if (raw === 'COLUMNS') return 'COLUMNS';
  throw invalidArgument(`Invalid value at 'major_dimension' (type.googleapis.com/google.apps.sheets.v4.Dimension), "${String(raw)}"`);
}

/** Reduce, not Math.max(...spread): a 100k-row batch would overflow the argument stack. */
function maxLength(lists: unknown[][]): number {
  return lists.reduce((max, l) => Math.max(max, l.length), 0);
}

/** Checks the `values` field is a list of lists and returns it row-major. */
export function toRowMajor(values: unknown, majorDimension: MajorDimension, where: string): unknown[][] {
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values) || values.some((v) => !Array.isArray(v))) {
    throw invalidArgument(`Invalid JSON payload received. Invalid value at '${where}' (type.googleapis.com/google.protobuf.ListValue)`);
  }
  const lists = values as unknown[][];
  if (majorDimension === 'ROWS') return lists;
  const width = maxLength(lists);
  return Array.from({ length: width }, (_, r) => lists.map((column) => column[r]));
}

export interface PlannedCell {
  row: number;
  column: number;
  input: CellInput;
}

export interface WritePlan {
  sheet: Sheet;
  /** The rectangle the data spans, from the anchor: rows x widest row. */
  box: Box;
  cells: PlannedCell[];
  updatedRows: number;
  updatedColumns: number;
}

export function planWrite(sheet: Sheet, anchor: { row: number; column: number }, rows: unknown[][], option: ValueInputOption): WritePlan {
  const width = maxLength(rows);
  const box: Box = { startRow: anchor.row, endRow: anchor.row + rows.length, startColumn: anchor.column, endColumn: anchor.column + width };
  const cells: PlannedCell[] = [];
  const touchedRows = new Set<number>();
  const touchedColumns = new Set<number>();
  rows.forEach((values, r) => {
    values.forEach((raw, c) => {
      const input = parseCellInput(raw, option, `values[${r}][${c}]`);
      if (input.kind === 'skip') return;
      cells.push({ row: anchor.row + r, column: anchor.column + c, input });
      touchedRows.add(r);
      touchedColumns.add(c);
    });
  });
  return { sheet, box, cells, updatedRows: touchedRows.size, updatedColumns: touchedColumns.size };
}

/** Google's refusal when the data is larger than a bounded target range. */
export function requireFitsRange(plan: WritePlan, target: Box, rangeText: string): void {
  if (plan.box.endRow > target.endRow) {
    throw invalidArgument(`Requested writing within range [${rangeText}], but tried writing to row [${plan.box.endRow}]`);
  }
  if (plan.box.endColumn > target.endColumn) {
    const column = columnToLetters(plan.box.endColumn - 1);
    throw invalidArgument(`Requested writing within range [${rangeText}], but tried writing to column [${column}]`);
  }
}

function applyInput(sheet: Sheet, planned: PlannedCell): void {
  const { input } = planned;
  const cell = cellForWrite(sheet, planned.row, planned.column);
  if (input.kind === 'clear') {
    delete cell.value;
    delete cell.formula;
    return;
  }
  if (input.kind === 'formula') {
    delete cell.value;
    cell.formula = input.formula;
    return;
  }
  if (input.kind !== 'value') return;
  cell.value = input.value;
  delete cell.formula;
  // Sheets applies the detected format (date, percent, currency) to the cell itself, so it
  // sticks for later writes, unless the cell already has a format of the same kind.
  if (input.numberFormat) {
    const current = cell.format?.['numberFormat'] as { type?: string } | undefined;
    if (current?.type !== input.numberFormat.type) cell.format = { ...cell.format, numberFormat: input.numberFormat };
  }
}

export function applyWrite(plan: WritePlan): void {
  for (const planned of plan.cells) applyInput(plan.sheet, planned);
}

export interface UpdateValuesJson {
  spreadsheetId: string;
  updatedRange: string;
  updatedRows?: number;
  updatedColumns?: number;
  updatedCells?: number;
  updatedData?: ValueRangeJson;
}

export function updateSummary(spreadsheetId: string, plan: WritePlan, includeValues: RenderOptions | undefined): UpdateValuesJson {
  const { box } = plan;
  // With no values the "range" is just the anchor cell.
  const shown = box.endRow > box.startRow && box.endColumn > box.startColumn ? box : { ...box, endRow: box.startRow + 1, endColumn: box.startColumn + 1 };
  const summary: UpdateValuesJson = { spreadsheetId, updatedRange: formatA1(plan.sheet.title, shown) };
  // Google leaves zero counts out of the JSON (proto3 defaults), as it does here.
  if (plan.cells.length > 0) {
    summary.updatedRows = plan.updatedRows;
    summary.updatedColumns = plan.updatedColumns;
    summary.updatedCells = plan.cells.length;
  }
  if (includeValues) summary.updatedData = readBox(plan.sheet, plan.box, includeValues, 'ROWS');
  return summary;
}

function trimTrailing<T>(list: T[], isEmpty: (item: T) => boolean): T[] {
  let end = list.length;
  while (end > 0 && isEmpty(list[end - 1] as T)) end--;
  return list.slice(0, end);
}

/** Reads a box, trimming trailing empty cells and rows exactly as values.get does. */
export function readBox(sheet: Sheet, box: Box, options: RenderOptions, majorDimension: MajorDimension): ValueRangeJson {
  const outer = majorDimension === 'ROWS' ? [box.startRow, box.endRow] : [box.startColumn, box.endColumn];
  const inner = majorDimension === 'ROWS' ? [box.startColumn, box.endColumn] : [box.startRow, box.endRow];
  // Rows past the last stored row are empty; skipping them keeps big open ranges cheap.
  const outerEnd = majorDimension === 'ROWS' ? Math.min(outer[1] ?? 0, sheet.rows.length) : (outer[1] ?? 0);
  const lines: Array<Array<Scalar | undefined>> = [];
  for (let o = outer[0] ?? 0; o < outerEnd; o++) {
    const line: Array<Scalar | undefined> = [];
    for (let i = inner[0] ?? 0; i < (inner[1] ?? 0); i++) {
      const [r, c] = majorDimension === 'ROWS' ? [o, i] : [i, o];
      line.push(renderCell(getCell(sheet, r, c), options));
    }
    lines.push(trimTrailing(line, (v) => v === undefined));
  }
  const values = trimTrailing(lines, (l) => l.length === 0).map((l) => l.map((v) => v ?? ''));
  const json: ValueRangeJson = { range: formatA1(sheet.title, box), majorDimension };
  if (values.length > 0) json.values = values;
  return json;
}

/** Empties the values (not the formats) of every cell in a box. */
export function clearBox(sheet: Sheet, box: Box): void {
  for (let r = box.startRow; r < Math.min(box.endRow, sheet.rows.length); r++) {
    const row = sheet.rows[r];
    if (!row) continue;
    for (let c = box.startColumn; c < Math.min(box.endColumn, row.length); c++) {
      const cell = row[c];
      if (!cell) continue;
      delete cell.value;
      delete cell.formula;
    }
  }
}
