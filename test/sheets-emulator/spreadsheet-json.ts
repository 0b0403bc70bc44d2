// The Spreadsheet resource as Google serialises it. Like Google (proto3 JSON), zero-valued
// optional fields such as gridProperties.frozenRowCount are left out, so clients must read
// them as `?? 0`; sheetId and index are always present.

import type { Box } from './a1.js';
import { formattedValue } from './cell-format.js';
import { developerMetadataJson } from './developer-metadata.js';
import { type Cell, type Sheet, type Spreadsheet, cellView, usedExtent } from './model.js';
import { protectedRangeJson } from './protection.js';
import { basicFilterJson } from './sort-filter.js';

type Json = Record<string, unknown>;

export interface SheetPropertiesJson {
  sheetId: number;
  title: string;
  index: number;
  sheetType: 'GRID';
  gridProperties: { rowCount: number; columnCount: number; frozenRowCount?: number; frozenColumnCount?: number };
}

export interface SpreadsheetJson {
  spreadsheetId: string;
  properties: Json;
  sheets: SheetJson[];
  spreadsheetUrl: string;
  developerMetadata?: Json[];
}

export interface SheetJson {
  properties: SheetPropertiesJson;
  data?: Json[];
  protectedRanges?: Json[];
  basicFilter?: Json;
  developerMetadata?: Json[];
}

export function sheetPropertiesJson(sheet: Sheet): SheetPropertiesJson {
  const gridProperties: SheetPropertiesJson['gridProperties'] = { rowCount: sheet.rowCount, columnCount: sheet.columnCount };
  if (sheet.frozenRowCount > 0) gridProperties.frozenRowCount = sheet.frozenRowCount;
  if (sheet.frozenColumnCount > 0) gridProperties.frozenColumnCount = sheet.frozenColumnCount;
  return { sheetId: sheet.sheetId, title: sheet.title, index: sheet.index, sheetType: 'GRID', gridProperties };
}

function extendedValue(cell: Cell): Json | undefined {
  if (cell.formula !== undefined) return { formulaValue: cell.formula };
  const v = cell.value;
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return undefined;
}

/** CellData as Google returns it with includeGridData: user-entered and effective value and format. */
export function cellDataJson(cell: Cell | undefined): Json {
  if (!cell) return {};
  const out: Json = {};
  const entered = extendedValue(cell);
  if (entered) {
    out['userEnteredValue'] = entered;
    // Formulas are not evaluated by the emulator, so the effective value is the stored one.
    out['effectiveValue'] = cell.value === undefined ? { stringValue: cell.formula } : extendedValue({ value: cell.value });
    out['formattedValue'] = formattedValue(cell);
  }
  if (cell.format) {
    out['userEnteredFormat'] = structuredClone(cell.format);
    out['effectiveFormat'] = structuredClone(cell.format);
  }
  return out;
}

export function gridDataJson(sheet: Sheet, box: Box): Json {
  const rowData: Json[] = [];
  for (let r = box.startRow; r < box.endRow; r++) {
    const values: Json[] = [];
    for (let c = box.startColumn; c < box.endColumn; c++) values.push(cellDataJson(cellView(sheet, r, c)));
    while (values.length > 0 && Object.keys(values[values.length - 1] ?? {}).length === 0) values.pop();
    rowData.push(values.length > 0 ? { values } : {});
  }
  while (rowData.length > 0 && Object.keys(rowData[rowData.length - 1] ?? {}).length === 0) rowData.pop();
  const data: Json = { rowData };
  if (box.startRow > 0) data['startRow'] = box.startRow;
  if (box.startColumn > 0) data['startColumn'] = box.startColumn;
  return data;
}

export interface SpreadsheetJsonOptions {
  includeGridData?: boolean;
  /** Boxes to return grid data for, per sheetId; without it, every sheet's used extent. */
  gridRanges?: Map<number, Box[]>;
}

export function spreadsheetJson(spreadsheet: Spreadsheet, options: SpreadsheetJsonOptions = {}): SpreadsheetJson {
  const sheets = [...spreadsheet.sheets].sort((a, b) => a.index - b.index).map((sheet) => {
    const entry: SheetJson = { properties: sheetPropertiesJson(sheet) };
    // Empty lists are left out, as in Google's JSON.
    if (sheet.protectedRanges.length > 0) entry.protectedRanges = sheet.protectedRanges.map((p) => protectedRangeJson(sheet, p));
    const filter = basicFilterJson(sheet);
    if (filter) entry.basicFilter = filter;
    const located = spreadsheet.developerMetadata.filter((m) => m.location.locationType === 'SHEET' && m.location.sheetId === sheet.sheetId);
    if (located.length > 0) entry.developerMetadata = located.map(developerMetadataJson);
    if (options.includeGridData) {
      const extent = usedExtent(sheet);
      const boxes = options.gridRanges ? (options.gridRanges.get(sheet.sheetId) ?? []) : extent ? [extent] : [];
      if (options.gridRanges === undefined || boxes.length > 0) entry.data = boxes.length > 0 ? boxes.map((b) => gridDataJson(sheet, b)) : [{}];
    }
    return entry;
  });
  const own = spreadsheet.developerMetadata.filter((m) => m.location.locationType === 'SPREADSHEET');
  return {
    spreadsheetId: spreadsheet.spreadsheetId,
    properties: {
      title: spreadsheet.title,
      locale: spreadsheet.locale,
      autoRecalc: 'ON_CHANGE',
      timeZone: spreadsheet.timeZone,
      defaultFormat: {
        backgroundColor: { red: 1, green: 1, blue: 1 },
        padding: { top: 2, right: 3, bottom: 2, left: 3 },
        verticalAlignment: 'BOTTOM',
        wrapStrategy: 'OVERFLOW_CELL',
        textFormat: { foregroundColor: {}, fontFamily: 'arial,sans,sans-serif', fontSize: 10, bold: false, italic: false, strikethrough: false, underline: false },
      },
    },
    sheets,
    spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${spreadsheet.spreadsheetId}/edit`,
    ...(own.length > 0 ? { developerMetadata: own.map(developerMetadataJson) } : {}),
  };
}
