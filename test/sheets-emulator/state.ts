// JSON snapshots of the emulator's spreadsheets for GET /_emulator/state and emu.state():
// every tab with its grid properties, its values (unformatted, trimmed like values.get) and
// every non-empty cell with its value, formatted value and format. And the plain view of
// GET /_emulator/spreadsheets/<id> and emu.tabs(id): each tab's rows as a person sees them.

import { developerMetadataJson } from './developer-metadata.js';
import { protectedRangeJson } from './protection.js';
import { basicFilterJson } from './sort-filter.js';
import { cellName } from './a1.js';
import { formattedValue } from './cell-format.js';
import { type Cell, type CellFormat, type Scalar, type Sheet, type Spreadsheet, cellView, usedExtent } from './model.js';
import { readBox } from './value-ranges.js';

export interface CellState {
  value?: Scalar;
  formula?: string;
  formattedValue?: string;
  format?: CellFormat;
}

export interface SheetState {
  sheetId: number;
  title: string;
  index: number;
  gridProperties: { rowCount: number; columnCount: number; frozenRowCount: number; frozenColumnCount: number };
  /** Row-major values as values.get with UNFORMATTED_VALUE returns them (dates as serial numbers). */
  values: Scalar[][];
  /** Non-empty cells by A1 name ("A1", "C12"). */
  cells: Record<string, CellState>;
  /** As spreadsheets.get returns them; absent when there are none. */
  protectedRanges?: Record<string, unknown>[];
  basicFilter?: Record<string, unknown>;
  /** Developer metadata located on the sheet or its rows and columns. */
  developerMetadata?: Record<string, unknown>[];
}

export interface SpreadsheetState {
  spreadsheetId: string;
  title: string;
  sheets: SheetState[];
}

export interface EmulatorState {
  spreadsheets: SpreadsheetState[];
}

function sheetState(sheet: Sheet, spreadsheet: Spreadsheet): SheetState {
  const extent = usedExtent(sheet);
  const values = extent ? (readBox(sheet, extent, { valueRenderOption: 'UNFORMATTED_VALUE', dateTimeRenderOption: 'SERIAL_NUMBER' }, 'ROWS').values ?? []) : [];
  const cells: Record<string, CellState> = {};
  const add = (cell: Cell | undefined, r: number, c: number): void => {
    if (!cell || (cell.value === undefined && cell.formula === undefined && !cell.format)) return;
    const state: CellState = {};
    if (cell.value !== undefined) state.value = cell.value;
    if (cell.formula !== undefined) state.formula = cell.formula;
    if (cell.value !== undefined || cell.formula !== undefined) state.formattedValue = formattedValue(cell);
    if (cell.format) state.format = structuredClone(cell.format);
    cells[cellName(r, c)] = state;
  };
  if (sheet.formatBands?.length) {
    // Row by row over the used extent, the bands' formats included (model.ts, FormatBand).
    for (let r = 0; r < (extent?.endRow ?? 0); r++) {
      const width = Math.max(extent?.endColumn ?? 0, sheet.rows[r]?.length ?? 0);
      for (let c = 0; c < width; c++) add(cellView(sheet, r, c), r, c);
    }
  } else sheet.rows.forEach((row, r) => row?.forEach((cell, c) => add(cell, r, c)));
  return {
    sheetId: sheet.sheetId,
    title: sheet.title,
    index: sheet.index,
    gridProperties: { rowCount: sheet.rowCount, columnCount: sheet.columnCount, frozenRowCount: sheet.frozenRowCount, frozenColumnCount: sheet.frozenColumnCount },
    values,
    cells,
    ...(sheet.protectedRanges.length > 0 ? { protectedRanges: sheet.protectedRanges.map((p) => protectedRangeJson(sheet, p)) } : {}),
    ...(sheet.basicFilter ? { basicFilter: basicFilterJson(sheet) } : {}),
    ...anchoredMetadata(sheet, spreadsheet),
  };
}

function anchoredMetadata(sheet: Sheet, spreadsheet: Spreadsheet): Pick<SheetState, 'developerMetadata'> {
  const own = spreadsheet.developerMetadata.filter((m) => 'sheetId' in m.location && m.location.sheetId === sheet.sheetId);
  return own.length > 0 ? { developerMetadata: own.map(developerMetadataJson) } : {};
}

export function snapshot(spreadsheets: Iterable<Spreadsheet>, onlyId?: string): EmulatorState {
  const list = [...spreadsheets].filter((s) => onlyId === undefined || s.spreadsheetId === onlyId);
  return {
    spreadsheets: list.map((s) => ({
      spreadsheetId: s.spreadsheetId,
      title: s.title,
      sheets: [...s.sheets].sort((a, b) => a.index - b.index).map((sheet) => sheetState(sheet, s)),
    })),
  };
}

/** GET /_emulator/spreadsheets/<id>: every tab (by title, in tab order) and all its rows, header included. */
export interface SpreadsheetTabs {
  tabs: Record<string, string[][]>;
}

/**
 * Each tab's rows as values.get with FORMATTED_VALUE answers for the whole tab: the text a
 * person sees (numbers and date-times through their formats), trailing empty cells and rows
 * trimmed, an empty row between data kept as [] and an empty cell as "".
 */
export function tabsView(spreadsheet: Spreadsheet): SpreadsheetTabs {
  const render = { valueRenderOption: 'FORMATTED_VALUE', dateTimeRenderOption: 'FORMATTED_STRING' } as const;
  const sheets = [...spreadsheet.sheets].sort((a, b) => a.index - b.index);
  const tabs = sheets.map((sheet): [string, string[][]] => {
    const extent = usedExtent(sheet);
    const rows = extent ? (readBox(sheet, extent, render, 'ROWS').values ?? []) : [];
    return [sheet.title, rows.map((row) => row.map(String))];
  });
  return { tabs: Object.fromEntries(tabs) };
}
