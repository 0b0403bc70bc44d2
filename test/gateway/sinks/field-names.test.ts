import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { layoutRows, rowValues } from '../../../gateway/sinks/layout.js';
import { csvDir, newSink, readTable } from './csv/harness.js';
import { readings } from './readings.js';

// Field names the protocol accepts ([A-Za-z_][A-Za-z0-9_.-]*) that are also members of every
// JavaScript object. A per-device row of a reading without such a field must have an empty cell,
// not Object.prototype's member; `__proto__` must be an ordinary column.
const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];

test('per-device layout: fields named like Object.prototype members are ordinary columns', () => {
  for (const name of NAMES) {
    const [a, b] = readings(2, 1, { devices: 1, fields: (i) => (i === 1 ? { [name]: 5 } : { x: 2 }) });
    const [block] = layoutRows('per-device', [a!, b!]);
    assert.deepEqual(block?.columns, ['time', 'seq', 'boot', 'time source', 'received', name, 'x']);
    assert.deepEqual(rowValues(block!.columns, block!.rows[0]!).slice(5), [5, null], name);
    assert.deepEqual(rowValues(block!.columns, block!.rows[1]!).slice(5), [null, 2], name);
  }
});

test('CSV sink, per-device layout: a device sending a field named __proto__ or constructor is written, not stalled', async (t) => {
  const { dir, cleanup } = csvDir();
  t.after(cleanup);
  const sink = newSink(dir, { layout: 'per-device' });
  await sink.start();
  const rows = readings(4, 1, { devices: 1, fields: (i) => (i % 2 === 1 ? { ['__proto__']: i, constructor: 'c' } : { temp_c: i }) });
  assert.deepEqual(await sink.write({ rows }), { kind: 'delivered', throughId: 4 });
  const { records } = readTable(join(dir, 'dev-0.csv'));
  assert.deepEqual(records[0], ['time', 'seq', 'boot', 'time source', 'received', '__proto__', 'constructor', 'temp_c']);
  assert.deepEqual(records.slice(1).map((r) => r.slice(5)), [['1', 'c', ''], ['', '', '2'], ['3', 'c', ''], ['', '', '4']]);
});
