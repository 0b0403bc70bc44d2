// Formats over ranges are kept as bands (model.ts, FormatBand), not as a cell per position: a
// date format down a million-row column costs nothing, and every answer is what a formatted cell
// at every position gives (checked against the same requests with the bands turned into cells
// after each one: the emulator as it stored formats before).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spreadsheetsBatchUpdate } from './batch-update.js';
import { DEFAULT_GRID, type SheetsData, type Sheet, cellForWrite, materializeBands, newSpreadsheet, totalCells } from './model.js';
import { spreadsheetsGet } from './spreadsheets.js';
import { snapshot, tabsView } from './state.js';
import { valuesAppend, valuesBatchUpdate, valuesGet } from './values.js';

const ID = 'book';

function fixture(): SheetsData {
  const data: SheetsData = { spreadsheets: new Map(), maxCells: 10_000_000, grid: DEFAULT_GRID };
  data.spreadsheets.set(ID, newSpreadsheet(ID, 'Book', DEFAULT_GRID));
  return data;
}

function sheetOf(data: SheetsData, title: string): Sheet {
  const sheet = data.spreadsheets.get(ID)?.sheets.find((s) => s.title === title);
  assert.ok(sheet, `no sheet ${title}`);
  return sheet;
}

const batch = (data: SheetsData, ...requests: unknown[]) => spreadsheetsBatchUpdate(data, ID, { requests });
const write = (data: SheetsData, range: string, values: unknown[][]) => valuesBatchUpdate(data, ID, { valueInputOption: 'RAW', data: [{ range, values }] });
const formatted = (data: SheetsData, range: string) => valuesGet(data, ID, range, new URLSearchParams({ valueRenderOption: 'FORMATTED_VALUE' })).values;
const DATE_TIME = { type: 'DATE_TIME', pattern: 'yyyy-mm-dd hh:mm:ss' };

function format(sheetId: number, rows: [number, number], columns: [number, number], userEnteredFormat: Record<string, unknown>, fields: string) {
  return { repeatCell: { range: { sheetId, startRowIndex: rows[0], endRowIndex: rows[1], startColumnIndex: columns[0], endColumnIndex: columns[1] }, cell: { userEnteredFormat }, fields } };
}

describe('format bands', () => {
  it('a date format down a million-row grid stores no cell; cells written later show it', () => {
    const data = fixture();
    batch(
      data,
      { addSheet: { properties: { sheetId: 7, title: 'Log', gridProperties: { rowCount: 1_000_000, columnCount: 9, frozenRowCount: 1 } } } },
      format(7, [1, 1_000_000], [0, 1], { numberFormat: DATE_TIME }, 'userEnteredFormat.numberFormat'),
      format(7, [1, 1_000_000], [7, 8], { numberFormat: DATE_TIME }, 'userEnteredFormat.numberFormat'),
    );
    const sheet = sheetOf(data, 'Log');
    assert.equal(sheet.rows.length, 0, 'no row stored for a format');
    assert.equal(sheet.formatBands?.length, 2);
    assert.equal(totalCells(data.spreadsheets.get(ID)!), 26_000 + 9_000_000, 'the grid counts in full, as at Google');
    write(data, 'Log!A999999:C999999', [[46000.5, 46000.5, 'x']]);
    assert.deepEqual(formatted(data, 'Log!A999999:C999999'), [['2025-12-09 12:00:00', '46000.5', 'x']]);
    assert.equal(sheet.rows.filter(Boolean).length, 1, 'only the written row is stored');
  });

  it('answers as if every position held its formatted cell, through writes, inserts, deletes, sorts, appends and a smaller grid', () => {
    const banded = fixture();
    const eager = fixture();
    const steps: [string, (d: SheetsData) => unknown][] = [
      ['addSheet', (d) => batch(d, { addSheet: { properties: { sheetId: 3, title: 'Log', gridProperties: { rowCount: 30, columnCount: 6 } } } })],
      ['values before any format', (d) => write(d, 'Log!A2:C4', [[46000, 2, 'a'], [45000.25, 1, 'b'], [44000.75, 3, 'c']])],
      ['a date format down column A', (d) => batch(d, format(3, [1, 20], [0, 1], { numberFormat: DATE_TIME }, 'userEnteredFormat.numberFormat'))],
      ['bold over A1:D10, over it and the values', (d) => batch(d, format(3, [0, 10], [0, 4], { textFormat: { bold: true } }, 'userEnteredFormat.textFormat.bold'))],
      ['a cell\'s own format', (d) => batch(d, { updateCells: { start: { sheetId: 3, rowIndex: 5, columnIndex: 0 }, rows: [{ values: [{ userEnteredFormat: { numberFormat: { type: 'NUMBER', pattern: '0.0' } } }] }], fields: 'userEnteredFormat.numberFormat' } })],
      ['values into formatted cells', (d) => write(d, 'Log!A5:B8', [[46001, 5], [46002, 6], [46003, 7], [46004, 8]])],
      ['a format request that clears (stored per cell)', (d) => batch(d, format(3, [2, 4], [0, 1], {}, 'userEnteredFormat.textFormat.bold'))],
      ['the whole format replaced', (d) => batch(d, format(3, [8, 12], [0, 2], { numberFormat: { type: 'PERCENT' } }, 'userEnteredFormat'))],
      ['rows inserted', (d) => batch(d, { insertDimension: { range: { sheetId: 3, dimension: 'ROWS', startIndex: 3, endIndex: 5 } } })],
      ['a format after the insert', (d) => batch(d, format(3, [10, 25], [1, 2], { numberFormat: { type: 'PERCENT' } }, 'userEnteredFormat.numberFormat'))],
      ['sorted', (d) => batch(d, { sortRange: { range: { sheetId: 3, startRowIndex: 1, endRowIndex: 15, startColumnIndex: 0, endColumnIndex: 3 }, sortSpecs: [{ dimensionIndex: 1, sortOrder: 'DESCENDING' }] } })],
      ['rows deleted', (d) => batch(d, { deleteDimension: { range: { sheetId: 3, dimension: 'ROWS', startIndex: 12, endIndex: 14 } } })],
      ['a background on the right', (d) => batch(d, format(3, [20, 30], [4, 6], { backgroundColor: { red: 1 } }, 'userEnteredFormat.backgroundColor'))],
      ['a column inserted', (d) => batch(d, { insertDimension: { range: { sheetId: 3, dimension: 'COLUMNS', startIndex: 1, endIndex: 2 } } })],
      ['a format, then rows appended with INSERT_ROWS', (d) => (batch(d, format(3, [0, 30], [2, 3], { textFormat: { italic: true } }, 'userEnteredFormat.textFormat.italic')), valuesAppend(d, ID, 'Log!A1:D3', { values: [[1, 2, 3]] }, new URLSearchParams({ valueInputOption: 'RAW', insertDataOption: 'INSERT_ROWS' })))],
      ['a format, then a smaller grid', (d) => (batch(d, format(3, [5, 31], [0, 1], { textFormat: { italic: true } }, 'userEnteredFormat.textFormat.italic')), batch(d, { updateSheetProperties: { properties: { sheetId: 3, gridProperties: { rowCount: 26 } }, fields: 'gridProperties.rowCount' } }))],
      ['a last format and values under it', (d) => (batch(d, format(3, [15, 26], [0, 7], { numberFormat: DATE_TIME }, 'userEnteredFormat.numberFormat')), write(d, 'Log!A20:G20', [[46005, 1, 2, 3, 4, 5, 6]]))],
    ];
    let banded_ = 0;
    for (const [what, step] of steps) {
      step(banded);
      step(eager);
      for (const s of eager.spreadsheets.get(ID)!.sheets) materializeBands(s, (r, c) => cellForWrite(s, r, c));
      banded_ = Math.max(banded_, sheetOf(banded, 'Log').formatBands?.length ?? 0);
      assert.deepEqual(snapshot(banded.spreadsheets.values()), snapshot(eager.spreadsheets.values()), `state after: ${what}`);
      assert.deepEqual(spreadsheetsGet(banded, ID, new URLSearchParams({ includeGridData: 'true' })), spreadsheetsGet(eager, ID, new URLSearchParams({ includeGridData: 'true' })), `grid data after: ${what}`);
      assert.deepEqual(tabsView(banded.spreadsheets.get(ID)!), tabsView(eager.spreadsheets.get(ID)!), `tabs after: ${what}`);
      assert.deepEqual(formatted(banded, 'Log'), formatted(eager, 'Log'), `formatted values after: ${what}`);
    }
    assert.ok(banded_ >= 2, 'the banded side kept formats as bands');
  });

  it('a failed batch leaves the bands as they were (atomic, like every batch)', () => {
    const data = fixture();
    batch(data, { addSheet: { properties: { sheetId: 3, title: 'Log', gridProperties: { rowCount: 100, columnCount: 3 } } } });
    batch(data, format(3, [1, 100], [0, 1], { numberFormat: DATE_TIME }, 'userEnteredFormat.numberFormat'));
    const before = sheetOf(data, 'Log').formatBands;
    assert.throws(() => batch(data, format(3, [1, 100], [1, 2], { numberFormat: DATE_TIME }, 'userEnteredFormat.numberFormat'), { deleteSheet: { sheetId: 99 } }));
    assert.equal(sheetOf(data, 'Log').formatBands, before);
  });
});
