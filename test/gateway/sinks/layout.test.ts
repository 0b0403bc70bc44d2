import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extendColumns, layoutRows, LONG_COLUMNS, rowValues } from '../../../gateway/sinks/layout.js';
import { ZoneClock, isTimeZone } from '../../../gateway/time/time-zone.js';
import { fieldsSection } from '../../../gateway/config/sections/fields.js';
import { FieldRules } from '../../../gateway/fields/rules.js';
import { readings } from './readings.js';

test('long layout: one tab, a row per field in the order sent, shared columns repeated', () => {
  const [block, ...more] = layoutRows('long', readings(3, 1, { fields: (i) => (i === 2 ? { a: 1, b: 'x' } : { a: i }) }));
  assert.equal(more.length, 0);
  assert.equal(block?.tabKey, '');
  assert.deepEqual(block?.columns, LONG_COLUMNS);
  assert.deepEqual(block?.rows.map((r) => [r.readingId, r.cells.sensor, r.cells.value]), [[1, 'a', 1], [2, 'a', 1], [2, 'b', 'x'], [3, 'a', 3]]);
  assert.deepEqual(rowValues(LONG_COLUMNS, block!.rows[2]!).slice(1), ['dev-0', 'b', 'x', 2, 7, 'device', { time: block!.rows[2]!.cells.received && (block!.rows[2]!.cells.received as { time: number }).time }, null]);
});

test('layoutRows lays rows out from the fields already parsed when given them, in both layouts', () => {
  const rs = readings(2, 1, { devices: 1, fields: () => ({ a: 1 }) });
  const parsed = [{ b: 2 }, { c: 'x' }];
  assert.deepEqual(layoutRows('long', rs, null, parsed)[0]!.rows.map((r) => [r.readingId, r.cells.sensor, r.cells.value]), [[1, 'b', 2], [2, 'c', 'x']]);
  assert.deepEqual(layoutRows('per-device', rs, null, parsed)[0]!.rows.map((r) => [r.cells.b, r.cells.c, r.cells.a]), [[2, undefined, undefined], [undefined, 'x', undefined]]);
  assert.deepEqual(layoutRows('long', rs)[0]!.rows.map((r) => r.cells.sensor), ['a', 'a'], 'without them, the rows\' texts');
});

test('per-device layout: a block per device, columns in order of first appearance, fixed names protected', () => {
  const blocks = layoutRows('per-device', readings(4, 1, { devices: 2, fields: (i) => (i < 3 ? { t: i } : { t: i, h: 1, received: 'z' }) }));
  assert.deepEqual(blocks.map((b) => b.tabKey), ['dev-1', 'dev-0']);
  assert.deepEqual(blocks[1]?.columns, ['time', 'seq', 'boot', 'time source', 'received', 't', 'h', 'field.received']);
  assert.deepEqual(extendColumns(['time', 'x'], ['time', 'y', 'x', 'z']), ['time', 'x', 'y', 'z']);
  const first = blocks[1]!.rows[0]!;
  assert.deepEqual(rowValues(blocks[1]!.columns, first).slice(5), [2, null, null]);
});

test('time zones: serial numbers and local text follow DST; the offset cache stays correct across a change', () => {
  const berlin = new ZoneClock('Europe/Berlin');
  const beforeChange = Date.UTC(2026, 2, 29, 0, 59, 59); // 01:59:59 CET
  const afterChange = Date.UTC(2026, 2, 29, 1, 0, 0); // 03:00:00 CEST
  assert.equal(berlin.text(beforeChange), '2026-03-29 01:59:59.000');
  assert.equal(berlin.text(afterChange), '2026-03-29 03:00:00.000');
  assert.equal(new ZoneClock('UTC').serial(Date.UTC(1899, 11, 31)), 1);
  assert.equal(new ZoneClock('Asia/Kathmandu').text(Date.UTC(2026, 0, 1)), '2026-01-01 05:45:00.000');
  assert.equal(isTimeZone('Mars/Olympus'), false);
  assert.equal(isTimeZone('America/Sao_Paulo'), true);
});

test('field rules: numbers shown calibrated in both layouts, the long layout names the unit; other values and fields as sent', () => {
  const rules = new FieldRules(fieldsSection.parse([
    { match: 'temp_*', unit: '°C', scale: 0.1, offset: -2, decimals: 1 },
    { match: 'label', unit: 'txt' },
    { match: 'a', devices: 'dev-9', scale: 100 },
  ]));
  const rs = readings(1, 1, { fields: () => ({ temp_in: 215, label: 'on', a: 3 }) });
  const [long] = layoutRows('long', rs, rules);
  assert.deepEqual(long!.rows.map((r) => [r.cells.sensor, r.cells.value, r.cells.unit]), [['temp_in', 19.5, '°C'], ['label', 'on', 'txt'], ['a', 3, null]]);
  const [wide] = layoutRows('per-device', rs, rules);
  assert.deepEqual([wide!.rows[0]!.cells.temp_in, wide!.rows[0]!.cells.label, wide!.rows[0]!.cells.a], [19.5, 'on', 3]);
  assert.deepEqual(layoutRows('long', rs)[0]!.rows.map((r) => [r.cells.value, r.cells.unit]), [[215, null], ['on', null], [3, null]], 'no rules: as sent');
});
