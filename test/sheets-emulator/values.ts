// spreadsheets.values.* handlers as pure functions over the model: get, batchGet, update,
// batchUpdate, append, clear, batchClear. Each validates fully before it mutates anything.

import { requireCellsEditable, requireEditable } from './protection.js';
import { type Box, formatA1 } from './a1.js';
import { parseValueInputOption } from './cell-input.js';
import { type RenderOptions, parseRenderOptions } from './cell-format.js';
import { ApiError, cellLimitError, gridLimitError, invalidArgument } from './errors.js';
import {
  type ResolvedRange,
  type SheetsData,
  type Sheet,
  type Spreadsheet,
  cellForWrite,
  clampToGrid,
  findSpreadsheet,
  isFilled,
  materializeBands,
  requireWithinGrid,
  resolveRange,
  totalCells,
} from './model.js';
import { findAppendTarget } from './table.js';
import {
  type UpdateValuesJson,
  type ValueRangeJson,
  type WritePlan,
  applyWrite,
  clearBox,
  parseMajorDimension,
  planWrite,
  readBox,
  requireFitsRange,
  toRowMajor,
  updateSummary,
} from './value-ranges.js';

type Body = Record<string, unknown>;

function asBody(body: unknown): Body {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidArgument('Invalid JSON payload received.');
  return body as Body;
}

function readResolved(resolved: ResolvedRange, render: RenderOptions, majorDimension: 'ROWS' | 'COLUMNS'): ValueRangeJson {
  requireWithinGrid(resolved.sheet, resolved.bounds);
  return readBox(resolved.sheet, clampToGrid(resolved.sheet, resolved.bounds), render, majorDimension);
}

export function valuesGet(data: SheetsData, spreadsheetId: string, range: string, query: URLSearchParams): ValueRangeJson {
  const spreadsheet = findSpreadsheet(data.spreadsheets, spreadsheetId);
  const render = parseRenderOptions(query.get('valueRenderOption'), query.get('dateTimeRenderOption'));
  const majorDimension = parseMajorDimension(query.get('majorDimension') ?? undefined);
  return readResolved(resolveRange(spreadsheet, range), render, majorDimension);
}

export function valuesBatchGet(data: SheetsData, spreadsheetId: string, query: URLSearchParams): { spreadsheetId: string; valueRanges: ValueRangeJson[] } {
  const spreadsheet = findSpreadsheet(data.spreadsheets, spreadsheetId);
  const render = parseRenderOptions(query.get('valueRenderOption'), query.get('dateTimeRenderOption'));
  const majorDimension = parseMajorDimension(query.get('majorDimension') ?? undefined);
  const valueRanges = query.getAll('ranges').map((r) => readResolved(resolveRange(spreadsheet, r), render, majorDimension));
  return { spreadsheetId, valueRanges };
}

/** includeValuesInResponse and its render options, shared by update, append and batchUpdate. */
function responseRender(include: unknown, valueOpt: unknown, dateOpt: unknown): RenderOptions | undefined {
  if (include !== true && include !== 'true') return undefined;
  return parseRenderOptions(typeof valueOpt === 'string' ? valueOpt : null, typeof dateOpt === 'string' ? dateOpt : null);
}

function requirePlanInGrid(plan: WritePlan): void {
  const { sheet, box } = plan;
  if (box.endRow > sheet.rowCount || box.endColumn > sheet.columnCount) {
    throw gridLimitError(formatA1(sheet.title, box), sheet.rowCount, sheet.columnCount);
  }
}

/** Plans values.update-style writes: anchored at the range's top-left, bounded by the range. */
function planUpdate(spreadsheet: Spreadsheet, rangeText: string, valueRange: Body, option: ReturnType<typeof parseValueInputOption>): WritePlan {
  const resolved = resolveRange(spreadsheet, rangeText);
  requireWithinGrid(resolved.sheet, resolved.bounds);
  const majorDimension = parseMajorDimension(valueRange['majorDimension']);
  const rows = toRowMajor(valueRange['values'], majorDimension, 'values');
  const anchor = { row: resolved.bounds.startRow ?? 0, column: resolved.bounds.startColumn ?? 0 };
  const plan = planWrite(resolved.sheet, anchor, rows, option);
  // A single cell is where the data starts; any other range also bounds it.
  const open = resolved.singleCell;
  const target: Box = {
    startRow: anchor.row,
    endRow: (open ? undefined : resolved.bounds.endRow) ?? Number.POSITIVE_INFINITY,
    startColumn: anchor.column,
    endColumn: (open ? undefined : resolved.bounds.endColumn) ?? Number.POSITIVE_INFINITY,
  };
  requireFitsRange(plan, target, rangeText);
  requirePlanInGrid(plan);
  return plan;
}

export function valuesUpdate(data: SheetsData, spreadsheetId: string, range: string, body: unknown, query: URLSearchParams): UpdateValuesJson {
  const spreadsheet = findSpreadsheet(data.spreadsheets, spreadsheetId);
  const option = parseValueInputOption(query.get('valueInputOption'));
  const plan = planUpdate(spreadsheet, range, asBody(body), option);
  requireCellsEditable(plan.sheet, plan.cells, data.actor);
  applyWrite(plan);
  const render = responseRender(query.get('includeValuesInResponse'), query.get('responseValueRenderOption'), query.get('responseDateTimeRenderOption'));
  return updateSummary(spreadsheetId, plan, render);
}

export interface BatchUpdateValuesJson {
  spreadsheetId: string;
  totalUpdatedRows?: number;
  totalUpdatedColumns?: number;
  totalUpdatedCells?: number;
  totalUpdatedSheets?: number;
  responses: UpdateValuesJson[];
}

export function valuesBatchUpdate(data: SheetsData, spreadsheetId: string, rawBody: unknown): BatchUpdateValuesJson {
  const spreadsheet = findSpreadsheet(data.spreadsheets, spreadsheetId);
  const body = asBody(rawBody);
  const option = parseValueInputOption(typeof body['valueInputOption'] === 'string' ? body['valueInputOption'] : null);
  const entries = Array.isArray(body['data']) ? (body['data'] as unknown[]) : [];
  // Every entry is planned before any is applied: the whole call is atomic, as Google's is.
  const plans = entries.map((entry, i) => {
    try {
      const valueRange = asBody(entry);
      if (typeof valueRange['range'] !== 'string') throw invalidArgument('Missing range.');
      return planUpdate(spreadsheet, valueRange['range'], valueRange, option);
    } catch (err) {
      throw err instanceof ApiError ? err.withPrefix(`Invalid data[${i}]`) : err;
    }
  });
  for (const p of plans) requireCellsEditable(p.sheet, p.cells, data.actor);
  plans.forEach(applyWrite);
  const render = responseRender(body['includeValuesInResponse'], body['responseValueRenderOption'], body['responseDateTimeRenderOption']);
  const responses = plans.map((p) => updateSummary(spreadsheetId, p, render));
  const result: BatchUpdateValuesJson = { spreadsheetId, responses };
  const cells = plans.reduce((n, p) => n + p.cells.length, 0);
  if (cells > 0) {
    result.totalUpdatedRows = plans.reduce((n, p) => n + p.updatedRows, 0);
    result.totalUpdatedColumns = plans.reduce((n, p) => n + p.updatedColumns, 0);
    result.totalUpdatedCells = cells;
    result.totalUpdatedSheets = new Set(plans.filter((p) => p.cells.length > 0).map((p) => p.sheet.sheetId)).size;
  }
  return result;
}

export type InsertDataOption = 'OVERWRITE' | 'INSERT_ROWS';

function parseInsertDataOption(raw: string | null): InsertDataOption {
  if (raw === null || raw === 'OVERWRITE') return 'OVERWRITE';
  if (raw === 'INSERT_ROWS') return 'INSERT_ROWS';
  throw invalidArgument(`Invalid value at 'insert_data_option' (type.googleapis.com/google.apps.sheets.v4.InsertDataOption), "${raw}"`);
}

/** Grows the grid so the plan fits: rows are inserted (INSERT_ROWS) or appended at the end. */
function makeRoom(data: SheetsData, spreadsheet: Spreadsheet, plan: WritePlan, insert: InsertDataOption): void {
  const { sheet, box } = plan;
  const height = box.endRow - box.startRow;
  const addRows = insert === 'INSERT_ROWS' ? height : Math.max(0, box.endRow - sheet.rowCount);
  const addColumns = Math.max(0, box.endColumn - sheet.columnCount);
  const after = totalCells(spreadsheet) + addRows * (sheet.columnCount + addColumns) + addColumns * sheet.rowCount;
  if ((addRows > 0 || addColumns > 0) && after > data.maxCells) throw cellLimitError(data.maxCells);
  // Rows below move: formats kept as bands (model.ts) become cells first.
  if (insert === 'INSERT_ROWS' && height > 0) materializeBands(sheet, (r, c) => cellForWrite(sheet, r, c));
  if (insert === 'INSERT_ROWS' && sheet.rows.length > box.startRow) {
    // Array literals, not splice(...spread): a big batch would overflow the argument stack.
    sheet.rows = [...sheet.rows.slice(0, box.startRow), ...new Array<undefined>(height), ...sheet.rows.slice(box.startRow)];
  }
  sheet.rowCount += addRows;
  sheet.columnCount += addColumns;
}

export interface AppendValuesJson {
  spreadsheetId: string;
  tableRange?: string;
  updates: UpdateValuesJson;
}

export function valuesAppend(data: SheetsData, spreadsheetId: string, range: string, rawBody: unknown, query: URLSearchParams): AppendValuesJson {
  const spreadsheet = findSpreadsheet(data.spreadsheets, spreadsheetId);
  const option = parseValueInputOption(query.get('valueInputOption'));
  const insert = parseInsertDataOption(query.get('insertDataOption'));
  const body = asBody(rawBody);
  const resolved = resolveRange(spreadsheet, range);
  const sheet: Sheet = resolved.sheet;
  requireWithinGrid(sheet, resolved.bounds);
  const rows = toRowMajor(body['values'], parseMajorDimension(body['majorDimension']), 'values');
  const search = clampToGrid(sheet, resolved.bounds);
  const target = findAppendTarget(search, sheet, (r, c) => isFilled(sheet, r, c));
  const plan = planWrite(sheet, target, rows, option);
  requireCellsEditable(sheet, plan.cells, data.actor);
  makeRoom(data, spreadsheet, plan, insert);
  applyWrite(plan);
  const render = responseRender(query.get('includeValuesInResponse'), query.get('responseValueRenderOption'), query.get('responseDateTimeRenderOption'));
  // Key order as Google's: spreadsheetId, tableRange (only when a table was found), updates.
  const tableRange = target.table ? { tableRange: formatA1(sheet.title, target.table) } : {};
  return { spreadsheetId, ...tableRange, updates: updateSummary(spreadsheetId, plan, render) };
}

export function valuesClear(data: SheetsData, spreadsheetId: string, range: string): { spreadsheetId: string; clearedRange: string } {
  const spreadsheet = findSpreadsheet(data.spreadsheets, spreadsheetId);
  const resolved = resolveRange(spreadsheet, range);
  requireWithinGrid(resolved.sheet, resolved.bounds);
  const box = clampToGrid(resolved.sheet, resolved.bounds);
  requireEditable(resolved.sheet, box, data.actor);
  clearBox(resolved.sheet, box);
  return { spreadsheetId, clearedRange: formatA1(resolved.sheet.title, box) };
}

export function valuesBatchClear(data: SheetsData, spreadsheetId: string, rawBody: unknown): { spreadsheetId: string; clearedRanges: string[] } {
  const spreadsheet = findSpreadsheet(data.spreadsheets, spreadsheetId);
  const ranges = asBody(rawBody)['ranges'];
  const list = Array.isArray(ranges) ? ranges.map(String) : [];
  const resolved = list.map((r, i) => {
    try {
      const res = resolveRange(spreadsheet, r);
      requireWithinGrid(res.sheet, res.bounds);
      return res;
    } catch (err) {
      throw err instanceof ApiError ? err.withPrefix(`Invalid range[${i}]`) : err;
    }
  });
  for (const res of resolved) requireEditable(res.sheet, clampToGrid(res.sheet, res.bounds), data.actor);
  const clearedRanges = resolved.map((res) => {
    const box = clampToGrid(res.sheet, res.bounds);
    clearBox(res.sheet, box);
    return formatA1(res.sheet.title, box);
  });
  return { spreadsheetId, clearedRanges };
}
