// The emulator through the REAL clients: @googleapis/sheets with rootUrl, and
// google-auth-library's JWT (token endpoint and self-signed), GoogleAuth and OAuth2Client.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gaxios } from 'google-auth-library';
import { type Harness, SCOPES, SPREADSHEET_ID, failure, startHarness } from './test-clients.js';

describe('service account through the token endpoint', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.emu.stop());

  it('creates a tab, freezes and bolds its header, writes, reads and appends', async () => {
    const api = h.api(h.jwtClient());
    const added = await api.spreadsheets.batchUpdate({
      spreadsheetId: SPREADSHEET_ID,
      requestBody: { requests: [{ addSheet: { properties: { title: 'Long readings', gridProperties: { rowCount: 100, columnCount: 9 } } } }] },
    });
    const sheetId = added.data.replies?.[0]?.addSheet?.properties?.sheetId;
    assert.equal(typeof sheetId, 'number');
    await api.spreadsheets.batchUpdate({
      spreadsheetId: SPREADSHEET_ID,
      requestBody: {
        requests: [
          { updateSheetProperties: { properties: { sheetId, gridProperties: { frozenRowCount: 1 } }, fields: 'gridProperties.frozenRowCount' } },
          { repeatCell: { range: { sheetId, startRowIndex: 0, endRowIndex: 1 }, cell: { userEnteredFormat: { textFormat: { bold: true } } }, fields: 'userEnteredFormat.textFormat.bold' } },
        ],
      },
    });
    const updated = await api.spreadsheets.values.update({
      spreadsheetId: SPREADSHEET_ID,
      range: "'Long readings'!A1:D2",
      valueInputOption: 'USER_ENTERED',
      requestBody: { values: [['time', 'device', 'sensor', 'value'], ['2026-11-21 13:45:01', 'esp-1', 'temp', '21.5']] },
    });
    assert.deepEqual(updated.data, { spreadsheetId: SPREADSHEET_ID, updatedRange: "'Long readings'!A1:D2", updatedRows: 2, updatedColumns: 4, updatedCells: 8 });

    const appended = await api.spreadsheets.values.append({
      spreadsheetId: SPREADSHEET_ID,
      range: "'Long readings'!A:D",
      valueInputOption: 'RAW',
      insertDataOption: 'INSERT_ROWS',
      requestBody: { values: [['2026-11-21 13:45:02', 'esp-1', 'temp', 21.6]] },
    });
    assert.equal(appended.data.tableRange, "'Long readings'!A1:D2");
    assert.equal(appended.data.updates?.updatedRange, "'Long readings'!A3:D3");

    const got = await api.spreadsheets.values.get({ spreadsheetId: SPREADSHEET_ID, range: "'Long readings'!A2:D", valueRenderOption: 'UNFORMATTED_VALUE' });
    assert.equal(got.data.range, "'Long readings'!A2:D101");
    assert.deepEqual(got.data.values, [
      [46347.57292824074, 'esp-1', 'temp', 21.5],
      ['2026-11-21 13:45:02', 'esp-1', 'temp', 21.6],
    ]);

    const meta = await api.spreadsheets.get({ spreadsheetId: SPREADSHEET_ID, fields: 'sheets.properties' });
    const tab = meta.data.sheets?.find((s) => s.properties?.title === 'Long readings');
    assert.deepEqual(tab?.properties?.gridProperties, { rowCount: 101, columnCount: 9, frozenRowCount: 1 });
    assert.equal(Object.keys(meta.data).join(','), 'sheets', 'the fields mask trims the answer');

    const state = h.emu.state(SPREADSHEET_ID).spreadsheets[0]?.sheets.find((s) => s.title === 'Long readings');
    assert.deepEqual(state?.cells['B1']?.format, { textFormat: { bold: true } });
    assert.equal(state?.gridProperties.frozenRowCount, 1);
  });

  it('fails past the grid with a GaxiosError carrying Google\'s 400', async () => {
    const api = h.api(h.jwtClient());
    const err = await failure(
      api.spreadsheets.values.update({ spreadsheetId: SPREADSHEET_ID, range: "'Sheet1'!A1001:B1001", valueInputOption: 'RAW', requestBody: { values: [[1, 2]] } }),
    );
    assert.ok(err.error instanceof gaxios.GaxiosError, 'a GaxiosError, as Google\'s 400 would be');
    assert.equal(err.status, 400);
    assert.equal(err.message, 'Range (Sheet1!A1001:B1001) exceeds grid limits. Max rows: 1000, max columns: 26');
    assert.deepEqual(err.body, { error: { code: 400, message: 'Range (Sheet1!A1001:B1001) exceeds grid limits. Max rows: 1000, max columns: 26', status: 'INVALID_ARGUMENT' } });
  });

  it('answers an unknown spreadsheet with 404 and an unknown tab with 400', async () => {
    const api = h.api(h.jwtClient());
    const missing = await failure(api.spreadsheets.get({ spreadsheetId: 'no-such-spreadsheet' }));
    assert.equal(missing.status, 404);
    assert.equal(missing.body?.error?.status, 'NOT_FOUND');
    const tab = await failure(api.spreadsheets.values.get({ spreadsheetId: SPREADSHEET_ID, range: 'Nowhere!A1' }));
    assert.equal(tab.status, 400);
    assert.equal(tab.message, 'Unable to parse range: Nowhere!A1');
  });

  it('applies a spreadsheets.batchUpdate atomically', async () => {
    const api = h.api(h.jwtClient());
    const err = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId: SPREADSHEET_ID,
        requestBody: { requests: [{ addSheet: { properties: { title: 'Half done' } } }, { appendDimension: { sheetId: 424242, dimension: 'ROWS', length: 5 } }] },
      }),
    );
    assert.equal(err.status, 400);
    assert.match(err.message, /^Invalid requests\[1\]\.appendDimension: No grid with id: 424242/);
    const meta = await api.spreadsheets.get({ spreadsheetId: SPREADSHEET_ID });
    assert.equal(meta.data.sheets?.some((s) => s.properties?.title === 'Half done'), false);
  });

  it('creates a new spreadsheet for roll-over', async () => {
    const api = h.api(h.jwtClient());
    const created = await api.spreadsheets.create({ requestBody: { properties: { title: 'sheetlog 2027' }, sheets: [{ properties: { title: 'Readings' } }] } });
    const id = created.data.spreadsheetId ?? '';
    const written = await api.spreadsheets.values.append({ spreadsheetId: id, range: 'Readings!A1', valueInputOption: 'RAW', requestBody: { values: [['first']] } });
    assert.equal(written.data.updates?.updatedRange, 'Readings!A1');
  });

  it('loads the key through GoogleAuth too', async () => {
    const api = h.api(await h.googleAuthClient());
    const got = await api.spreadsheets.get({ spreadsheetId: SPREADSHEET_ID });
    assert.equal(got.data.spreadsheetId, SPREADSHEET_ID);
  });
});

describe('service account with a self-signed JWT', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.emu.stop());

  it('calls the API without ever visiting the token endpoint', async () => {
    const api = h.api(h.selfSignedJwtClient());
    await api.spreadsheets.values.update({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values: [['self-signed']] } });
    const got = await api.spreadsheets.values.get({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1!A1' });
    assert.deepEqual(got.data.values, [['self-signed']]);
    const ops = h.emu.requests().map((r) => r.operation);
    assert.deepEqual(ops, ['values.update', 'values.get']);
    assert.equal(h.emu.requests()[0]?.subject, h.emu.serviceAccountCredentials().client_email);
  });
});

describe('installed-app OAuth client', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.emu.stop());

  it('refreshes its access token at endpoints.oauth2TokenUrl and calls the API', async () => {
    const api = h.api(h.oauthClient());
    await api.spreadsheets.values.append({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1', valueInputOption: 'RAW', requestBody: { values: [['via oauth']] } });
    assert.deepEqual(
      h.emu.requests().map((r) => `${r.operation} ${r.status}`),
      ['token 200', 'values.append 200'],
    );
  });

  it('runs the loopback authorization-code flow with PKCE end to end', async () => {
    const client = h.oauthClient();
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    let redirect = '';
    const received = new Promise<string>((resolve) => {
      const loopback = createServer((req, res) => {
        res.end('ok');
        loopback.close();
        resolve(new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('code') ?? '');
      }).listen(0, '127.0.0.1', () => {
        const redirectUri = `http://127.0.0.1:${(loopback.address() as AddressInfo).port}/oauth2callback`;
        const authUrl = client.generateAuthUrl({ scope: SCOPES, redirect_uri: redirectUri, code_challenge: codeChallenge, code_challenge_method: 'S256' as never, access_type: 'offline' });
        // The "browser": follows the emulator's consent redirect to the loopback server.
        void fetch(authUrl).then((r) => r.text());
        redirect = redirectUri;
      });
    });
    const code = await received;
    const { tokens } = await client.getToken({ code, codeVerifier, redirect_uri: redirect });
    assert.match(tokens.refresh_token ?? '', /^1\/\/emu-/);
    client.setCredentials(tokens);
    const got = await h.api(client).spreadsheets.get({ spreadsheetId: SPREADSHEET_ID });
    assert.equal(got.status, 200);
  });
});

describe('authentication failures', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.emu.stop());

  it('answers a call without a token with Google\'s 401', async () => {
    const err = await failure(h.api(undefined).spreadsheets.get({ spreadsheetId: SPREADSHEET_ID }));
    assert.equal(err.status, 401);
    assert.equal(err.body?.error?.status, 'UNAUTHENTICATED');
    assert.match(err.message, /^Request is missing required authentication credential/);
    const raw = await fetch(`${h.emu.url}/v4/spreadsheets/${SPREADSHEET_ID}`);
    assert.equal(raw.headers.get('www-authenticate'), 'Bearer realm="https://accounts.google.com/"');
  });

  it('after expire-tokens: 401, then the client recovers by marking its token expired', async () => {
    const oauth = h.oauthClient();
    const jwt = h.jwtClient();
    for (const client of [oauth, jwt]) await h.api(client).spreadsheets.get({ spreadsheetId: SPREADSHEET_ID });
    const control = await fetch(`${h.emu.url}/_emulator/expire-tokens`, { method: 'POST' });
    assert.equal(control.status, 200);
    for (const client of [oauth, jwt]) {
      const api = h.api(client);
      const err = await failure(api.spreadsheets.get({ spreadsheetId: SPREADSHEET_ID }));
      assert.equal(err.status, 401);
      assert.match(err.message, /^Request had invalid authentication credentials/);
      // google-auth-library does not refresh on a 401 when it knows an expiry date; a sink
      // marks the token expired and retries once, which works for JWT and OAuth2Client alike.
      client.credentials = { ...client.credentials, expiry_date: 1 };
      const ok = await api.spreadsheets.get({ spreadsheetId: SPREADSHEET_ID });
      assert.equal(ok.status, 200);
    }
  });

  it('refuses a token whose scope does not cover Sheets with 403', async () => {
    const jwt = h.jwtClient();
    jwt.scopes = ['https://www.googleapis.com/auth/userinfo.email'];
    const err = await failure(h.api(jwt).spreadsheets.get({ spreadsheetId: SPREADSHEET_ID }));
    assert.equal(err.status, 403);
    assert.equal(err.message, 'Request had insufficient authentication scopes.');
  });
});

describe('token expiry on the emulator\'s clock', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.emu.stop());

  it('OAuth2Client with forceRefreshOnFailure recovers from an expired token by itself', async () => {
    const client = h.oauthClient({ forceRefreshOnFailure: true });
    const api = h.api(client);
    await api.spreadsheets.get({ spreadsheetId: SPREADSHEET_ID });
    h.advance(3600_000); // the emulator's clock passes the token's hour; the library's does not
    const before = h.emu.requests().length;
    const ok = await api.spreadsheets.get({ spreadsheetId: SPREADSHEET_ID });
    assert.equal(ok.status, 200);
    assert.deepEqual(
      h.emu.requests().slice(before).map((r) => `${r.operation} ${r.status}`),
      ['get 401', 'token 200', 'get 200'],
    );
  });
});
