// spreadsheets.get and spreadsheets.create.

import type { Box } from './a1.js';
import { cellLimitError, invalidArgument } from './errors.js';
import {
  type SheetsData,
  type Spreadsheet,
  clampToGrid,
  findSpreadsheet,
  newSheet,
  newSheetId,
  newSpreadsheetId,
  requireWithinGrid,
  resolveRange,
  totalCells,
} from './model.js';
import { type SpreadsheetJson, spreadsheetJson } from './spreadsheet-json.js';

type Json = Record<string, unknown>;

/** GET /v4/spreadsheets/{id}: `ranges` narrows the sheets (and grid data) returned. */
export function spreadsheetsGet(data: SheetsData, spreadsheetId: string, query: URLSearchParams): SpreadsheetJson {
  const spreadsheet = findSpreadsheet(data.spreadsheets, spreadsheetId);
  const includeGridData = query.get('includeGridData') === 'true';
  const ranges = query.getAll('ranges');
  if (ranges.length === 0) return spreadsheetJson(spreadsheet, { includeGridData });
  const gridRanges = new Map<number, Box[]>();
  for (const text of ranges) {
    const { sheet, bounds } = resolveRange(spreadsheet, text);
    requireWithinGrid(sheet, bounds);
    gridRanges.set(sheet.sheetId, [...(gridRanges.get(sheet.sheetId) ?? []), clampToGrid(sheet, bounds)]);
  }
  const json = spreadsheetJson(spreadsheet, { includeGridData, gridRanges });
  json.sheets = json.sheets.filter((s) => gridRanges.has(s.properties.sheetId));
  return json;
}

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function count(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw invalidArgument(`Invalid ${what}: ${String(value)}`);
  return value;
}

/** POST /v4/spreadsheets: a new spreadsheet, with the sheets asked for or a default Sheet1. */
export function spreadsheetsCreate(data: SheetsData, rawBody: unknown): SpreadsheetJson {
  const body = asObject(rawBody);
  const props = asObject(body['properties']);
  const spreadsheet: Spreadsheet = {
    spreadsheetId: newSpreadsheetId(),
    title: typeof props['title'] === 'string' ? props['title'] : 'Untitled spreadsheet',
    locale: typeof props['locale'] === 'string' ? props['locale'] : 'en_US',
    timeZone: typeof props['timeZone'] === 'string' ? props['timeZone'] : 'Etc/GMT',
    sheets: [],
    developerMetadata: [],
  };
  const requested = Array.isArray(body['sheets']) ? body['sheets'] : [{}];
  requested.forEach((raw, i) => {
    const sp = asObject(asObject(raw)['properties']);
    const grid = asObject(sp['gridProperties']);
    const title = typeof sp['title'] === 'string' && sp['title'] !== '' ? sp['title'] : `Sheet${i + 1}`;
    if (spreadsheet.sheets.some((s) => s.title.toLowerCase() === title.toLowerCase())) {
      throw invalidArgument(`Invalid sheets[${i}]: A sheet with the name "${title}" already exists. Please enter another name.`);
    }
    spreadsheet.sheets.push(
      newSheet({
        sheetId: typeof sp['sheetId'] === 'number' ? sp['sheetId'] : i === 0 ? 0 : newSheetId(spreadsheet.sheets),
        title,
        index: i,
        rowCount: count(grid['rowCount'], data.grid.rowCount, 'rowCount'),
        columnCount: count(grid['columnCount'], data.grid.columnCount, 'columnCount'),
        frozenRowCount: typeof grid['frozenRowCount'] === 'number' ? grid['frozenRowCount'] : 0,
        frozenColumnCount: typeof grid['frozenColumnCount'] === 'number' ? grid['frozenColumnCount'] : 0,
      }),
    );
  });
  if (totalCells(spreadsheet) > data.maxCells) throw cellLimitError(data.maxCells);
  data.spreadsheets.set(spreadsheet.spreadsheetId, spreadsheet);
  return spreadsheetJson(spreadsheet);
}
