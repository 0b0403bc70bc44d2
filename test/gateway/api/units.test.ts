import { fieldsSection } from '../../../gateway/config/sections/fields.js';
import { FieldRules } from '../../../gateway/fields/rules.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devicePage } from '../../../gateway/api/feed/device-page.js';
import { longLayoutEncoder } from '../../../gateway/api/feed/sheet-rows.js';
import { sinkRowEncoder, sinkRowEncoderFor } from '../../../gateway/api/feed/sink-rows.js';
import { configSchema } from '../../../gateway/config/schema.js';
import { ZoneClock } from '../../../gateway/time/time-zone.js';
import { RateMeter } from '../../../gateway/api/rates.js';
import { Router } from '../../../gateway/api/router.js';
import { sinkViews, type DeviceView } from '../../../gateway/api/views.js';
import type { ApiDeps } from '../../../gateway/api/context.js';
import type { SinkStatus } from '../../../gateway/api/sync-status.js';
import { IngestCounters } from '../../../gateway/ingest/counters.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

test('router: params, decoding, 405 with the allowed methods, HEAD as GET', () => {
  const r = new Router([
    { method: 'GET', path: '/api/v1/devices', target: 'list' },
    { method: 'POST', path: '/api/v1/devices', target: 'add' },
    { method: 'GET', path: '/api/v1/devices/:id', target: 'get' },
    { method: 'POST', path: '/api/v1/devices/:id/revoke', target: 'revoke' },
  ]);
  assert.deepEqual(r.match('GET', '/api/v1/devices/k%C3%BCche-1'), { kind: 'found', target: 'get', params: { id: 'küche-1' } });
  assert.deepEqual(r.match('POST', '/api/v1/devices/a/revoke'), { kind: 'found', target: 'revoke', params: { id: 'a' } });
  assert.deepEqual(r.match('HEAD', '/api/v1/devices'), { kind: 'found', target: 'list', params: {} });
  assert.deepEqual(r.match('DELETE', '/api/v1/devices'), { kind: 'wrong-method', allow: ['GET', 'POST'] });
  assert.deepEqual(r.match('GET', '/api/v1/devices/a/b'), { kind: 'none' });
  assert.deepEqual(r.match('GET', '/api/v1/devices/%E0%A4%A'), { kind: 'none' }, 'malformed escapes match nothing');
});

function device(id: string, over: Partial<DeviceView> = {}): DeviceView {
  return {
    id, status: 'connected', origin: 'tofu', board: 'esp8266', fw: '1.0', createdAt: 0, revokedAt: null, lastSeen: 1000,
    readings: 0, duplicates: 0, bytes: 0, connects: 1, connectedMs: 0, connectedSince: null, naks: 0, errors: {},
    clock: { kind: 'unknown', errorMs: null, rttMs: null, driftPpm: null, epochMinusMillisMs: null, untrusted: 0 }, ...over,
  };
}

test('device page: filter on id/board/fw/status, sort with missing values last, limit', () => {
  const all = [
    device('b', { readings: 5, lastSeen: null, status: 'never' }),
    device('a', { readings: 9, board: 'feather-m0', clock: { kind: 'board', errorMs: -40, rttMs: 3, driftPpm: null, epochMinusMillisMs: 1_796_395_459_894, untrusted: 0 } }),
    device('c', { readings: 1, errors: { BAD_VALUE: 2, AUTH_FAILED: 1 }, naks: 2, clock: { kind: 'board', errorMs: 10, rttMs: 3, driftPpm: null, epochMinusMillisMs: 1_796_395_000_000, untrusted: 0 } }),
  ];
  const view = { type: 'view' as const, filter: '', sort: 'id' as const, desc: false, limit: 10 };
  assert.deepEqual(devicePage(all, view).rows.map((r) => r.id), ['a', 'b', 'c']);
  const numbered = ['s-10', 's-9', 's-100', 's-1'].map((id) => device(id));
  assert.deepEqual(devicePage(numbered, view).rows.map((r) => r.id), ['s-1', 's-9', 's-10', 's-100'], 'natural order');
  assert.deepEqual(devicePage(numbered, { ...view, desc: true }).rows.map((r) => r.id), ['s-100', 's-10', 's-9', 's-1']);
  assert.deepEqual(devicePage(all, { ...view, sort: 'readings', desc: true, limit: 2 }), {
    total: 3, matched: 3, rows: devicePage(all, { ...view, sort: 'readings', desc: true }).rows.slice(0, 2),
  });
  assert.deepEqual(devicePage(all, { ...view, sort: 'readings', desc: true }).rows.map((r) => r.id), ['a', 'b', 'c']);
  assert.deepEqual(devicePage(all, { ...view, sort: 'lastSeen' }).rows.map((r) => r.id), ['a', 'c', 'b']);
  assert.deepEqual(devicePage(all, { ...view, sort: 'lastSeen', desc: true }).rows.map((r) => r.id), ['a', 'c', 'b']);
  assert.deepEqual(devicePage(all, { ...view, sort: 'clock' }).rows.map((r) => r.id), ['c', 'a', 'b'], 'by the size of the clock error');
  assert.deepEqual(devicePage(all, { ...view, filter: 'FEATHER' }).rows.map((r) => r.id), ['a']);
  assert.deepEqual(devicePage(all, { ...view, filter: 'never' }).rows.map((r) => r.id), ['b']);
  const c = devicePage(all, { ...view, filter: 'c' }).rows[0]!;
  assert.deepEqual([c.naks, c.errors], [2, 1]);
});

test('rate meter: per-second samples from the counters, bounded history, means', () => {
  const timers = new ManualTimers(0);
  const counters = new IngestCounters();
  const meter = new RateMeter(counters, timers, 3);
  const seen: number[] = [];
  meter.onSample((s) => seen.push(s.accepted));
  meter.start();
  for (const n of [10, 20, 30, 40]) {
    counters.readingsAccepted += n;
    if (n === 20) counters.countNak('BAD_VALUE');
    timers.advance(1000);
  }
  assert.deepEqual(seen, [10, 20, 30, 40]);
  assert.deepEqual(meter.history().map((s) => [s.t, s.accepted, s.naks]), [[2000, 20, 1], [3000, 30, 0], [4000, 40, 0]]);
  assert.equal(meter.perSecond(1), 40);
  assert.equal(meter.perSecond(10), 30);
  meter.stop();
  assert.equal(timers.scheduled, 0);
});

test('long layout encoder: one row per field, in the sheet column order', () => {
  const rows = longLayoutEncoder.encode({
    id: 7, device: 'd', boot: 3, seq: 9, ts: 0, tsSource: 'uptime', deviceTs: null, received: 1000, fields: '{"t":1.5,"door":false,"note":"hi"}',
  });
  assert.deepEqual(rows, [
    ['1970-01-01T00:00:00.000Z', 'd', 't', 1.5, 9, 3, 'uptime', '1970-01-01T00:00:01.000Z'],
    ['1970-01-01T00:00:00.000Z', 'd', 'door', false, 9, 3, 'uptime', '1970-01-01T00:00:01.000Z'],
    ['1970-01-01T00:00:00.000Z', 'd', 'note', 'hi', 9, 3, 'uptime', '1970-01-01T00:00:01.000Z'],
  ]);
});

const reading = { id: 7, device: 'd', boot: 3, seq: 9, ts: Date.UTC(2026, 0, 15, 12, 0, 0), tsSource: 'device' as const, deviceTs: null, received: Date.UTC(2026, 0, 15, 12, 0, 1), fields: '{"t":1.5,"door":false}' };

test('tail rows from the sinks\' layout: long layout, times in the sink\'s zone', () => {
  const enc = sinkRowEncoder('long', new ZoneClock('Europe/Berlin'));
  assert.deepEqual(enc.header, ['time', 'device', 'sensor', 'value', 'seq', 'boot', 'time source', 'received', 'unit']);
  assert.deepEqual(enc.encode(reading), [
    ['2026-01-15 13:00:00.000', 'd', 't', 1.5, 9, 3, 'device', '2026-01-15 13:00:01.000', ''],
    ['2026-01-15 13:00:00.000', 'd', 'door', false, 9, 3, 'device', '2026-01-15 13:00:01.000', ''],
  ]);
  // With field rules: the calibrated value and its unit, as the sinks write them.
  const ruled = sinkRowEncoder('long', new ZoneClock('UTC'), new FieldRules(fieldsSection.parse([{ match: 't', unit: '°C', scale: 10 }])));
  assert.deepEqual(ruled.encode(reading).map((r) => [r[2], r[3], r[8]]), [['t', 15, '°C'], ['door', false, '']]);
});

test('tail rows from the sinks\' layout: per-device layout names the tab and the field columns', () => {
  const enc = sinkRowEncoder('per-device', new ZoneClock('UTC'));
  assert.deepEqual(enc.header, ['tab', 'time', 'seq', 'boot', 'time source', 'received', 'fields']);
  assert.deepEqual(enc.encode(reading), [['d', '2026-01-15 12:00:00.000', 9, 3, 'device', '2026-01-15 12:00:01.000', 't=1.5 door=false']]);
});

test('the tail follows the first sink the configuration runs', () => {
  const csv = sinkRowEncoderFor(configSchema.parse({ csv: { layout: 'per-device', timeZone: 'UTC' } }));
  assert.equal(csv.header[0], 'tab');
  const sheets = sinkRowEncoderFor(configSchema.parse({ sinks: { enabled: ['google-sheets', 'csv'] }, sheets: { timeZone: 'Asia/Tokyo' }, csv: { layout: 'per-device' } }));
  assert.equal(sheets.header[0], 'time');
  assert.equal(sheets.encode(reading)[0]![0], '2026-01-15 21:00:00.000');
});

test('sink views: warnings watched beside the worker (the Google token\'s age) join the sink\'s own', () => {
  const status = (name: string, warnings?: string[]): SinkStatus => ({
    name, kind: name, state: 'idle', target: null, cursor: 5, lastPushAt: null, lastError: null, rowsWritten: 0, requests: 0, errors: 0,
    throttled: 0, quota: null, backoffUntil: null, ...(warnings ? { warnings } : {}),
  });
  const deps = {
    timers: { now: () => 1000 },
    store: { highestId: 5 },
    recent: { receivedAfter: () => null },
    sync: () => ({ sinks: () => [status('google-sheets', ['from the worker']), status('csv')] }),
    sinkWarnings: (sink: string) => (sink === 'google-sheets' ? ['the Google refresh token ... expires in 3 days'] : []),
  } as unknown as ApiDeps;
  assert.deepEqual(sinkViews(deps).map((s) => [s.name, s.warnings]), [
    ['google-sheets', ['from the worker', 'the Google refresh token ... expires in 3 days']],
    ['csv', []],
  ]);
});
