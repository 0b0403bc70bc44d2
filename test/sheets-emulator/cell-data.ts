// batchUpdate requests that write CellData: updateCells and repeatCell, with their GridRange
// and field-mask semantics (userEnteredValue, userEnteredFormat and its sub-fields).

import { type Box, formatA1 } from './a1.js';
import type { SpreadsheetDraft } from './draft.js';
import { gridLimitError, invalidArgument } from './errors.js';
import { type FieldPath, parseFieldMask } from './fields.js';
import { type Cell, type CellFormat, type Sheet, findSheetById } from './model.js';

type Json = Record<string, unknown>;

function asObject(value: unknown, what: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`Invalid ${what}`);
  return value as Json;
}

function optionalIndex(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidArgument(`Invalid ${what}: ${String(value)}`);
  return value;
}

/**
 * Resolves a GridRange. Missing indexes are open; sheetId defaults to 0 (proto default).
 * A range starting at or past the grid's edge is refused with Google's grid-limit message;
 * one that starts inside and runs past the edge is clamped (both verified against Google).
 */
export function resolveGridRange(draft: SpreadsheetDraft, raw: unknown): { sheet: Sheet; box: Box } {
  const range = asObject(raw, 'range');
  const sheet = findSheetById(draft.spreadsheet, optionalIndex(range['sheetId'], 'sheetId') ?? 0);
  const bounds = {
    startRow: optionalIndex(range['startRowIndex'], 'startRowIndex'),
    endRow: optionalIndex(range['endRowIndex'], 'endRowIndex'),
    startColumn: optionalIndex(range['startColumnIndex'], 'startColumnIndex'),
    endColumn: optionalIndex(range['endColumnIndex'], 'endColumnIndex'),
  };
  const a1 = Object.fromEntries(Object.entries(bounds).filter(([, v]) => v !== undefined));
  if ((bounds.startRow ?? 0) >= sheet.rowCount || (bounds.startColumn ?? 0) >= sheet.columnCount) {
    throw gridLimitError(formatA1(sheet.title, a1), sheet.rowCount, sheet.columnCount);
  }
  const box: Box = {
    startRow: bounds.startRow ?? 0,
    endRow: Math.min(bounds.endRow ?? sheet.rowCount, sheet.rowCount),
    startColumn: bounds.startColumn ?? 0,
    endColumn: Math.min(bounds.endColumn ?? sheet.columnCount, sheet.columnCount),
  };
  return { sheet, box };
}

function setPath(target: Json, path: string[], value: unknown): Json {
  const [head, ...rest] = path;
  if (head === undefined) return target;
  const out: Json = { ...target };
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else out[head] = structuredClone(value);
    return out;
  }
  out[head] = setPath(asObject(target[head], head), rest, value);
  return out;
}

function getPath(source: unknown, path: string[]): unknown {
  let node: unknown = source;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function applyUserEnteredValue(cell: Cell, raw: unknown): void {
  delete cell.value;
  delete cell.formula;
  if (raw === undefined || raw === null) return;
  const v = asObject(raw, 'userEnteredValue');
  if (typeof v['stringValue'] === 'string') cell.value = v['stringValue'];
  else if (typeof v['numberValue'] === 'number') cell.value = v['numberValue'];
  else if (typeof v['boolValue'] === 'boolean') cell.value = v['boolValue'];
  else if (typeof v['formulaValue'] === 'string') cell.formula = v['formulaValue'];
}

/** Fields of CellData the emulator accepts but does not model (notes, validation, links). */
const IGNORED_CELL_FIELDS = new Set(['note', 'dataValidation', 'textFormatRuns', 'hyperlink', 'pivotTable', 'dataSourceTable', 'dataSourceFormula']);

/**
 * The format a cell gets, per field path and per format it had: a repeatCell over 100,000 rows
 * meets a handful of distinct formats, so each result is computed once and shared (safe: formats
 * are always replaced, never edited in place; see draft.ts).
 */
type FormatMemo = Map<FieldPath, Map<CellFormat | undefined, CellFormat | undefined>>;

function nextFormat(cell: Cell, data: Json, path: FieldPath, memo: FormatMemo): CellFormat | undefined {
  let results = memo.get(path);
  if (!results) memo.set(path, (results = new Map()));
  if (results.has(cell.format)) return results.get(cell.format);
  const rest = path.slice(1);
  const next = rest.length === 0
    ? (data['userEnteredFormat'] as CellFormat | undefined)
    : setPath(cell.format ?? {}, rest, getPath(data['userEnteredFormat'], rest));
  const made = next === undefined ? undefined : (structuredClone(next) as CellFormat);
  results.set(cell.format, made);
  return made;
}

function applyCellData(cell: Cell, data: Json, mask: FieldPath[], memo: FormatMemo = new Map()): void {
  for (const path of mask) {
    const [head] = path;
    if (head === '*') {
      applyUserEnteredValue(cell, data['userEnteredValue']);
      setFormat(cell, data['userEnteredFormat'] === undefined ? undefined : asObject(data['userEnteredFormat'], 'userEnteredFormat'));
    } else if (head === 'userEnteredValue') {
      applyUserEnteredValue(cell, data['userEnteredValue']);
    } else if (head === 'userEnteredFormat') {
      setFormat(cell, nextFormat(cell, data, path, memo));
    } else if (!IGNORED_CELL_FIELDS.has(head ?? '')) {
      throw invalidArgument(`Invalid field selection ${path.join('.')}`);
    }
  }
}

function setFormat(cell: Cell, format: CellFormat | undefined): void {
  if (format === undefined || Object.keys(format).length === 0) delete cell.format;
  else cell.format = format;
}

function requireMask(fields: unknown): FieldPath[] {
  if (typeof fields !== 'string' || fields.trim() === '') throw invalidArgument("At least one field must be specified in 'fields'.");
  return parseFieldMask(fields);
}

/**
 * Whether a repeatCell only sets format fields (every masked field under userEnteredFormat, each
 * given a value): then every cell of its range ends up with a format, whatever it had before.
 */
function setsFormatOnly(data: Json, mask: FieldPath[]): boolean {
  return mask.every((path) => {
    if (path[0] !== 'userEnteredFormat') return false;
    const value = path.length === 1 ? data['userEnteredFormat'] : getPath(data['userEnteredFormat'], path.slice(1));
    if (path.length === 1) return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0;
    return value !== undefined;
  });
}

export function repeatCell(draft: SpreadsheetDraft, request: Json): void {
  const mask = requireMask(request['fields']);
  const { sheet, box } = resolveGridRange(draft, request['range']);
  const data = asObject(request['cell'], 'cell');
  const memo: FormatMemo = new Map();
  if (!setsFormatOnly(data, mask)) {
    for (let r = box.startRow; r < box.endRow; r++) {
      for (let c = box.startColumn; c < box.endColumn; c++) applyCellData(draft.mutableCell(sheet, r, c), data, mask, memo);
    }
    return;
  }
  // A format over a range (a date format down a column of a million-row grid): the cells that
  // exist get it now, the others when they come to exist (model.ts, FormatBand).
  for (let r = box.startRow; r < Math.min(box.endRow, sheet.rows.length); r++) {
    const row = sheet.rows[r];
    if (!row) continue;
    for (let c = box.startColumn; c < Math.min(box.endColumn, row.length); c++) if (row[c]) applyCellData(draft.mutableCell(sheet, r, c), data, mask, memo);
  }
  if (box.endRow > box.startRow && box.endColumn > box.startColumn) {
    sheet.formatBands = [...(sheet.formatBands ?? []), { box: { ...box }, apply: (cell) => applyCellData(cell, data, mask, memo) }];
  }
}

function updateCellsTarget(draft: SpreadsheetDraft, request: Json, rows: Json[]): { sheet: Sheet; box: Box } {
  if (request['range'] !== undefined) return resolveGridRange(draft, request['range']);
  const start = asObject(request['start'], 'start');
  const sheet = findSheetById(draft.spreadsheet, optionalIndex(start['sheetId'], 'sheetId') ?? 0);
  const row = optionalIndex(start['rowIndex'], 'rowIndex') ?? 0;
  const column = optionalIndex(start['columnIndex'], 'columnIndex') ?? 0;
  const width = rows.reduce((max, r) => Math.max(max, Array.isArray(r['values']) ? r['values'].length : 0), 0);
  const box: Box = { startRow: row, endRow: row + Math.max(rows.length, 1), startColumn: column, endColumn: column + Math.max(width, 1) };
  // Unlike a GridRange, data anchored at `start` has no clamp: it must fit the grid.
  if (box.endRow > sheet.rowCount || box.endColumn > sheet.columnCount) {
    throw gridLimitError(formatA1(sheet.title, box), sheet.rowCount, sheet.columnCount);
  }
  return { sheet, box };
}

/** updateCells: rows of CellData written from `start`, or over `range` (cells past the data are cleared by the mask). */
export function updateCells(draft: SpreadsheetDraft, request: Json): void {
  const mask = requireMask(request['fields']);
  const rows = (Array.isArray(request['rows']) ? request['rows'] : []).map((r) => asObject(r, 'rows'));
  const { sheet, box } = updateCellsTarget(draft, request, rows);
  const useRange = request['range'] !== undefined;
  for (let r = box.startRow; r < box.endRow; r++) {
    const rowData = rows[r - box.startRow];
    const values = Array.isArray(rowData?.['values']) ? (rowData['values'] as unknown[]) : [];
    for (let c = box.startColumn; c < box.endColumn; c++) {
      const data = values[c - box.startColumn];
      // With `start`, only the cells given are written; with `range`, the mask applies to every cell.
      if (data === undefined && !useRange) continue;
      applyCellData(draft.mutableCell(sheet, r, c), asObject(data, 'values'), mask);
    }
  }
}
