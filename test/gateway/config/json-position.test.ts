import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonErrorLocation } from '../../../gateway/config/json-position.js';

test('valid JSON has no error location', () => {
  assert.equal(jsonErrorLocation('{"a": [1, -2.5e3, 0, true, false, null, "x\\u00e9\\n"], "b": {}}'), null);
  assert.equal(jsonErrorLocation(' \n[]\n'), null);
});

test('the first offending character, as line and column', () => {
  assert.deepEqual(jsonErrorLocation('{\n  "tcp": { "port": 9000, },\n}'), { line: 2, column: 26, offset: 27 });
  assert.deepEqual(jsonErrorLocation('{"a": 1\n"b": 2}'), { line: 2, column: 1, offset: 8 });
  assert.deepEqual(jsonErrorLocation('{"a": x}'), { line: 1, column: 7, offset: 6 });
  assert.deepEqual(jsonErrorLocation('{"a": 1'), { line: 1, column: 8, offset: 7 });
  assert.deepEqual(jsonErrorLocation(''), { line: 1, column: 1, offset: 0 });
  assert.deepEqual(jsonErrorLocation('{} {}'), { line: 1, column: 4, offset: 3 });
  assert.deepEqual(jsonErrorLocation('{"a": 01}'), { line: 1, column: 8, offset: 7 });
  assert.deepEqual(jsonErrorLocation('{"a": "x\ny"}'), { line: 1, column: 9, offset: 8 });
  assert.deepEqual(jsonErrorLocation("{'a': 1}"), { line: 1, column: 2, offset: 1 });
});
