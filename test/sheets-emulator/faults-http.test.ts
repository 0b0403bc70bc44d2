// Quotas, injected faults and the control endpoint, seen through the real clients and HTTP.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { type Harness, SPREADSHEET_ID, failure, startHarness } from './test-clients.js';

const append = (h: Harness, api: ReturnType<Harness['api']>, value: string) =>
  api.spreadsheets.values.append({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values: [[value]] } });

const columnA = (h: Harness): unknown[] => (h.emu.state(SPREADSHEET_ID).spreadsheets[0]?.sheets[0]?.values ?? []).map((r) => r[0]);

describe('per-minute quotas on an injected clock', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.emu.stop());

  it('refuses the 61st write in a minute with Google\'s 429 and accepts it once the minute has passed', async () => {
    const api = h.api(h.jwtClient());
    for (let i = 0; i < 60; i++) {
      await api.spreadsheets.values.update({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values: [[i]] } });
    }
    const err = await failure(api.spreadsheets.values.update({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values: [['too many']] } }));
    assert.equal(err.status, 429);
    assert.equal(err.body?.error?.status, 'RESOURCE_EXHAUSTED');
    assert.match(err.message, /^Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com'/);
    assert.deepEqual(columnA(h), [59], 'the refused write was not applied');
    // Reads have their own quota.
    assert.equal((await api.spreadsheets.values.get({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1!A1' })).status, 200);
    h.advance(60_000);
    const ok = await api.spreadsheets.values.update({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values: [['later']] } });
    assert.equal(ok.status, 200);
  });
});

describe('injected faults', () => {
  let h: Harness;
  let slept: number[];
  before(async () => {
    slept = [];
    h = await startHarness({
      sleep: async (ms) => {
        slept.push(ms); // injected latency is recorded, not waited for
      },
    });
  });
  afterEach(() => h.emu.reset());
  after(() => h.emu.stop());

  it('drop-after-apply: the write lands but the client only sees a dead socket', async () => {
    const api = h.api(h.jwtClient());
    await append(h, api, 'row 1');
    h.emu.queueFault({ target: 'write', action: 'drop-after-apply' });
    const err = await failure(append(h, api, 'row 2'));
    assert.equal(err.status, undefined, 'no HTTP response at all');
    assert.equal(err.code, 'ECONNRESET');
    assert.deepEqual(columnA(h), ['row 1', 'row 2'], 'the append was applied');
    const last = h.emu.requests().at(-1);
    assert.deepEqual([last?.operation, last?.status, last?.fault], ['values.append', 0, 'drop-after-apply']);
    // A client that retries the non-idempotent append duplicates the row: what sinks must avoid.
    await append(h, api, 'row 2');
    assert.deepEqual(columnA(h), ['row 1', 'row 2', 'row 2']);
  });

  it('drop-after-apply on values.update: gaxios retries the PUT and rewriting the same cells is harmless', async () => {
    const api = h.api(h.jwtClient(), { retry: true });
    h.emu.queueFault({ target: 'write', action: 'drop-after-apply' });
    const res = await api.spreadsheets.values.update({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1!A5:B5', valueInputOption: 'RAW', requestBody: { values: [['x', 'y']] } });
    assert.equal(res.status, 200);
    assert.deepEqual(
      h.emu.requests().filter((r) => r.operation === 'values.update').map((r) => r.status),
      [0, 200],
    );
    assert.deepEqual(h.emu.state(SPREADSHEET_ID).spreadsheets[0]?.sheets[0]?.values.slice(4), [['x', 'y']]);
  });

  it('drop-before-apply: the client sees a dead socket and nothing changed', async () => {
    const api = h.api(h.jwtClient());
    h.emu.setFaults('next-write=drop-before-apply');
    await failure(append(h, api, 'lost'));
    assert.deepEqual(columnA(h), []);
  });

  it('503, 500 and 429 come with Google\'s bodies and apply nothing', async () => {
    const api = h.api(h.jwtClient());
    h.emu.setFaults('next-write=503,next-write=500,next-write=429');
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await failure(append(h, api, 'x')));
    assert.deepEqual(
      seen.map((e) => [e.status, e.body?.error?.status]),
      [
        [503, 'UNAVAILABLE'],
        [500, 'INTERNAL'],
        [429, 'RESOURCE_EXHAUSTED'],
      ],
    );
    assert.equal(seen[0]?.message, 'The service is currently unavailable.');
    assert.deepEqual(columnA(h), []);
  });

  it('random faults follow the seed: two runs with the same spec fail the same requests', async () => {
    const run = async (): Promise<string[]> => {
      h.emu.reset();
      h.emu.setFaults('503=0.3,500=0.2,seed=99');
      const api = h.api(h.jwtClient());
      const statuses: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await api.spreadsheets.values.get({ spreadsheetId: SPREADSHEET_ID, range: 'Sheet1!A1' }).then(
          (res) => String(res.status),
          (e: { status?: number }) => String(e.status),
        );
        statuses.push(r);
      }
      return statuses;
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.ok(first.includes('503') && first.includes('200'), first.join(','));
  });

  it('latency goes through the injected sleep and is logged', async () => {
    slept.length = 0;
    h.emu.setFaults('latency=20-40,seed=5');
    const api = h.api(h.jwtClient());
    await api.spreadsheets.get({ spreadsheetId: SPREADSHEET_ID });
    assert.equal(slept.length, 1);
    assert.ok(slept[0] !== undefined && slept[0] >= 20 && slept[0] <= 40);
    assert.equal(h.emu.requests().at(-1)?.fault, `latency:${slept[0]}`);
  });

  it('token requests can be faulted too, and google-auth-library retries them', async () => {
    h.emu.setFaults('next-token=503');
    const res = await h.api(h.oauthClient()).spreadsheets.get({ spreadsheetId: SPREADSHEET_ID });
    assert.equal(res.status, 200);
    assert.deepEqual(
      h.emu.requests().map((r) => `${r.operation} ${r.status}`),
      ['token 503', 'token 200', 'get 200'],
    );
  });
});

describe('control endpoint over HTTP', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ spreadsheetIds: ['first-book', 'second-book'] });
  });
  after(() => h.emu.stop());

  const control = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${h.emu.url}/_emulator${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('shows state, sets faults, lists requests and resets, without auth', async () => {
    const api = h.api(h.jwtClient());
    await api.spreadsheets.values.update({ spreadsheetId: 'second-book', range: 'Sheet1!B2', valueInputOption: 'RAW', requestBody: { values: [['hello']] } });
    const state = await control('GET', '/state?spreadsheetId=second-book');
    assert.deepEqual(state.json, {
      spreadsheets: [
        {
          spreadsheetId: 'second-book',
          title: 'Emulated second-book',
          sheets: [{ sheetId: 0, title: 'Sheet1', index: 0, gridProperties: { rowCount: 1000, columnCount: 26, frozenRowCount: 0, frozenColumnCount: 0 }, values: [[], ['', 'hello']], cells: { B2: { value: 'hello', formattedValue: 'hello' } } }],
        },
      ],
    });

    const bad = await control('POST', '/faults', { spec: '418=0.5' });
    assert.equal(bad.status, 400);
    const set = await control('POST', '/faults', { spec: '503=1' });
    assert.deepEqual(set.json['probabilities'], { '503': 1 });
    assert.equal((await failure(api.spreadsheets.get({ spreadsheetId: 'first-book' }))).status, 503);
    await control('POST', '/faults/next', { target: 'read', action: 'drop-before-apply' });
    assert.deepEqual((await control('GET', '/faults')).json['queue'], [{ target: 'read', action: 'drop-before-apply', count: 1 }]);

    const requests = (await control('GET', '/requests')).json['requests'] as Array<Record<string, unknown>>;
    assert.deepEqual(
      requests.map((r) => [r['method'], r['path'], r['status']]),
      [
        ['POST', '/token', 200],
        ['PUT', '/v4/spreadsheets/second-book/values/Sheet1%21B2', 200],
        ['GET', '/v4/spreadsheets/first-book', 503],
      ],
    );

    assert.equal((await control('POST', '/reset')).status, 200);
    assert.deepEqual((await control('GET', '/requests')).json['requests'], []);
    assert.equal((await api.spreadsheets.get({ spreadsheetId: 'first-book' })).status, 200, 'faults are cleared and the token still works');
    const after = (await control('GET', '/state?spreadsheetId=second-book')).json as { spreadsheets: Array<{ sheets: Array<{ values: unknown[] }> }> };
    assert.deepEqual(after.spreadsheets[0]?.sheets[0]?.values, []);
  });

  it('issues authorization codes and advances the clock for out-of-process tests', async () => {
    const { json } = await control('POST', '/authorization-code', { redirectUri: 'http://127.0.0.1:1/cb' });
    assert.match(String(json['code']), /^4\/emu-/);
    const before = Number((await control('POST', '/clock', { advanceMs: 0 })).json['now']);
    const later = Number((await control('POST', '/clock', { advanceMs: 60_000 })).json['now']);
    assert.equal(later - before, 60_000);
    const creds = (await control('GET', '/credentials')).json as { serviceAccount: { client_email: string; token_uri: string } };
    assert.equal(creds.serviceAccount.token_uri, h.emu.tokenUrl);
    assert.equal((await control('GET', '/nope')).status, 404);
    // prettyPrint=false gives compact JSON, as at Google (here on an unauthenticated 401).
    const compact = await (await fetch(`${h.emu.url}/v4/spreadsheets/first-book?prettyPrint=false`)).text();
    const pretty = await (await fetch(`${h.emu.url}/v4/spreadsheets/first-book`)).text();
    assert.notEqual(compact, pretty);
    assert.equal(compact, JSON.stringify(JSON.parse(pretty)));
  });
});
