import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkStatus } from '../../../gateway/api/sync-status.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { http } from '../../helpers/http.js';
import { LineClient } from '../../helpers/line-client.js';
import { waitFor } from '../../helpers/wait.js';

/** A sink the tests can put into any state. */
const sinks: SinkStatus[] = [];

let gw: TestApp;
let token: string;
const get = (path: string, t?: string) => http(gw.httpPort, 'GET', path, t === undefined ? {} : { token: t });

async function board(id: string, lines: string[], hello = `HELLO ${id} tok-${id} boot=7 up=1000 fw=2.1.0 board=esp8266`): Promise<LineClient> {
  const c = await LineClient.open(gw.port);
  c.send(hello);
  assert.match((await c.next())!, /^HELLO OK /);
  c.send(...lines);
  return c;
}

before(async () => {
  gw = await startTestApp({}, undefined, undefined, { syncStatus: { sinks: () => sinks } });
  token = readFileSync(join(gw.dataDir, 'admin-token'), 'utf8').trim();
  // Two boards with readings at known times, one NAK, one clock sample.
  const a = await board('alpha', [`T 2000 off=${Date.now() - 2035} rtt=18`, 'R 1 1795232400000 temp_c=20.5 rh=40', 'R 2 1795232460000 temp_c=20.7', 'R 3 - temp_c=']);
  assert.match((await a.next())!, /^T 2000 /);
  // The NAK goes out at once, the ACK after the commit: either order.
  const replies = [await a.next(), await a.next()].sort();
  assert.equal(replies[0], 'ACK 3');
  assert.match(replies[1]!, /^NAK 3 BAD_VALUE /);
  const b = await board('beta', ['R 1 1795232430000 door=true', 'R 2 1795232490000 rh=55'], 'HELLO beta tok-beta boot=9 up=5');
  assert.equal(await b.next(), 'ACK 2');
  b.send('BYE');
  await b.closed();
  a.close();
  await waitFor(() => gw.app.sessions.size === 0, 'boards to disconnect');
});

after(() => gw.stop());

describe('envelope and introspection', () => {
  test('GET /api/v1 lists every operation with its parameters, access and errors', async () => {
    const r = await get('/api/v1');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(), ['reason', 'result', 'status']);
    assert.equal(r.json.status, 'ok');
    assert.equal(r.json.reason, null);
    const ops = r.json.result.operations as { name: string; method: string; path: string; access: string; parameters: { name: string; in: string; type: string; required: boolean }[]; errors: string[] }[];
    assert.deepEqual(
      ops.map((o) => o.name),
      ['operations', 'status', 'devices.list', 'devices.get', 'devices.bill', 'devices.add', 'devices.revoke', 'readings.list', 'sync.list', 'sync.get'],
    );
    const readings = ops.find((o) => o.name === 'readings.list')!;
    assert.deepEqual(readings.parameters.map((p) => `${p.name}:${p.in}:${p.type}:${p.required}`), [
      'device:query:string:false',
      'sensor:query:string:false',
      'from:query:string:false',
      'to:query:string:false',
      'limit:query:integer:false',
      'cursor:query:string:false',
    ]);
    const add = ops.find((o) => o.name === 'devices.add')!;
    assert.equal(add.access, 'admin');
    assert.deepEqual(add.parameters, [{ name: 'id', in: 'body', type: 'string', required: true, description: 'Device id, [A-Za-z0-9_.-]{1,64}' }]);
    assert.ok(add.errors.includes('DEVICE_EXISTS') && add.errors.includes('TOKEN_REQUIRED'));
    assert.equal(ops.find((o) => o.name === 'devices.get')!.parameters[0]!.in, 'path');
    assert.equal(r.json.result.auth.readsNeedToken, false);
  });

  test('unknown paths and methods answer NOT_FOUND (404) and METHOD_NOT_ALLOWED (405, Allow)', async () => {
    const missing = await get('/api/v1/nope');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { status: 'error', result: null, reason: { code: 'NOT_FOUND', message: missing.json.reason.message } });
    const wrong = await http(gw.httpPort, 'DELETE', '/api/v1/devices/alpha', { token });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.json.reason.code, 'METHOD_NOT_ALLOWED');
    assert.equal(wrong.headers.allow, 'GET');
    const page = await get('/nothing-here.html');
    assert.equal(page.status, 404);
    assert.equal(page.json.reason.code, 'NOT_FOUND');
  });

  test('the live feed path without a WebSocket upgrade answers UPGRADE_REQUIRED (426)', async () => {
    const r = await get('/api/v1/live');
    assert.equal(r.status, 426);
    assert.equal(r.json.reason.code, 'UPGRADE_REQUIRED');
  });

  test('/healthz answers ok without a token', async () => {
    const r = await get('/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'ok');
    assert.equal(typeof r.json.result.uptimeMs, 'number');
  });
});

describe('status', () => {
  test('reports version, listeners, buffer, fleet and ingest counters', async () => {
    const r = await get('/api/v1/status');
    assert.equal(r.status, 200);
    const s = r.json.result;
    assert.equal(s.version, JSON.parse(readFileSync('package.json', 'utf8')).version);
    assert.deepEqual(s.listeners.tcp, { host: '127.0.0.1', port: gw.port });
    assert.deepEqual(s.listeners.http, { host: '127.0.0.1', port: gw.httpPort });
    assert.ok(s.uptimeMs >= 0);
    assert.equal(s.auth, 'tofu');
    assert.equal(s.buffer.highestId, 4);
    assert.equal(s.buffer.maxRows, gw.config.store.maxBufferRows);
    assert.ok(s.buffer.bytes > 0);
    assert.equal(s.ingest.readingsAccepted, 4);
    assert.equal(s.ingest.readingsStored, 4);
    assert.deepEqual(s.ingest.naks, { BAD_VALUE: 1 });
    assert.equal(s.ingest.connectionsTotal, 2);
    assert.deepEqual(Object.keys(s.ingest.rates), ['last1s', 'last10s', 'last60s']);
    assert.deepEqual(s.fleet, { total: 2, connected: 0, seen: 2, silent: 0, never: 0, revoked: 0 });
  });

  test('refuses unknown query parameters with INVALID_PARAMETER (400) and names them', async () => {
    const r = await get('/api/v1/status?verbose=1');
    assert.equal(r.status, 400);
    assert.equal(r.json.reason.code, 'INVALID_PARAMETER');
    assert.deepEqual(r.json.reason.details, [{ parameter: 'verbose', message: r.json.reason.details[0].message }]);
  });
});

describe('devices', () => {
  test('list: every device with status and statistics', async () => {
    const r = await get('/api/v1/devices');
    assert.equal(r.status, 200);
    const devices = r.json.result.devices as { id: string; status: string; readings: number; naks: number; board: string | null }[];
    assert.deepEqual(devices.map((d) => [d.id, d.status, d.readings, d.naks, d.board]), [
      ['alpha', 'recent', 2, 1, 'esp8266'],
      ['beta', 'recent', 2, 0, null],
    ]);
  });

  test('get: one device with its clock error, raw anchor, round trip and error codes', async () => {
    const r = await get('/api/v1/devices/alpha');
    assert.equal(r.status, 200);
    const d = r.json.result;
    assert.equal(d.id, 'alpha');
    assert.equal(d.fw, '2.1.0');
    assert.equal(d.clock.rttMs, 18);
    assert.equal(d.clock.kind, 'board', 'it reported its own estimate with off=');
    assert.equal(typeof d.clock.errorMs, 'number');
    assert.equal(typeof d.clock.epochMinusMillisMs, 'number');
    assert.equal('offsetMs' in d.clock, false, 'the anchor is not called an offset any more');
    assert.deepEqual(d.errors, { BAD_VALUE: 1 });
    assert.equal(d.connects, 1);
  });

  test('get: an unknown device is DEVICE_UNKNOWN (404)', async () => {
    const r = await get('/api/v1/devices/ghost');
    assert.equal(r.status, 404);
    assert.equal(r.json.status, 'error');
    assert.equal(r.json.result, null);
    assert.equal(r.json.reason.code, 'DEVICE_UNKNOWN');
    const escaped = await get(`/api/v1/devices/${encodeURIComponent('a b')}`);
    assert.equal(escaped.json.reason.code, 'DEVICE_UNKNOWN');
  });
});

describe('readings', () => {
  const list = async (query: string) => {
    const r = await get(`/api/v1/readings${query}`);
    assert.equal(r.status, 200, r.text);
    return r.json.result as { readings: { id: number; device: string; seq: number; time: string; tsSource: string; fields: Record<string, unknown> }[]; nextCursor: string | null };
  };

  test('newest first, with fields parsed and time as ISO 8601', async () => {
    const { readings, nextCursor } = await list('');
    assert.deepEqual(readings.map((r) => `${r.device}#${r.seq}`), ['beta#2', 'beta#1', 'alpha#2', 'alpha#1']);
    assert.equal(nextCursor, null);
    assert.deepEqual(readings[3]!.fields, { temp_c: 20.5, rh: 40 });
    assert.equal(readings[3]!.time, new Date(1795232400000).toISOString());
    assert.equal(readings[3]!.tsSource, 'device');
  });

  test('filters by device, sensor and time range (from inclusive, to exclusive; ms or ISO)', async () => {
    assert.deepEqual((await list('?device=alpha')).readings.map((r) => r.seq), [2, 1]);
    assert.deepEqual((await list('?sensor=rh')).readings.map((r) => `${r.device}#${r.seq}`), ['beta#2', 'alpha#1']);
    assert.deepEqual((await list('?from=1795232430000&to=1795232490000')).readings.map((r) => `${r.device}#${r.seq}`), ['beta#1', 'alpha#2']);
    const iso = new Date(1795232460000).toISOString();
    assert.deepEqual((await list(`?from=${encodeURIComponent(iso)}&device=alpha&sensor=temp_c`)).readings.map((r) => r.seq), [2]);
    assert.deepEqual((await list('?device=nobody')).readings, []);
  });

  test('pages with limit and cursor until nextCursor is null', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const page = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.readings.map((r) => `${r.device}#${r.seq}`));
      cursor = page.nextCursor;
      pages++;
    }
    assert.equal(pages, 2);
    assert.deepEqual(seen, ['beta#2', 'beta#1', 'alpha#2', 'alpha#1']);
  });

  test('bad parameters are INVALID_PARAMETER with one detail per problem', async () => {
    for (const [query, parameter] of [
      ['?limit=0', 'limit'],
      ['?limit=1001', 'limit'],
      ['?limit=ten', 'limit'],
      ['?cursor=abc', 'cursor'],
      ['?cursor=0', 'cursor'],
      ['?from=yesterday', 'from'],
      ['?from=1795232490000&to=1795232430000', 'from'],
      ['?sensor=', 'sensor'],
      ['?devcie=alpha', 'devcie'],
    ] as const) {
      const r = await get(`/api/v1/readings${query}`);
      assert.equal(r.status, 400, query);
      assert.equal(r.json.reason.code, 'INVALID_PARAMETER', query);
      assert.deepEqual(r.json.reason.details.map((d: { parameter: string }) => d.parameter), [parameter], query);
    }
  });
});

describe('sync status', () => {
  const base: SinkStatus = {
    name: 'sheets',
    kind: 'google-sheets',
    state: 'backoff',
    target: 'spreadsheet 1AbC',
    cursor: 1,
    lastPushAt: 1795232400000,
    lastError: { at: 1795232401000, code: 'RATE_LIMITED', message: '429 quota' },
    rowsWritten: 1,
    requests: 5,
    errors: 2,
    throttled: 2,
    quota: { used: 59, limit: 60, windowMs: 60000 },
    backoffUntil: null,
  };

  test('lists sinks with pending rows and lag computed from the store cursor', async (t) => {
    sinks.push(base);
    t.after(() => sinks.splice(0));
    const r = await get('/api/v1/sync');
    assert.equal(r.status, 200);
    const [s] = r.json.result.sinks;
    assert.equal(s.name, 'sheets');
    assert.equal(s.state, 'backoff');
    assert.equal(s.pendingRows, 3);
    assert.equal(typeof s.oldestPendingAt, 'number');
    assert.ok(s.lagMs >= 0);
    assert.equal(s.throttled, 2);
    assert.deepEqual(s.quota, { used: 59, limit: 60, windowMs: 60000 });
  });

  test('one sink by name; an unknown one is SINK_UNKNOWN (404)', async (t) => {
    sinks.push({ ...base, name: 'csv', kind: 'csv', state: 'idle', cursor: 4, lastError: null, quota: null });
    t.after(() => sinks.splice(0));
    const r = await get('/api/v1/sync/csv');
    assert.equal(r.status, 200);
    assert.equal(r.json.result.pendingRows, 0);
    assert.equal(r.json.result.oldestPendingAt, null);
    assert.equal(r.json.result.lagMs, 0);
    const missing = await get('/api/v1/sync/sheets');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.reason.code, 'SINK_UNKNOWN');
  });

  test('no sinks: an empty list', async () => {
    const r = await get('/api/v1/sync');
    assert.deepEqual(r.json.result, { sinks: [] });
  });
});

describe('provisioning', () => {
  test('add needs the admin token: TOKEN_REQUIRED (401) without, TOKEN_INVALID (403) with a wrong one', async () => {
    const none = await http(gw.httpPort, 'POST', '/api/v1/devices', { body: { id: 'gamma' } });
    assert.equal(none.status, 401);
    assert.equal(none.json.reason.code, 'TOKEN_REQUIRED');
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    const wrong = await http(gw.httpPort, 'POST', '/api/v1/devices', { body: { id: 'gamma' }, token: 'not-the-token-at-all' });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.json.reason.code, 'TOKEN_INVALID');
    const malformed = await http(gw.httpPort, 'POST', '/api/v1/devices', { body: { id: 'gamma' }, headers: { authorization: 'Basic abc' } });
    assert.equal(malformed.json.reason.code, 'TOKEN_INVALID');
    assert.equal(gw.app.store.devices.find('gamma'), undefined);
  });

  test('add returns a token that a board can use at once; adding again is DEVICE_EXISTS (409)', async () => {
    const r = await http(gw.httpPort, 'POST', '/api/v1/devices', { body: { id: 'gamma' }, token });
    assert.equal(r.status, 201);
    assert.equal(r.json.result.id, 'gamma');
    const deviceToken = r.json.result.token as string;
    assert.ok(deviceToken.length >= 16);
    const c = await LineClient.open(gw.port);
    c.send(`HELLO gamma ${deviceToken} boot=1`);
    assert.match((await c.next())!, /^HELLO OK /);
    c.close();
    const again = await http(gw.httpPort, 'POST', '/api/v1/devices', { body: { id: 'gamma' }, token });
    assert.equal(again.status, 409);
    assert.equal(again.json.reason.code, 'DEVICE_EXISTS');
  });

  test('add validates the body: DEVICE_ID_INVALID, INVALID_PARAMETER, INVALID_JSON, UNSUPPORTED_MEDIA_TYPE, BODY_TOO_LARGE', async () => {
    const post = (opts: Parameters<typeof http>[3]) => http(gw.httpPort, 'POST', '/api/v1/devices', { token, ...opts });
    const bad = await post({ body: { id: 'has space' } });
    assert.deepEqual([bad.status, bad.json.reason.code], [400, 'DEVICE_ID_INVALID']);
    const missing = await post({ body: {} });
    assert.deepEqual([missing.status, missing.json.reason.code, missing.json.reason.details[0].parameter], [400, 'INVALID_PARAMETER', 'id']);
    const extra = await post({ body: { id: 'delta', token: 'x' } });
    assert.equal(extra.json.reason.code, 'INVALID_PARAMETER');
    const notJson = await post({ raw: '{"id":', headers: { 'content-type': 'application/json' } });
    assert.deepEqual([notJson.status, notJson.json.reason.code], [400, 'INVALID_JSON']);
    const form = await post({ raw: 'id=delta', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual([form.status, form.json.reason.code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
    const huge = await post({ body: { id: 'x'.repeat(20000) } });
    assert.deepEqual([huge.status, huge.json.reason.code], [413, 'BODY_TOO_LARGE']);
    assert.equal(gw.app.store.devices.find('delta'), undefined);
  });

  test('revoke disconnects a live board at once and is idempotent; an unknown device is DEVICE_UNKNOWN', async () => {
    const c = await board('epsilon', []);
    await waitFor(() => gw.app.sessions.devices().includes('epsilon'), 'epsilon to be connected');
    const none = await http(gw.httpPort, 'POST', '/api/v1/devices/epsilon/revoke');
    assert.equal(none.json.reason.code, 'TOKEN_REQUIRED');
    const r = await http(gw.httpPort, 'POST', '/api/v1/devices/epsilon/revoke', { token });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.result, { id: 'epsilon', revoked: true });
    assert.deepEqual(await c.closed(), ['ERR REVOKED device was revoked']);
    const device = await get('/api/v1/devices/epsilon');
    assert.equal(device.json.result.status, 'revoked');
    const again = await http(gw.httpPort, 'POST', '/api/v1/devices/epsilon/revoke', { token });
    assert.equal(again.status, 200);
    const unknown = await http(gw.httpPort, 'POST', '/api/v1/devices/nobody/revoke', { token });
    assert.deepEqual([unknown.status, unknown.json.reason.code], [404, 'DEVICE_UNKNOWN']);
  });
});
