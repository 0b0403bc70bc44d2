import type { sheets_v4 } from '@googleapis/sheets';
import { DEVICE_FIXED_COLUMNS, LONG_COLUMNS, rowValues, type Layout, type LogicalValue, type TableRow } from '../layout.js';
import type { ZoneClock } from '../../time/time-zone.js';

/**
 * Pure translation of planned rows into Sheets API request bodies. No I/O: every function here
 * is tested with plain values.
 */

export type SheetValue = string | number | boolean;

/** Number format of the time columns: Sheets shows, sorts and charts them as date-times. */
export const DATE_TIME_FORMAT: sheets_v4.Schema$NumberFormat = { type: 'DATE_TIME', pattern: 'yyyy-mm-dd hh:mm:ss.000' };
export const TIME_COLUMNS = ['time', 'received'];

/** 'My tab' → "'My tab'" (A1 sheet names are quoted, quotes doubled). */
export function quoteTitle(title: string): string {
  return `'${title.replace(/'/g, "''")}'`;
}

/** 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** A1 range of rows `first..last` (1-based) over `width` columns from A. */
export function rowsRange(title: string, first: number, last: number, width: number): string {
  return `${quoteTitle(title)}!A${first}:${columnLetter(Math.max(1, width) - 1)}${last}`;
}

/** A1 range of whole rows `first..last` (every column). */
export function wholeRows(title: string, first: number, last: number): string {
  return `${quoteTitle(title)}!${first}:${last}`;
}

/**
 * Renders a logical value for a RAW write: instants become serial date-times in the zone, rounded
 * to 9 decimals (86 µs: every millisecond stays exact, and each time is 2-3 bytes shorter than
 * the full double, which counts in requests of 20,000 rows).
 */
export function sheetValue(v: LogicalValue, zone: ZoneClock): SheetValue {
  if (v === null) return '';
  if (typeof v === 'object') return Math.round(zone.serial(v.time) * 1e9) / 1e9;
  return v;
}

export function encodeRows(columns: readonly string[], rows: readonly TableRow[], zone: ZoneClock): SheetValue[][] {
  return rows.map((row) => rowValues(columns, row).map((v) => sheetValue(v, zone)));
}

/**
 * JSON size of a row's cells in a values request, as sent (for filling requests up to the limit
 * without passing it): brackets, commas, and each value as encoded (times as their serials), in
 * the order of `columns`, up to the last non-empty one (trailing empty cells are not sent:
 * columns.ts `spread`). Cells of columns the row does not use count 3 bytes (`,""`) when a filled
 * one follows them.
 */
export function estimateRowBytes(row: TableRow, columns: readonly string[], zone: ZoneClock): number {
  let n = 2;
  let empties = 0;
  for (const c of columns) {
    const v = Object.hasOwn(row.cells, c) ? sheetValue(row.cells[c] as LogicalValue, zone) : '';
    if (v === '') {
      empties++;
      continue;
    }
    n += empties * 3 + Buffer.byteLength(JSON.stringify(v)) + 1;
    empties = 0;
  }
  return n;
}

export function fixedColumns(layout: Layout): readonly string[] {
  return layout === 'long' ? LONG_COLUMNS : DEVICE_FIXED_COLUMNS;
}

export interface NewTab {
  sheetId: number;
  title: string;
  rows: number;
  columns: string[];
}

/** addSheet with a frozen header row, the header in bold, and the time columns as date-times. */
export function addTabRequests(tab: NewTab): sheets_v4.Schema$Request[] {
  return [
    {
      addSheet: {
        properties: { sheetId: tab.sheetId, title: tab.title, gridProperties: { rowCount: tab.rows, columnCount: tab.columns.length, frozenRowCount: 1 } },
      },
    },
    ...headerRequests(tab.sheetId, tab.columns, 0, tab.rows),
  ];
}

/**
 * Writes the header (bold, frozen) and formats the time columns of rows `dataFrom..rows`: used for
 * a new tab and for an adopted tab whose header row is empty.
 */
export function headerRequests(sheetId: number, columns: readonly string[], dataFrom: number, rows: number): sheets_v4.Schema$Request[] {
  return [
    {
      updateCells: {
        range: { sheetId, startRowIndex: 0, endRowIndex: 1, startColumnIndex: 0, endColumnIndex: columns.length },
        rows: [{ values: columns.map((c) => ({ userEnteredValue: { stringValue: c }, userEnteredFormat: { textFormat: { bold: true } } })) }],
        fields: 'userEnteredValue,userEnteredFormat.textFormat.bold',
      },
    },
    {
      updateSheetProperties: { properties: { sheetId, gridProperties: { frozenRowCount: 1 } }, fields: 'gridProperties.frozenRowCount' },
    },
    ...timeFormatRequests(sheetId, columns, Math.max(1, dataFrom), rows),
  ];
}

export interface Growth {
  sheetId: number;
  fromRows: number;
  toRows: number;
  fromCols: number;
  toCols: number;
  columns: readonly string[];
}

/**
 * Grows a tab's grid to an absolute size (repeating the request changes nothing, unlike
 * appendDimension) and formats what is new: time columns of the new rows, header cells of the
 * new columns.
 */
export function growRequests(g: Growth): sheets_v4.Schema$Request[] {
  const requests: sheets_v4.Schema$Request[] = [
    {
      updateSheetProperties: {
        properties: { sheetId: g.sheetId, gridProperties: { rowCount: g.toRows, columnCount: g.toCols } },
        fields: 'gridProperties.rowCount,gridProperties.columnCount',
      },
    },
  ];
  if (g.toRows > g.fromRows) requests.push(...timeFormatRequests(g.sheetId, g.columns, Math.max(1, g.fromRows), g.toRows));
  if (g.toCols > g.fromCols) {
    requests.push({
      repeatCell: {
        range: { sheetId: g.sheetId, startRowIndex: 0, endRowIndex: 1, startColumnIndex: g.fromCols, endColumnIndex: g.toCols },
        cell: { userEnteredFormat: { textFormat: { bold: true } } },
        fields: 'userEnteredFormat.textFormat.bold',
      },
    });
  }
  return requests;
}

function timeFormatRequests(sheetId: number, columns: readonly string[], fromRow: number, toRow: number): sheets_v4.Schema$Request[] {
  if (toRow <= fromRow) return [];
  return TIME_COLUMNS.map((c) => columns.indexOf(c))
    .filter((i) => i >= 0)
    .map((i) => ({
      repeatCell: {
        range: { sheetId, startRowIndex: fromRow, endRowIndex: toRow, startColumnIndex: i, endColumnIndex: i + 1 },
        cell: { userEnteredFormat: { numberFormat: DATE_TIME_FORMAT } },
        fields: 'userEnteredFormat.numberFormat',
      },
    }));
}

/**
 * The tab-level developer metadata that marks a tab as sheetlog's (which tab key and part), so
 * the tab is recognised whatever a person does to its title, rows or columns. DOCUMENT
 * visibility: any app with access to the spreadsheet can see it, so another gateway with other
 * credentials (another Cloud project) recognises it too.
 */
export function markTabRequest(sheetId: number, mark: { base: string; tabKey: string; part: number }): sheets_v4.Schema$Request {
  const value = JSON.stringify({ base: mark.base, tabKey: mark.tabKey, part: mark.part });
  return {
    createDeveloperMetadata: {
      developerMetadata: { metadataKey: 'sheetlog.tab', metadataValue: value, location: { sheetId }, visibility: 'DOCUMENT' },
    },
  };
}
