// What people do in a spreadsheet, as the emulator models it: moving, sorting, filtering,
// protecting and tagging (developer metadata), pure over the model, then through the real
// client with the `between` hook and the person (owner) account.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spreadsheetsBatchUpdate } from './batch-update.js';
import { developerMetadataSearch } from './developer-metadata.js';
import { ApiError } from './errors.js';
import { DEFAULT_GRID, type SheetsData, newSpreadsheet } from './model.js';
import { PROTECTED_MESSAGE } from './protection.js';
import { spreadsheetsGet } from './spreadsheets.js';
import { failure, startHarness, SPREADSHEET_ID } from './test-clients.js';
import { valuesGet, valuesUpdate } from './values.js';

const ID = 'book';
const SA = 'gateway@project.iam.gserviceaccount.com';

function fixture(): SheetsData {
  const data: SheetsData = { spreadsheets: new Map(), maxCells: 10_000_000, grid: DEFAULT_GRID };
  data.spreadsheets.set(ID, newSpreadsheet(ID, 'Book', DEFAULT_GRID));
  // A1:C5 = r1..r5 / a, b, c
  valuesUpdate(data, ID, 'Sheet1!A1', { values: [1, 2, 3, 4, 5].map((r) => [`a${r}`, `b${r}`, `c${r}`]) }, new URLSearchParams({ valueInputOption: 'RAW' }));
  return data;
}

function batch(data: SheetsData, ...requests: unknown[]) {
  return spreadsheetsBatchUpdate(data, ID, { requests });
}

function rows(data: SheetsData, range = 'Sheet1!A1:D10'): unknown[][] {
  return (valuesGet(data, ID, range, new URLSearchParams()).values ?? []) as unknown[][];
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

const sheet = (data: SheetsData) => data.spreadsheets.get(ID)!.sheets[0]!;

describe('moveDimension', () => {
  it('moves rows before destinationIndex, counted before the source is taken out', () => {
    const data = fixture();
    batch(data, { moveDimension: { source: { sheetId: 0, dimension: 'ROWS', startIndex: 1, endIndex: 3 }, destinationIndex: 5 } });
    assert.deepEqual(rows(data).map((r) => r[0]), ['a1', 'a4', 'a5', 'a2', 'a3']);
    batch(data, { moveDimension: { source: { sheetId: 0, dimension: 'ROWS', startIndex: 3, endIndex: 5 }, destinationIndex: 0 } });
    assert.deepEqual(rows(data).map((r) => r[0]), ['a2', 'a3', 'a1', 'a4', 'a5']);
  });

  it('moves columns, and protected ranges and metadata with them', () => {
    const data = fixture();
    batch(
      data,
      { addProtectedRange: { protectedRange: { range: { sheetId: 0, startRowIndex: 0, endRowIndex: 5, startColumnIndex: 2, endColumnIndex: 3 } } } },
      { createDeveloperMetadata: { developerMetadata: { metadataKey: 'col', location: { dimensionRange: { sheetId: 0, dimension: 'COLUMNS', startIndex: 2, endIndex: 3 } }, visibility: 'DOCUMENT' } } },
    );
    batch(data, { moveDimension: { source: { sheetId: 0, dimension: 'COLUMNS', startIndex: 2, endIndex: 3 }, destinationIndex: 0 } });
    assert.deepEqual(rows(data)[0], ['c1', 'a1', 'b1']);
    assert.deepEqual(sheet(data).protectedRanges[0]?.box, { startRow: 0, endRow: 5, startColumn: 0, endColumn: 1 });
    const meta = data.spreadsheets.get(ID)!.developerMetadata[0]!;
    assert.deepEqual(meta.location, { locationType: 'COLUMN', sheetId: 0, startIndex: 0, endIndex: 1 });
  });
});

describe('insertDimension / deleteDimension move what is anchored to rows', () => {
  it('an insertion above shifts a protected range; one inside grows it; a deletion of all its rows removes it', () => {
    const data = fixture();
    batch(data, { addProtectedRange: { protectedRange: { range: { sheetId: 0, startRowIndex: 2, endRowIndex: 4 } } } });
    batch(data, { insertDimension: { range: { sheetId: 0, dimension: 'ROWS', startIndex: 0, endIndex: 2 } } });
    assert.deepEqual(sheet(data).protectedRanges[0]?.box, { startRow: 4, endRow: 6, startColumn: 0, endColumn: 26 });
    batch(data, { insertDimension: { range: { sheetId: 0, dimension: 'ROWS', startIndex: 5, endIndex: 6 } } });
    assert.equal(sheet(data).protectedRanges[0]?.box?.endRow, 7);
    assert.deepEqual(rows(data, 'Sheet1!A1:A8').map((r) => r[0] ?? ''), ['', '', 'a1', 'a2', 'a3', '', 'a4', 'a5']);
    batch(data, { deleteDimension: { range: { sheetId: 0, dimension: 'ROWS', startIndex: 4, endIndex: 7 } } });
    assert.equal(sheet(data).protectedRanges.length, 0);
  });
});

describe('sortRange and the basic filter', () => {
  it('sorts only the rows and columns of the range, blanks last', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!B2:B5', { values: [[3], [''], [1], [2]] }, new URLSearchParams({ valueInputOption: 'RAW' }));
    batch(data, { sortRange: { range: { sheetId: 0, startRowIndex: 1, endRowIndex: 5, startColumnIndex: 0, endColumnIndex: 2 }, sortSpecs: [{ dimensionIndex: 1, sortOrder: 'ASCENDING' }] } });
    assert.deepEqual(rows(data, 'Sheet1!A2:C5'), [['a4', '1', 'c2'], ['a5', '2', 'c3'], ['a2', '3', 'c4'], ['a3', '', 'c5']]);
  });

  it('setBasicFilter stores the filter (shown by spreadsheets.get), sorts under its header; clearBasicFilter removes it', () => {
    const data = fixture();
    batch(data, { setBasicFilter: { filter: { range: { sheetId: 0, startRowIndex: 0, endRowIndex: 5, startColumnIndex: 0, endColumnIndex: 3 }, sortSpecs: [{ dimensionIndex: 0, sortOrder: 'DESCENDING' }] } } });
    assert.deepEqual(rows(data).map((r) => r[0]), ['a1', 'a5', 'a4', 'a3', 'a2']);
    const got = spreadsheetsGet(data, ID, new URLSearchParams()) as { sheets: Array<{ basicFilter?: { range: unknown } }> };
    assert.deepEqual(got.sheets[0]?.basicFilter?.range, { sheetId: 0, startRowIndex: 0, endRowIndex: 5, startColumnIndex: 0, endColumnIndex: 3 });
    batch(data, { clearBasicFilter: { sheetId: 0 } });
    assert.equal(sheet(data).basicFilter, undefined);
  });
});

describe('protected ranges', () => {
  it('refuse values and cell writes from an account that is not an editor with Google\'s 403; the owner and editors may write', () => {
    const data = fixture();
    batch(data, { addProtectedRange: { protectedRange: { range: { sheetId: 0, startRowIndex: 0, endRowIndex: 2, startColumnIndex: 0, endColumnIndex: 2 }, description: 'header' } } });
    data.actor = SA;
    const refused = apiError(() => valuesUpdate(data, ID, 'Sheet1!B2', { values: [['x']] }, new URLSearchParams({ valueInputOption: 'RAW' })));
    assert.equal(refused.httpStatus, 403);
    assert.equal(refused.status, 'PERMISSION_DENIED');
    assert.equal(refused.message, PROTECTED_MESSAGE);
    assert.equal(apiError(() => batch(data, { updateCells: { start: { sheetId: 0, rowIndex: 1, columnIndex: 0 }, rows: [{ values: [{ userEnteredValue: { stringValue: 'x' } }] }], fields: 'userEnteredValue' } })).httpStatus, 403);
    assert.equal(apiError(() => batch(data, { deleteDimension: { range: { sheetId: 0, dimension: 'ROWS', startIndex: 0, endIndex: 1 } } })).httpStatus, 403);
    // Outside the range, and a null (skipped) value over it, are fine.
    valuesUpdate(data, ID, 'Sheet1!A3:C3', { values: [['x', 'y', 'z']] }, new URLSearchParams({ valueInputOption: 'RAW' }));
    valuesUpdate(data, ID, 'Sheet1!B2:C2', { values: [[null, 'q']] }, new URLSearchParams({ valueInputOption: 'RAW' }));
    delete data.actor; // the owner
    valuesUpdate(data, ID, 'Sheet1!B2', { values: [['owner']] }, new URLSearchParams({ valueInputOption: 'RAW' }));
    assert.deepEqual(rows(data, 'Sheet1!A2:C3'), [['a2', 'owner', 'q'], ['x', 'y', 'z']]);
  });

  it('a warningOnly range stops nobody; a range with the account as editor lets it write', () => {
    const data = fixture();
    batch(
      data,
      { addProtectedRange: { protectedRange: { range: { sheetId: 0, startRowIndex: 0, endRowIndex: 1 }, warningOnly: true } } },
      { addProtectedRange: { protectedRange: { range: { sheetId: 0, startRowIndex: 1, endRowIndex: 2 }, editors: { users: [SA] } } } },
    );
    data.actor = SA;
    valuesUpdate(data, ID, 'Sheet1!A1:A2', { values: [['w'], ['e']] }, new URLSearchParams({ valueInputOption: 'RAW' }));
    assert.deepEqual(rows(data, 'Sheet1!A1:A2'), [['w'], ['e']]);
  });
});

describe('developer metadata', () => {
  it('is created on a sheet, found by search, listed by spreadsheets.get, and deleted with its sheet', () => {
    const data = fixture();
    const reply = batch(data, { createDeveloperMetadata: { developerMetadata: { metadataKey: 'sheetlog', metadataValue: '{"tab":1}', location: { sheetId: 0 }, visibility: 'DOCUMENT' } } });
    const created = (reply.replies[0] as { createDeveloperMetadata: { developerMetadata: { metadataId: number; location: unknown } } }).createDeveloperMetadata.developerMetadata;
    assert.deepEqual(created.location, { locationType: 'SHEET', sheetId: 0 });
    const found = developerMetadataSearch(data, ID, { dataFilters: [{ developerMetadataLookup: { metadataKey: 'sheetlog' } }] }) as { matchedDeveloperMetadata: Array<{ developerMetadata: { metadataId: number } }> };
    assert.equal(found.matchedDeveloperMetadata[0]?.developerMetadata.metadataId, created.metadataId);
    assert.deepEqual(developerMetadataSearch(data, ID, { dataFilters: [{ developerMetadataLookup: { metadataKey: 'other' } }] }), {});
    const got = spreadsheetsGet(data, ID, new URLSearchParams()) as { sheets: Array<{ developerMetadata?: Array<{ metadataKey: string }> }> };
    assert.equal(got.sheets[0]?.developerMetadata?.[0]?.metadataKey, 'sheetlog');
    assert.match(apiError(() => batch(data, { createDeveloperMetadata: { developerMetadata: { metadataId: created.metadataId, metadataKey: 'x', location: { sheetId: 0 }, visibility: 'DOCUMENT' } } })).message, /already exists/);
    batch(data, { addSheet: { properties: { title: 'Other' } } }, { deleteSheet: { sheetId: 0 } });
    assert.equal(data.spreadsheets.get(ID)!.developerMetadata.length, 0);
  });
});

describe('a person between two requests (real client)', () => {
  it('edits right before the chosen request; a write into their protected range is a 403 for the service account', async (t) => {
    const h = await startHarness();
    t.after(() => h.emu.stop());
    const api = h.api(h.jwtClient());
    const person = h.emu.person(SPREADSHEET_ID);
    person.type('Sheet1!A1:B2', [['time', 'value'], ['x', '=A2']]);
    const seen: string[] = [];
    h.emu.between((call) => {
      seen.push(`${call.index}:${call.operation}`);
      if (call.index === 2) person.batchUpdate([{ addProtectedRange: { protectedRange: { range: { sheetId: 0, startRowIndex: 0, endRowIndex: 1 } } } }]);
    });
    await api.spreadsheets.values.update({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values: [['Time']] } });
    const refused = await failure(api.spreadsheets.values.update({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values: [['TIME']] } }));
    assert.equal(refused.status, 403);
    assert.equal(refused.body?.error?.message, PROTECTED_MESSAGE);
    assert.equal(refused.body?.error?.status, 'PERMISSION_DENIED');
    h.emu.between(undefined);
    const got = await api.spreadsheets.get({ spreadsheetId: SPREADSHEET_ID, fields: 'sheets(protectedRanges)' });
    assert.deepEqual(got.data.sheets?.[0]?.protectedRanges?.[0]?.range, { sheetId: 0, startRowIndex: 0, endRowIndex: 1, startColumnIndex: 0, endColumnIndex: 26 });
    assert.deepEqual(seen, ['1:values.update', '2:values.update']);
    assert.deepEqual(person.read('Sheet1!A1:B2'), [['Time', 'value'], ['x', '=A2']]);
    const search = await api.spreadsheets.developerMetadata.search({ spreadsheetId: SPREADSHEET_ID, requestBody: { dataFilters: [{ developerMetadataLookup: { metadataKey: 'none' } }] } });
    assert.deepEqual(search.data, {});
  });
});

describe('formulas follow the rows and columns they refer to', () => {
  it('shiftFormula rewrites same-sheet references, leaves strings, prefixed references and function names', async () => {
    const { shiftFormula } = await import('./formula-refs.js');
    const { insertPoint, deletePoint } = await import('./shift.js');
    assert.equal(shiftFormula('=D5*2+$B$7-SUM(D2:D9)', 'ROWS', insertPoint(4, 2)), '=D7*2+$B$9-SUM(D2:D11)');
    assert.equal(shiftFormula('=LOG10(A1)&"D5"&Other!D5', 'ROWS', insertPoint(0, 1)), '=LOG10(A2)&"D5"&Other!D5');
    assert.equal(shiftFormula('=D5+D6', 'ROWS', deletePoint(4, 5)), '=#REF!+D5');
    assert.equal(shiftFormula('=D5+B5', 'COLUMNS', insertPoint(2, 1)), '=E5+B5');
  });

  it('through batchUpdate: an insertion above a formula and the moved cell it refers to', () => {
    const data = fixture();
    valuesUpdate(data, ID, 'Sheet1!E3', { values: [['=A3&C5']] }, new URLSearchParams({ valueInputOption: 'USER_ENTERED' }));
    batch(data, { insertDimension: { range: { sheetId: 0, dimension: 'ROWS', startIndex: 0, endIndex: 2 } } });
    assert.equal(sheet(data).rows[4]?.[4]?.formula, '=A5&C7');
    batch(data, { moveDimension: { source: { sheetId: 0, dimension: 'COLUMNS', startIndex: 0, endIndex: 1 }, destinationIndex: 4 } });
    assert.equal(sheet(data).rows[4]?.[4]?.formula, '=D5&B7', 'column A went before E (now D), C is now B');
  });
});
