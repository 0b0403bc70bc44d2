import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldsSection } from '../../../gateway/config/sections/fields.js';
import { FieldRules } from '../../../gateway/fields/rules.js';
import { LONG_REQUIRED_COLUMNS } from '../../../gateway/sinks/layout.js';
import { sheetsHarness, SPREADSHEET, writeUntilDelivered } from '../sinks/google-sheets/harness.js';
import { readings } from '../sinks/readings.js';

/**
 * A long-layout tab written before units (its header ends at `received`), made by a person here:
 * the sink adopts it, writes `unit`'s header cell right of the header, and new rows fill it with
 * the calibrated value's unit.
 */
test('Sheets: a tab from before units gets the unit column at the right; values calibrated', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const person = h.emu.person(SPREADSHEET);
  person.batchUpdate([{ addSheet: { properties: { title: 'readings' } } }]);
  person.type('readings!A1', [[...LONG_REQUIRED_COLUMNS]]);
  const rules = new FieldRules(fieldsSection.parse([{ match: 'a', unit: 'kPa', scale: 2 }]));
  const sink = h.sink({ fields: rules });
  await sink.start();
  await writeUntilDelivered(sink, readings(2, 1, { fields: (i) => ({ a: i, b: 'x' }) }));
  const values = h.tab('readings');
  assert.deepEqual(values[0], [...LONG_REQUIRED_COLUMNS, 'unit']);
  assert.deepEqual(values.slice(1).map((r) => [r[2], r[3], r[8] ?? '']), [['a', 2, 'kPa'], ['b', 'x', ''], ['a', 4, 'kPa'], ['b', 'x', '']]);
});
