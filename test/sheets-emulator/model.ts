// The emulator's data model: spreadsheets, their sheets (tabs) with grid properties, and
// sparse cell storage. Plain data plus small functions; no I/O.

import { randomBytes, randomInt } from 'node:crypto';
import { type Box, type GridBounds, formatA1, parseA1 } from './a1.js';
import { gridLimitError, invalidArgument, notFound, unableToParseRange } from './errors.js';

export type Scalar = string | number | boolean;

/** A cell format as the API takes it (`userEnteredFormat`): textFormat.bold, numberFormat, ... */
export type CellFormat = Record<string, unknown>;

export interface NumberFormat {
  type: string;
  pattern?: string;
}

export interface Cell {
  /** The stored (effective) value. Formulas are not evaluated; see README. */
  value?: Scalar;
  /** Set when the cell holds a formula entered with USER_ENTERED ("=..."). */
  formula?: string;
  format?: CellFormat;
}

export type Row = Array<Cell | undefined>;

/** A GridRange with every side explicit (0-based, end exclusive); open sides are closed at the grid. */
export interface GridBox {
  startRow: number;
  endRow: number;
  startColumn: number;
  endColumn: number;
}

/** addProtectedRange: writes into `box` by anyone but its editors (and the owner) are refused. */
export interface ProtectedRange {
  protectedRangeId: number;
  /** undefined: the whole sheet. */
  box?: GridBox;
  description?: string;
  warningOnly: boolean;
  /** Accounts (emails / subjects) allowed to edit; the owner always is. */
  editors: string[];
}

/** setBasicFilter: stored as given (criteria are not evaluated: no row is hidden by the emulator). */
export interface BasicFilter {
  box: GridBox;
  sortSpecs?: unknown[];
  filterSpecs?: unknown[];
  criteria?: Record<string, unknown>;
}

export type MetadataLocation =
  | { locationType: 'SPREADSHEET' }
  | { locationType: 'SHEET'; sheetId: number }
  | { locationType: 'ROW' | 'COLUMN'; sheetId: number; startIndex: number; endIndex: number };

export interface DeveloperMetadata {
  metadataId: number;
  metadataKey: string;
  metadataValue?: string;
  location: MetadataLocation;
  visibility: 'DOCUMENT' | 'PROJECT';
}

/** The account a person's edits are made as (the spreadsheet's owner): protections never stop it. */
export const OWNER = 'owner@people.example.com';

/**
 * A format-only repeatCell over cells that did not exist when it was applied, kept as a rule
 * instead of a cell per position (cells that existed got the format at once). A cell created in
 * its box later starts with the format of every band over it, in order (newCell), so the result
 * is what storing a formatted cell at every position gives; Sheets itself keeps formats by range.
 * Only requests that *set* format fields become bands, so a band's cells always have a format.
 * Requests that move or delete cells (insert, delete or move rows and columns, sort, a smaller
 * grid, append with INSERT_ROWS) first turn the bands into cells (materializeBands).
 */
export interface FormatBand {
  box: GridBox;
  /** Applies the request's format to a cell. */
  apply: (cell: Cell) => void;
}

export interface Sheet {
  sheetId: number;
  title: string;
  index: number;
  rowCount: number;
  columnCount: number;
  frozenRowCount: number;
  frozenColumnCount: number;
  rows: Array<Row | undefined>;
  /** Formats of not yet existing cells, oldest first. Replaced, never edited in place (drafts share it). */
  formatBands?: readonly FormatBand[];
  /** Replaced, never edited in place (drafts share it with the committed sheet). */
  protectedRanges: ProtectedRange[];
  basicFilter?: BasicFilter;
}

export interface Spreadsheet {
  spreadsheetId: string;
  title: string;
  locale: string;
  timeZone: string;
  sheets: Sheet[];
  /** Every developer metadata entry, wherever it is located. Replaced, never edited in place. */
  developerMetadata: DeveloperMetadata[];
}

export interface GridDefaults {
  rowCount: number;
  columnCount: number;
}

/** Everything the API handlers read and write: the spreadsheets plus the limits they obey. */
export interface SheetsData {
  spreadsheets: Map<string, Spreadsheet>;
  /** Workbook cell limit (Google: 10,000,000). */
  maxCells: number;
  /** Grid of new tabs (Google: 1000 x 26). */
  grid: GridDefaults;
  /**
   * Who the API call being applied acts as (its subject), set by the server around each
   * synchronous handler call; protected ranges are checked against it. Undefined: the owner.
   */
  actor?: string;
}

export const DEFAULT_GRID: Readonly<GridDefaults> = Object.freeze({ rowCount: 1000, columnCount: 26 });
/** Google's limit on rowCount * columnCount summed over all sheets of a spreadsheet. */
export const DEFAULT_MAX_CELLS = 10_000_000;

export interface SheetInit {
  sheetId?: number;
  title: string;
  index: number;
  rowCount: number;
  columnCount: number;
  frozenRowCount?: number;
  frozenColumnCount?: number;
}

export function newSheet(init: SheetInit): Sheet {
  return {
    sheetId: init.sheetId ?? 0,
    title: init.title,
    index: init.index,
    rowCount: init.rowCount,
    columnCount: init.columnCount,
    frozenRowCount: init.frozenRowCount ?? 0,
    frozenColumnCount: init.frozenColumnCount ?? 0,
    rows: [],
    protectedRanges: [],
  };
}

/** A new spreadsheet with one `Sheet1` tab whose sheetId is 0, as Google creates them. */
export function newSpreadsheet(spreadsheetId: string, title: string, grid: GridDefaults): Spreadsheet {
  return {
    spreadsheetId,
    title,
    locale: 'en_US',
    timeZone: 'Etc/GMT',
    sheets: [newSheet({ sheetId: 0, title: 'Sheet1', index: 0, ...grid })],
    developerMetadata: [],
  };
}

/** Google's ids are 44 URL-safe characters. */
export function newSpreadsheetId(): string {
  return randomBytes(33).toString('base64url');
}

/** Google gives new tabs random positive int32 ids; callers must never assume small numbers. */
export function newSheetId(existing: readonly Sheet[]): number {
  for (;;) {
    const id = randomInt(1, 2 ** 31 - 1);
    if (!existing.some((s) => s.sheetId === id)) return id;
  }
}

export function totalCells(spreadsheet: Spreadsheet): number {
  return spreadsheet.sheets.reduce((sum, s) => sum + s.rowCount * s.columnCount, 0);
}

export function getCell(sheet: Sheet, row: number, column: number): Cell | undefined {
  return sheet.rows[row]?.[column];
}

export function isFilled(sheet: Sheet, row: number, column: number): boolean {
  const cell = getCell(sheet, row, column);
  return cell !== undefined && (cell.value !== undefined || cell.formula !== undefined);
}

function inBox(box: GridBox, row: number, column: number): boolean {
  return row >= box.startRow && row < box.endRow && column >= box.startColumn && column < box.endColumn;
}

/** A cell about to be stored at (row, column): empty, with the formats of the bands over it. */
export function newCell(sheet: Sheet, row: number, column: number): Cell {
  const cell: Cell = {};
  for (const band of sheet.formatBands ?? []) if (inBox(band.box, row, column)) band.apply(cell);
  return cell;
}

/** The cell at (row, column) with its format: the stored one, or what the bands give an empty one. */
export function cellView(sheet: Sheet, row: number, column: number): Cell | undefined {
  const stored = getCell(sheet, row, column);
  if (stored || !sheet.formatBands?.length) return stored;
  const virtual = newCell(sheet, row, column);
  return virtual.format ? virtual : undefined;
}

/**
 * Stores a cell at every position the bands cover and drops the bands (`create` stores a new cell
 * the usual way, which gives it the bands' formats): before cells move or are deleted.
 */
export function materializeBands(sheet: Sheet, create: (row: number, column: number) => Cell): void {
  const bands = sheet.formatBands;
  if (!bands?.length) return;
  for (const { box } of bands) {
    for (let r = box.startRow; r < box.endRow; r++) {
      for (let c = box.startColumn; c < box.endColumn; c++) if (!getCell(sheet, r, c)) create(r, c);
    }
  }
  delete sheet.formatBands;
}

/** Returns the cell at (row, column), creating it (and its row) when missing. */
export function cellForWrite(sheet: Sheet, row: number, column: number): Cell {
  let r = sheet.rows[row];
  if (!r) {
    r = [];
    sheet.rows[row] = r;
  }
  let cell = r[column];
  if (!cell) {
    cell = newCell(sheet, row, column);
    r[column] = cell;
  }
  return cell;
}

/** Removes rows and columns that fell outside the grid after it shrank. */
export function truncateToGrid(sheet: Sheet): void {
  materializeBands(sheet, (r, c) => cellForWrite(sheet, r, c));
  sheet.rows.length = Math.min(sheet.rows.length, sheet.rowCount);
  for (const row of sheet.rows) {
    if (row && row.length > sheet.columnCount) row.length = sheet.columnCount;
  }
}

export function findSpreadsheet(spreadsheets: Map<string, Spreadsheet>, id: string): Spreadsheet {
  const found = spreadsheets.get(id);
  if (!found) throw notFound();
  return found;
}

/** Sheet titles are unique without regard to case, and ranges find them the same way. */
export function findSheetByTitle(spreadsheet: Spreadsheet, title: string): Sheet | undefined {
  const lower = title.toLowerCase();
  return spreadsheet.sheets.find((s) => s.title.toLowerCase() === lower);
}

export function findSheetById(spreadsheet: Spreadsheet, sheetId: number): Sheet {
  const sheet = spreadsheet.sheets.find((s) => s.sheetId === sheetId);
  if (!sheet) throw invalidArgument(`No grid with id: ${sheetId}`);
  return sheet;
}

export function firstSheet(spreadsheet: Spreadsheet): Sheet {
  const sorted = [...spreadsheet.sheets].sort((a, b) => a.index - b.index);
  const first = sorted[0];
  if (!first) throw invalidArgument('The spreadsheet has no sheets.');
  return first;
}

export interface ResolvedRange {
  sheet: Sheet;
  bounds: GridBounds;
  /** The range text as the caller sent it, for error messages that echo it. */
  text: string;
  singleCell: boolean;
}

/** Resolves A1 text against a spreadsheet; unknown sheets and bad syntax are Google's 400. */
export function resolveRange(spreadsheet: Spreadsheet, text: string): ResolvedRange {
  const parsed = parseA1(text);
  if (!parsed) throw unableToParseRange(text);
  const sheet = parsed.sheetName === undefined ? firstSheet(spreadsheet) : findSheetByTitle(spreadsheet, parsed.sheetName);
  if (!sheet) throw unableToParseRange(text);
  return { sheet, bounds: parsed.bounds, text, singleCell: parsed.singleCell === true };
}

/** Every explicit bound must lie inside the grid, else Google's "exceeds grid limits" 400. */
export function requireWithinGrid(sheet: Sheet, bounds: GridBounds): void {
  const outside =
    (bounds.startRow ?? 0) >= sheet.rowCount ||
    (bounds.startColumn ?? 0) >= sheet.columnCount ||
    (bounds.endRow !== undefined && bounds.endRow > sheet.rowCount) ||
    (bounds.endColumn !== undefined && bounds.endColumn > sheet.columnCount);
  if (outside) throw gridLimitError(formatA1(sheet.title, bounds), sheet.rowCount, sheet.columnCount);
}

/** Closes the open sides of a range at the grid's edges. */
export function clampToGrid(sheet: Sheet, bounds: GridBounds): Box {
  return {
    startRow: Math.min(bounds.startRow ?? 0, sheet.rowCount),
    endRow: Math.min(bounds.endRow ?? sheet.rowCount, sheet.rowCount),
    startColumn: Math.min(bounds.startColumn ?? 0, sheet.columnCount),
    endColumn: Math.min(bounds.endColumn ?? sheet.columnCount, sheet.columnCount),
  };
}

/** The smallest box holding every non-empty cell, or undefined for an empty sheet. */
export function usedExtent(sheet: Sheet): Box | undefined {
  let endRow = 0;
  let endColumn = 0;
  // Every position a band covers has a format (FormatBand).
  for (const { box } of sheet.formatBands ?? []) {
    endRow = Math.max(endRow, box.endRow);
    endColumn = Math.max(endColumn, box.endColumn);
  }
  sheet.rows.forEach((row, r) => {
    row?.forEach((_cell, c) => {
      if (isFilled(sheet, r, c) || getCell(sheet, r, c)?.format) {
        endRow = Math.max(endRow, r + 1);
        endColumn = Math.max(endColumn, c + 1);
      }
    });
  });
  return endRow === 0 ? undefined : { startRow: 0, endRow, startColumn: 0, endColumn };
}
