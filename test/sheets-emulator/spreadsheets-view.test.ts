// GET /_emulator/spreadsheets/<id> (every tab's rows as a person sees them) and
// createOnFirstUse, through HTTP and the real clients.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { type Harness, SPREADSHEET_ID, failure, startHarness } from './test-clients.js';

async function view(h: Harness, id: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${h.emu.url}/_emulator/spreadsheets/${encodeURIComponent(id)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return { status: res.status, body: await res.json() };
}

describe('GET /_emulator/spreadsheets/<id>', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ spreadsheetIds: [SPREADSHEET_ID, 'other-book'] });
  });
  afterEach(() => h.emu.reset());
  after(() => h.emu.stop());

  it('is exactly {"tabs": {...}}: every tab in tab order, an empty tab as []', async () => {
    const api = h.api(h.jwtClient());
    await api.spreadsheets.batchUpdate({ spreadsheetId: SPREADSHEET_ID, requestBody: { requests: [{ addSheet: { properties: { title: 'My log' } } }] } });
    await api.spreadsheets.values.update({ spreadsheetId: SPREADSHEET_ID, range: "'My log'!A1", valueInputOption: 'RAW', requestBody: { values: [['h1', 'h2']] } });
    const got = await view(h, SPREADSHEET_ID);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, { tabs: { Sheet1: [], 'My log': [['h1', 'h2']] } });
    assert.deepEqual(Object.keys((got.body as { tabs: object }).tabs), ['Sheet1', 'My log']);
    assert.deepEqual(h.emu.tabs(SPREADSHEET_ID), got.body, 'emu.tabs() gives the same JSON');
    assert.deepEqual((await view(h, 'other-book')).body, { tabs: { Sheet1: [] } });
  });

  it('shows cells as FORMATTED_VALUE does: numbers, booleans and date-times through their formats, the header included', async () => {
    const api = h.api(h.jwtClient());
    await api.spreadsheets.values.update({
      spreadsheetId: SPREADSHEET_ID,
      range: 'Sheet1!A1',
      valueInputOption: 'RAW',
      requestBody: { values: [['time', 'value', 'ok', 'note'], [46347.5, 21.5, true, 'a,b'], [46347.75, 1234567.891234, false, '=1+1']] },
    });
    await api.spreadsheets.batchUpdate({
      spreadsheetId: SPREADSHEET_ID,
      requestBody: {
        requests: [
          {
            repeatCell: {
              range: { sheetId: 0, startRowIndex: 1, endRowIndex: 1000, startColumnIndex: 0, endColumnIndex: 1 },
              cell: { userEnteredFormat: { numberFormat: { type: 'DATE_TIME', pattern: 'yyyy-mm-dd hh:mm:ss.000' } } },
              fields: 'userEnteredFormat.numberFormat',
            },
          },
        ],
      },
    });
    const { body } = await view(h, SPREADSHEET_ID);
    const expected = [
      ['time', 'value', 'ok', 'note'],
      ['2026-11-21 12:00:00.000', '21.5', 'TRUE', 'a,b'],
      ['2026-11-21 18:00:00.000', '1234567.891', 'FALSE', '=1+1'],
    ];
    assert.deepEqual(body, { tabs: { Sheet1: expected } });
    // The same as a client reading the whole tab with the default FORMATTED_VALUE.
    const read = await api.spreadsheets.values.get({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1' });
    assert.deepEqual(read.data.values, expected);
  });

  it('trims trailing empty cells and rows like Google, keeps empty rows between data as [] and empty cells as ""', async () => {
    const api = h.api(h.jwtClient());
    await api.spreadsheets.values.batchUpdate({
      spreadsheetId: SPREADSHEET_ID,
      requestBody: {
        valueInputOption: 'RAW',
        data: [
          { range: 'Sheet1!A1', values: [['a', '', 'c']] },
          { range: 'Sheet1!B4', values: [['x']] },
          { range: 'Sheet1!A6', values: [['y', 'z', '']] },
        ],
      },
    });
    // A format alone (as the sink formats rows ahead of the data) makes no row.
    await api.spreadsheets.batchUpdate({
      spreadsheetId: SPREADSHEET_ID,
      requestBody: { requests: [{ repeatCell: { range: { sheetId: 0, startRowIndex: 6, endRowIndex: 50 }, cell: { userEnteredFormat: { textFormat: { bold: true } } }, fields: 'userEnteredFormat.textFormat.bold' } }] },
    });
    const { body } = await view(h, SPREADSHEET_ID);
    assert.deepEqual(body, { tabs: { Sheet1: [['a', '', 'c'], [], [], ['', 'x'], [], ['y', 'z']] } });
  });

  it('answers 404 with a JSON error for an unknown id, and does not create it', async () => {
    const got = await view(h, 'no-such-book');
    assert.equal(got.status, 404);
    assert.match(String((got.body as { error?: unknown }).error), /no spreadsheet "no-such-book"/);
    assert.equal(h.emu.tabs('no-such-book'), undefined);
    const api = h.api(h.jwtClient());
    const err = await failure(api.spreadsheets.get({ spreadsheetId: 'no-such-book' }));
    assert.equal(err.status, 404, 'by default the emulator is Google: an unknown id stays unknown');
  });

  it('is listed by GET /_emulator', async () => {
    const index = (await (await fetch(`${h.emu.url}/_emulator`)).json()) as { endpoints: string[] };
    assert.ok(index.endpoints.includes('GET /_emulator/spreadsheets/ID'), index.endpoints.join(', '));
  });
});

describe('createOnFirstUse', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ spreadsheetIds: [], createOnFirstUse: true });
  });
  after(() => h.emu.stop());

  it('an authenticated call naming an unknown id creates it with one empty Sheet1 (sheetId 0); reads, writes and the view then see it', async () => {
    const api = h.api(h.jwtClient());
    assert.equal((await view(h, 'fresh-book')).status, 404, 'not before its first use');
    const got = await api.spreadsheets.get({ spreadsheetId: 'fresh-book' });
    assert.equal(got.data.spreadsheetId, 'fresh-book');
    assert.deepEqual(got.data.sheets?.map((s) => [s.properties?.sheetId, s.properties?.title]), [[0, 'Sheet1']]);
    await api.spreadsheets.values.update({ spreadsheetId: 'another-book', range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values: [[1, 'one']] } });
    assert.deepEqual((await view(h, 'another-book')).body, { tabs: { Sheet1: [['1', 'one']] } });
    assert.deepEqual((await view(h, 'fresh-book')).body, { tabs: { Sheet1: [] } });
  });

  it('only for authenticated calls that reach the model: no token, an injected 503, and the quota create nothing', async () => {
    const res = await fetch(`${h.emu.rootUrl}v4/spreadsheets/anonymous-book`);
    assert.equal(res.status, 401);
    const api = h.api(h.jwtClient());
    h.emu.queueFault({ target: 'read', action: '503' });
    assert.equal((await failure(api.spreadsheets.get({ spreadsheetId: 'unlucky-book' }))).status, 503);
    for (const id of ['anonymous-book', 'unlucky-book']) assert.equal(h.emu.tabs(id), undefined, id);
  });

  it('reset forgets spreadsheets created on first use; the next use creates them afresh', async () => {
    const api = h.api(h.jwtClient());
    await api.spreadsheets.values.update({ spreadsheetId: 'reset-book', range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values: [['kept?']] } });
    h.emu.reset();
    assert.equal(h.emu.tabs('reset-book'), undefined);
    await api.spreadsheets.get({ spreadsheetId: 'reset-book' });
    assert.deepEqual(h.emu.tabs('reset-book'), { tabs: { Sheet1: [] } });
  });
});
