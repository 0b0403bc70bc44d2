import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../../gateway/config/schema.js';
import { globToRegExp } from '../../../gateway/fields/glob.js';
import { calibrate, checkRange, FieldRules } from '../../../gateway/fields/rules.js';

const rules = (fields: unknown) => new FieldRules(configSchema.parse({ fields }).fields);

test('globs match whole names with * and ?, everything else literally', () => {
  assert.equal(globToRegExp('temp_*').test('temp_c'), true);
  assert.equal(globToRegExp('temp_*').test('xtemp_c'), false);
  assert.equal(globToRegExp('t?').test('t1'), true);
  assert.equal(globToRegExp('t?').test('t12'), false);
  assert.equal(globToRegExp('a.b').test('axb'), false, 'a dot is a dot');
  assert.equal(globToRegExp('lab-*').test('lab-7'), true);
});

test('the first matching rule wins, device patterns narrow a rule, no match is null', () => {
  const r = rules([
    { match: 'temp_c', devices: 'lab-*', unit: '°C', offset: -0.5 },
    { match: 'temp_*', unit: '°C' },
    { match: 'energy_wh', kind: 'counter', wrap: 4294967296, unit: 'Wh' },
  ]);
  assert.equal(r.ruleFor('lab-1', 'temp_c')?.offset, -0.5);
  assert.equal(r.ruleFor('barn-1', 'temp_c')?.offset, 0);
  assert.equal(r.ruleFor('barn-1', 'temp_c')?.unit, '°C');
  assert.equal(r.ruleFor('barn-1', 'energy_wh')?.kind, 'counter');
  assert.equal(r.ruleFor('barn-1', 'humidity'), null);
  assert.equal(r.ruleFor('barn-1', 'humidity'), null, 'cached the same');
  assert.equal(rules([]).empty, true);
  assert.equal(rules([]).ruleFor('a', 'b'), null);
});

test('calibration is value × scale + offset, rounded to decimals; range is checked on the shown value', () => {
  const r = rules([{ match: 'raw', scale: 0.1, offset: -40, decimals: 1, min: -40, max: 85, unit: '°C' }]).ruleFor('d', 'raw')!;
  assert.equal(calibrate(r, 612), 21.2);
  assert.equal(calibrate(r, 0), -40);
  assert.deepEqual(checkRange(r, 21.2), { ok: true });
  assert.deepEqual(checkRange(r, -40), { ok: true }, 'the bounds are valid');
  assert.deepEqual(checkRange(r, 85.1), { ok: false, text: '85.1 is above the maximum 85 °C' });
  assert.deepEqual(checkRange(r, -40.1), { ok: false, text: '-40.1 is below the minimum -40 °C' });
});

test('invalid rules are configuration errors', () => {
  for (const bad of [
    [{ match: 'x', min: 2, max: 1 }],
    [{ match: 'x', wrap: 10 }],
    [{ match: 'x', scale: 0 }],
    [{ match: 'x y' }],
    [{ match: 'x', colour: 'red' }],
    [{ match: 'x', kind: 'level' }],
  ]) {
    assert.equal(configSchema.safeParse({ fields: bad }).success, false, JSON.stringify(bad));
  }
  assert.deepEqual(configSchema.parse({}).fields, []);
});
