// spreadsheets.batchUpdate and spreadsheets.get/create as pure functions over the model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spreadsheetsBatchUpdate } from './batch-update.js';
import { ApiError } from './errors.js';
import { DEFAULT_GRID, type SheetsData, newSpreadsheet } from './model.js';
import { spreadsheetsCreate, spreadsheetsGet } from './spreadsheets.js';
import { snapshot } from './state.js';
import { valuesGet, valuesUpdate } from './values.js';

const ID = 'book';

function fixture(maxCells = 10_000_000): SheetsData {
  const data: SheetsData = { spreadsheets: new Map(), maxCells, grid: DEFAULT_GRID };
  data.spreadsheets.set(ID, newSpreadsheet(ID, 'Book', DEFAULT_GRID));
  return data;
}

function batch(data: SheetsData, ...requests: unknown[]) {
  return spreadsheetsBatchUpdate(data, ID, { requests });
}

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail('expected an ApiError');
}

function sheetNamed(data: SheetsData, title: string) {
  const sheet = data.spreadsheets.get(ID)?.sheets.find((s) => s.title === title);
  assert.ok(sheet, `no sheet ${title}`);
  return sheet;
}

describe('spreadsheets.batchUpdate', () => {
  it('adds a sheet with Google\'s defaults and replies with its properties', () => {
    const data = fixture();
    const res = batch(data, { addSheet: { properties: { title: 'Readings' } } });
    const props = res.replies[0]?.['addSheet'] as { properties: Record<string, unknown> };
    assert.equal(props.properties['title'], 'Readings');
    assert.equal(props.properties['index'], 1);
    assert.deepEqual(props.properties['gridProperties'], { rowCount: 1000, columnCount: 26 });
    assert.ok(Number(props.properties['sheetId']) > 0);
  });

  it('refuses a duplicate title, ignoring case, with Google\'s message', () => {
    const data = fixture();
    const err = apiError(() => batch(data, { addSheet: { properties: { title: 'sheet1' } } }));
    assert.equal(err.message, 'Invalid requests[0].addSheet: A sheet with the name "sheet1" already exists. Please enter another name.');
  });

  it('freezes the header, renames, and keeps frozenRowCount out of JSON when zero', () => {
    const data = fixture();
    batch(data, { updateSheetProperties: { properties: { sheetId: 0, title: 'Log', gridProperties: { frozenRowCount: 1 } }, fields: 'title,gridProperties.frozenRowCount' } });
    const got = spreadsheetsGet(data, ID, new URLSearchParams());
    assert.deepEqual(got.sheets[0]?.properties, { sheetId: 0, title: 'Log', index: 0, sheetType: 'GRID', gridProperties: { rowCount: 1000, columnCount: 26, frozenRowCount: 1 } });
    batch(data, { updateSheetProperties: { properties: { sheetId: 0, gridProperties: {} }, fields: 'gridProperties.frozenRowCount' } });
    assert.equal(spreadsheetsGet(data, ID, new URLSearchParams()).sheets[0]?.properties.gridProperties.frozenRowCount, undefined);
  });

  it('only changes the fields named in the mask', () => {
    const data = fixture();
    batch(data, { updateSheetProperties: { properties: { sheetId: 0, title: 'Ignored', gridProperties: { rowCount: 5 } }, fields: 'gridProperties.rowCount' } });
    const sheet = sheetNamed(data, 'Sheet1');
    assert.equal(sheet.rowCount, 5);
  });

  it('stores repeatCell formats (bold, numberFormat) without touching values', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['time', 'value'], [46347.5, 1]] }, new URLSearchParams({ valueInputOption: 'RAW' }));
    batch(
      data,
      { repeatCell: { range: { sheetId: 0, startRowIndex: 0, endRowIndex: 1 }, cell: { userEnteredFormat: { textFormat: { bold: true } } }, fields: 'userEnteredFormat.textFormat.bold' } },
      { repeatCell: { range: { sheetId: 0, startRowIndex: 1, startColumnIndex: 0, endColumnIndex: 1 }, cell: { userEnteredFormat: { numberFormat: { type: 'DATE_TIME', pattern: 'yyyy-mm-dd hh:mm:ss' } } }, fields: 'userEnteredFormat.numberFormat' } },
    );
    const state = snapshot(data.spreadsheets.values()).spreadsheets[0]?.sheets[0];
    assert.deepEqual(state?.cells['A1'], { value: 'time', formattedValue: 'time', format: { textFormat: { bold: true } } });
    assert.deepEqual(state?.cells['Z1']?.format, { textFormat: { bold: true } });
    assert.equal(state?.cells['A2']?.formattedValue, '2026-11-21 12:00:00');
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!A2:B2', new URLSearchParams()).values, [['2026-11-21 12:00:00', '1']]);
  });

  it('repeatCell over many rows: formats merge per cell by the field mask, and a later change to one cell leaves the others alone', () => {
    const data = fixture();
    const bold = { repeatCell: { range: { sheetId: 0, startRowIndex: 0, endRowIndex: 1000, startColumnIndex: 0, endColumnIndex: 2 }, cell: { userEnteredFormat: { textFormat: { bold: true } } }, fields: 'userEnteredFormat.textFormat.bold' } };
    const dates = { repeatCell: { range: { sheetId: 0, startRowIndex: 500, endRowIndex: 1000, startColumnIndex: 1, endColumnIndex: 3 }, cell: { userEnteredFormat: { numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' } } }, fields: 'userEnteredFormat.numberFormat' } };
    batch(data, bold, dates);
    batch(data, { repeatCell: { range: { sheetId: 0, startRowIndex: 999, endRowIndex: 1000, startColumnIndex: 1, endColumnIndex: 2 }, cell: { userEnteredFormat: { textFormat: { italic: true } } }, fields: 'userEnteredFormat.textFormat.italic' } });
    const cells = snapshot(data.spreadsheets.values()).spreadsheets[0]?.sheets[0]?.cells ?? {};
    const date = { type: 'DATE', pattern: 'yyyy-mm-dd' };
    assert.deepEqual(cells['A1']?.format, { textFormat: { bold: true } });
    assert.deepEqual(cells['B500']?.format, { textFormat: { bold: true } });
    assert.deepEqual(cells['B501']?.format, { textFormat: { bold: true }, numberFormat: date });
    assert.deepEqual(cells['C501']?.format, { numberFormat: date });
    assert.deepEqual(cells['B999']?.format, { textFormat: { bold: true }, numberFormat: date });
    assert.deepEqual(cells['B1000']?.format, { textFormat: { bold: true, italic: true }, numberFormat: date });
    assert.deepEqual(cells['A1000']?.format, { textFormat: { bold: true } });
  });

  it('writes cells with updateCells from a start coordinate', () => {
    const data = fixture();
    batch(data, {
      updateCells: {
        start: { sheetId: 0, rowIndex: 2, columnIndex: 1 },
        rows: [{ values: [{ userEnteredValue: { stringValue: 'x' } }, { userEnteredValue: { numberValue: 2 } }] }],
        fields: 'userEnteredValue',
      },
    });
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!B3:C3', new URLSearchParams({ valueRenderOption: 'UNFORMATTED_VALUE' })).values, [['x', 2]]);
  });

  it('is atomic: when a later request fails, earlier ones are not applied', () => {
    const data = fixture();
    const before = JSON.stringify(snapshot(data.spreadsheets.values()));
    const err = apiError(() =>
      batch(
        data,
        { addSheet: { properties: { title: 'New' } } },
        { appendDimension: { sheetId: 0, dimension: 'ROWS', length: 10 } },
        { updateCells: { start: { sheetId: 0, rowIndex: 0, columnIndex: 0 }, rows: [{ values: [{ userEnteredValue: { stringValue: 'x' } }] }], fields: 'userEnteredValue' } },
        { addSheet: { properties: { title: 'new' } } },
      ),
    );
    assert.match(err.message, /^Invalid requests\[3\]\.addSheet: A sheet with the name "new" already exists/);
    assert.equal(JSON.stringify(snapshot(data.spreadsheets.values())), before);
  });

  it('refuses a GridRange that starts past the grid, and clamps one that ends past it', () => {
    const data = fixture();
    const err = apiError(() => batch(data, { repeatCell: { range: { sheetId: 0, startRowIndex: 1000, startColumnIndex: 0, endColumnIndex: 2 }, cell: {}, fields: 'userEnteredFormat' } }));
    assert.equal(err.message, 'Invalid requests[0].repeatCell: Range (Sheet1!A1001:B) exceeds grid limits. Max rows: 1000, max columns: 26');
    batch(data, { repeatCell: { range: { sheetId: 0, startRowIndex: 999, endRowIndex: 1003 }, cell: { userEnteredFormat: { textFormat: { bold: true } } }, fields: 'userEnteredFormat' } });
    assert.equal(sheetNamed(data, 'Sheet1').rowCount, 1000);
  });

  it('enforces the 10M-cell workbook limit on appendDimension and addSheet', () => {
    const data = fixture(30_000);
    const err = apiError(() => batch(data, { appendDimension: { sheetId: 0, dimension: 'ROWS', length: 200 } }));
    assert.equal(err.message, 'Invalid requests[0].appendDimension: This action would increase the number of cells in the workbook above the limit of 30000 cells.');
    batch(data, { appendDimension: { sheetId: 0, dimension: 'ROWS', length: 100 } });
    assert.equal(sheetNamed(data, 'Sheet1').rowCount, 1100);
    assert.match(apiError(() => batch(data, { addSheet: { properties: { title: 'Two' } } })).message, /above the limit of 30000 cells/);
  });

  it('inserts and deletes rows, moving data with them', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['1'], ['2'], ['3']] }, new URLSearchParams({ valueInputOption: 'RAW' }));
    batch(data, { insertDimension: { range: { sheetId: 0, dimension: 'ROWS', startIndex: 1, endIndex: 3 } } });
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!A1:A5', new URLSearchParams()).values, [['1'], [], [], ['2'], ['3']]);
    batch(data, { deleteDimension: { range: { sheetId: 0, dimension: 'ROWS', startIndex: 0, endIndex: 3 } } });
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!A1:A2', new URLSearchParams()).values, [['2'], ['3']]);
    assert.equal(sheetNamed(data, 'Sheet1').rowCount, 999);
  });

  it('deletes a sheet but never the last one', () => {
    const data = fixture();
    const reply = batch(data, { addSheet: { properties: { title: 'Tmp', sheetId: 77 } } });
    assert.ok(reply.replies[0]);
    batch(data, { deleteSheet: { sheetId: 0 } });
    assert.deepEqual(data.spreadsheets.get(ID)?.sheets.map((s) => [s.title, s.index]), [['Tmp', 0]]);
    assert.equal(apiError(() => batch(data, { deleteSheet: { sheetId: 77 } })).message, "Invalid requests[0].deleteSheet: You can't remove all the sheets in a document.");
  });

  it('rejects unknown request kinds and kinds the emulator does not model', () => {
    const data = fixture();
    assert.match(apiError(() => batch(data, { frobnicate: {} })).message, /Unknown name "frobnicate" at 'requests\[0\]'/);
    assert.match(apiError(() => batch(data, { mergeCells: {} })).message, /not supported by the Sheets emulator/);
  });
});

describe('spreadsheets.create and get', () => {
  it('creates a spreadsheet with the tabs asked for', () => {
    const data = fixture();
    const created = spreadsheetsCreate(data, { properties: { title: 'Roll-over 2' }, sheets: [{ properties: { title: 'Readings', gridProperties: { rowCount: 10, columnCount: 9, frozenRowCount: 1 } } }] });
    assert.equal(created.spreadsheetId.length, 44);
    assert.equal(created.properties['title'], 'Roll-over 2');
    assert.deepEqual(created.sheets[0]?.properties.gridProperties, { rowCount: 10, columnCount: 9, frozenRowCount: 1 });
    assert.ok(data.spreadsheets.has(created.spreadsheetId));
  });

  it('returns grid data with includeGridData and narrows sheets with ranges', () => {
    const data = fixture();
    batch(data, { addSheet: { properties: { title: 'Other' } } });
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['v']] }, new URLSearchParams({ valueInputOption: 'RAW' }));
    const got = spreadsheetsGet(data, ID, new URLSearchParams({ includeGridData: 'true', ranges: 'Sheet1!A1:B2' }));
    assert.equal(got.sheets.length, 1);
    assert.deepEqual(got.sheets[0]?.data, [{ rowData: [{ values: [{ userEnteredValue: { stringValue: 'v' }, effectiveValue: { stringValue: 'v' }, formattedValue: 'v' }] }] }]);
  });
});
