// The values.* handlers as pure functions over the model (no HTTP).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toSerial } from './cell-input.js';
import { ApiError } from './errors.js';
import { DEFAULT_GRID, type GridDefaults, type SheetsData, newSpreadsheet } from './model.js';
import { valuesAppend, valuesBatchGet, valuesBatchUpdate, valuesClear, valuesGet, valuesUpdate } from './values.js';

const ID = 'sheet-under-test';

function fixture(grid: GridDefaults = DEFAULT_GRID, maxCells = 10_000_000): SheetsData {
  const data: SheetsData = { spreadsheets: new Map(), maxCells, grid };
  data.spreadsheets.set(ID, newSpreadsheet(ID, 'Test', grid));
  return data;
}

const q = (o: Record<string, string> = {}): URLSearchParams => new URLSearchParams(o);
const RAW = q({ valueInputOption: 'RAW' });
const USER = q({ valueInputOption: 'USER_ENTERED' });

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail('expected an ApiError');
}

describe('values.update and values.get', () => {
  it('writes a box and reads it back, trimming trailing empty cells and rows', () => {
    const data = fixture();
    // A single cell is an anchor: the data may extend past it.
    const res = valuesUpdate(data, ID, 'Sheet1!A1', { values: [['a', 'b', ''], ['c'], []] }, RAW);
    assert.deepEqual(res, { spreadsheetId: ID, updatedRange: 'Sheet1!A1:C3', updatedRows: 2, updatedColumns: 3, updatedCells: 4 });
    const got = valuesGet(data, ID, 'Sheet1!A1:D5', q());
    assert.deepEqual(got, { range: 'Sheet1!A1:D5', majorDimension: 'ROWS', values: [['a', 'b'], ['c']] });
  });

  it('keeps empty cells in the middle of a row as ""', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['a', null, 'c']] }, RAW);
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!A1:C1', q()).values, [['a', '', 'c']]);
  });

  it('omits `values` for an empty range and reports the resolved range', () => {
    const data = fixture();
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!A:C', q()), { range: 'Sheet1!A1:C1000', majorDimension: 'ROWS' });
    assert.equal(valuesGet(data, ID, 'Sheet1', q()).range, 'Sheet1!A1:Z1000');
  });

  it('RAW keeps strings as strings; USER_ENTERED parses numbers, booleans and formulas', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['42', 'TRUE', '=1+1']] }, RAW);
    valuesUpdate(data, ID, 'Sheet1!A2', { values: [['42', 'true', '1,234.5', '50%', "'007", '=A1']] }, USER);
    const raw = valuesGet(data, ID, 'Sheet1!A1:F2', q({ valueRenderOption: 'UNFORMATTED_VALUE' })).values;
    assert.deepEqual(raw?.[0], ['42', 'TRUE', '=1+1']);
    assert.deepEqual(raw?.[1]?.slice(0, 5), [42, true, 1234.5, 0.5, '007']);
    const formulas = valuesGet(data, ID, 'Sheet1!F2', q({ valueRenderOption: 'FORMULA' })).values;
    assert.deepEqual(formulas, [['=A1']]);
    const formatted = valuesGet(data, ID, 'Sheet1!A2:E2', q()).values;
    assert.deepEqual(formatted, [['42', 'TRUE', '1234.5', '50%', '007']]);
  });

  it('USER_ENTERED turns date-times into date-typed serial numbers', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['2026-11-21 13:45:01', '2026-11-21T13:45:01', '2026-11-21', '2026-02-30']] }, USER);
    const serial = toSerial(2026, 11, 21, 13, 45, 1);
    assert.ok(Math.abs(serial - 46347.57292824074) < 1e-9, 'serial counts days since 1899-12-30');
    const unformatted = valuesGet(data, ID, 'Sheet1!A1:D1', q({ valueRenderOption: 'UNFORMATTED_VALUE' })).values?.[0];
    assert.deepEqual(unformatted, [serial, serial, toSerial(2026, 11, 21), '2026-02-30']);
    const asStrings = valuesGet(data, ID, 'Sheet1!A1:C1', q({ valueRenderOption: 'UNFORMATTED_VALUE', dateTimeRenderOption: 'FORMATTED_STRING' })).values?.[0];
    assert.deepEqual(asStrings, ['2026-11-21 13:45:01', '2026-11-21 13:45:01', '2026-11-21']);
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!A1', q()).values, [['2026-11-21 13:45:01']]);
  });

  it('a date format sticks to the cell: a later RAW number renders as a date', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['2026-01-01']] }, USER);
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [[toSerial(2026, 1, 2)]] }, RAW);
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!A1', q()).values, [['2026-01-02']]);
  });

  it('honours majorDimension COLUMNS for writes and reads', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!A1', { majorDimension: 'COLUMNS', values: [['a1', 'a2'], ['b1']] }, RAW);
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!A1:B2', q()).values, [['a1', 'b1'], ['a2']]);
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!A1:B2', q({ majorDimension: 'COLUMNS' })).values, [['a1', 'a2'], ['b1']]);
  });

  it('refuses writes past the grid with Google\'s message and applies nothing', () => {
    const data = fixture();
    const err = apiError(() => valuesUpdate(data, ID, "'Sheet1'!A1001:B1001", { values: [[1, 2]] }, RAW));
    assert.equal(err.httpStatus, 400);
    assert.equal(err.status, 'INVALID_ARGUMENT');
    assert.equal(err.message, 'Range (Sheet1!A1001:B1001) exceeds grid limits. Max rows: 1000, max columns: 26');
    const overflow = apiError(() => valuesUpdate(data, ID, 'Sheet1!A999', { values: [[1], [2], [3]] }, RAW));
    assert.match(overflow.message, /^Range \(Sheet1!A999:A1001\) exceeds grid limits/);
    assert.equal(valuesGet(data, ID, 'Sheet1!A999:A1000', q()).values, undefined);
  });

  it('refuses data larger than a bounded range', () => {
    const data = fixture();
    const rows = apiError(() => valuesUpdate(data, ID, 'Sheet1!A1:B2', { values: [[1], [2], [3]] }, RAW));
    assert.equal(rows.message, 'Requested writing within range [Sheet1!A1:B2], but tried writing to row [3]');
    const cols = apiError(() => valuesUpdate(data, ID, 'Sheet1!A1:B2', { values: [[1, 2, 3]] }, RAW));
    assert.equal(cols.message, 'Requested writing within range [Sheet1!A1:B2], but tried writing to column [C]');
  });

  it('answers unknown sheets, bad ranges, unknown spreadsheets and a missing valueInputOption like Google', () => {
    const data = fixture();
    assert.equal(apiError(() => valuesGet(data, ID, 'Nope!A1', q())).message, 'Unable to parse range: Nope!A1');
    assert.equal(apiError(() => valuesGet(data, ID, 'Sheet1!A', q())).message, 'Unable to parse range: Sheet1!A');
    const missing = apiError(() => valuesGet(data, 'no-such-id', 'Sheet1!A1', q()));
    assert.deepEqual([missing.httpStatus, missing.status, missing.message], [404, 'NOT_FOUND', 'Requested entity was not found.']);
    assert.equal(apiError(() => valuesUpdate(data, ID, 'Sheet1!A1', { values: [[1]] }, q())).message, 'Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED');
  });

  it('reads past the grid are refused, open-ended reads are clamped', () => {
    const data = fixture({ rowCount: 10, columnCount: 3 });
    assert.match(apiError(() => valuesGet(data, ID, 'Sheet1!A1:D2', q())).message, /exceeds grid limits. Max rows: 10, max columns: 3/);
    assert.equal(valuesGet(data, ID, 'Sheet1!A5:C', q()).range, 'Sheet1!A5:C10');
  });

  it('finds sheets without regard to case, as Google does', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'sheet1!A1', { values: [['x']] }, RAW);
    assert.deepEqual(valuesGet(data, ID, 'SHEET1!A1', q()).values, [['x']]);
  });
});

describe('values.batchGet, batchUpdate and clear', () => {
  it('batchGet returns one ValueRange per range, in order', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['a', 'b'], ['c', 'd']] }, RAW);
    const params = new URLSearchParams([['ranges', 'Sheet1!B1:B2'], ['ranges', 'Sheet1!A2']]);
    const res = valuesBatchGet(data, ID, params);
    assert.deepEqual(res.valueRanges.map((v) => v.values), [[['b'], ['d']], [['c']]]);
  });

  it('batchUpdate is atomic: one bad range applies nothing', () => {
    const data = fixture();
    const err = apiError(() =>
      valuesBatchUpdate(data, ID, { valueInputOption: 'RAW', data: [{ range: 'Sheet1!A1', values: [['kept?']] }, { range: 'Sheet1!A1001', values: [['x']] }] }),
    );
    assert.equal(err.message, 'Invalid data[1]: Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26');
    assert.equal(valuesGet(data, ID, 'Sheet1!A1', q()).values, undefined);
    const ok = valuesBatchUpdate(data, ID, { valueInputOption: 'RAW', data: [{ range: 'Sheet1!A1', values: [['a']] }, { range: 'Sheet1!C3', values: [['c', 'd']] }] });
    assert.deepEqual([ok.totalUpdatedCells, ok.totalUpdatedRows, ok.totalUpdatedSheets, ok.responses.length], [3, 2, 1, 2]);
  });

  it('clear empties values and reports the cleared range', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['a', 'b']] }, RAW);
    assert.deepEqual(valuesClear(data, ID, 'Sheet1!A:A'), { spreadsheetId: ID, clearedRange: 'Sheet1!A1:A1000' });
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!A1:B1', q()).values, [['', 'b']]);
  });
});

describe('values.append', () => {
  it('appends after the detected table and reports tableRange and updates', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['h1', 'h2'], ['r1', 'r1']] }, RAW);
    const res = valuesAppend(data, ID, 'Sheet1!A1', { values: [['r2', 'r2'], ['r3']] }, RAW);
    assert.deepEqual(res, {
      spreadsheetId: ID,
      tableRange: 'Sheet1!A1:B2',
      updates: { spreadsheetId: ID, updatedRange: 'Sheet1!A3:B4', updatedRows: 2, updatedColumns: 2, updatedCells: 3 },
    });
  });

  it('has no tableRange when the sheet is empty', () => {
    const data = fixture();
    const res = valuesAppend(data, ID, 'Sheet1', { values: [['x']] }, RAW);
    assert.equal(res.tableRange, undefined);
    assert.equal(res.updates.updatedRange, 'Sheet1!A1');
  });

  it('grows the grid past its last row (OVERWRITE) and inserts rows (INSERT_ROWS)', () => {
    const data = fixture({ rowCount: 3, columnCount: 2 });
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['a'], ['b'], ['c']] }, RAW);
    valuesAppend(data, ID, 'Sheet1!A:A', { values: [['d', 'e', 'f']] }, RAW);
    const sheet = data.spreadsheets.get(ID)?.sheets[0];
    assert.deepEqual([sheet?.rowCount, sheet?.columnCount], [4, 3]);
    valuesUpdate(data, ID, 'Sheet1!A1', { values: [['a'], [''], ['c']] }, RAW); // gap at row 2
    valuesAppend(data, ID, 'Sheet1!A1', { values: [['inserted']] }, q({ valueInputOption: 'RAW', insertDataOption: 'INSERT_ROWS' }));
    assert.equal(sheet?.rowCount, 5);
    // An empty row inside the data comes back as [], like Google's trimmed rows.
    assert.deepEqual(valuesGet(data, ID, 'Sheet1!A1:A5', q()).values, [['a'], ['inserted'], [], ['c'], ['d']]);
  });

  it('refuses growth beyond the workbook cell limit and leaves the grid alone', () => {
    const data = fixture({ rowCount: 10, columnCount: 2 }, 22);
    valuesUpdate(data, ID, 'Sheet1!A1', { values: Array.from({ length: 10 }, (_, i) => [i]) }, RAW);
    const err = apiError(() => valuesAppend(data, ID, 'Sheet1!A1', { values: [[10], [11]] }, RAW));
    assert.equal(err.message, 'This action would increase the number of cells in the workbook above the limit of 22 cells.');
    assert.equal(data.spreadsheets.get(ID)?.sheets[0]?.rowCount, 10);
    valuesAppend(data, ID, 'Sheet1!A1', { values: [[10]] }, RAW);
    assert.equal(data.spreadsheets.get(ID)?.sheets[0]?.rowCount, 11);
  });

  it('returns the written values when includeValuesInResponse is set', () => {
    const data = fixture();
    const res = valuesAppend(data, ID, 'Sheet1!A1', { values: [['1.50', 'x']] }, q({ valueInputOption: 'USER_ENTERED', includeValuesInResponse: 'true', responseValueRenderOption: 'UNFORMATTED_VALUE' }));
    assert.deepEqual(res.updates.updatedData, { range: 'Sheet1!A1:B1', majorDimension: 'ROWS', values: [[1.5, 'x']] });
  });
});
