import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SINK_ERRORS } from '../../../gateway/sinks/outcomes.js';
import { rowProblem, WRITABLE_FROM_MS, WRITABLE_TO_MS, writablePrefix } from '../../../gateway/sinks/row-check.js';
import { fieldsOf, isoOrNull, isoOrValue } from '../../../gateway/time/instant.js';
import { readings } from './readings.js';

test('rowProblem: times outside years 1-9999 and fields that are not a JSON object cannot be written', () => {
  const [r] = readings(1, 1);
  assert.equal(rowProblem(r!), null);
  assert.equal(rowProblem({ ...r!, ts: WRITABLE_FROM_MS }), null);
  assert.equal(rowProblem({ ...r!, ts: WRITABLE_TO_MS }), null);
  assert.equal(rowProblem({ ...r!, ts: -5 }), null, '1969 is a date like any other');
  assert.match(rowProblem({ ...r!, ts: WRITABLE_TO_MS + 1 })!, /outside the years 1-9999/);
  assert.match(rowProblem({ ...r!, ts: 1e16 })!, /time 10000000000000000 is outside/);
  assert.match(rowProblem({ ...r!, ts: -1e16 })!, /outside/);
  assert.match(rowProblem({ ...r!, received: Number.NaN })!, /receive time/);
  assert.equal(rowProblem({ ...r!, fields: '{"a":' }), 'fields are not JSON');
  assert.equal(rowProblem({ ...r!, fields: '[1]' }), 'fields are not a JSON object');
});

test('writablePrefix: the rows before the first bad one, each with its fields parsed; the bad one first is rejected by name', () => {
  const rows = readings(4, 1);
  assert.deepEqual(writablePrefix(rows), { rows, fields: rows.map((r) => JSON.parse(r.fields)) });
  const poisoned = rows.map((r) => (r.id === 3 ? { ...r, ts: 1e16 } : r));
  const head = writablePrefix(poisoned);
  assert.ok('rows' in head);
  assert.deepEqual(head.rows.map((r) => r.id), [1, 2]);
  assert.deepEqual(head.fields, [JSON.parse(rows[0]!.fields), JSON.parse(rows[1]!.fields)], 'the fields of the rows kept, no more');
  const first = writablePrefix(poisoned.slice(2));
  assert.ok('outcome' in first);
  assert.deepEqual(first.outcome, { kind: 'rejected', code: 'BAD_ROW', reason: 'time 10000000000000000 is outside the years 1-9999', rowId: 3 });
  assert.equal(SINK_ERRORS.BAD_ROW.handling, 'quarantine');
});

test('instant formatting never throws', () => {
  assert.equal(isoOrNull(0), '1970-01-01T00:00:00.000Z');
  assert.equal(isoOrNull(8.64e15), '+275760-09-13T00:00:00.000Z');
  assert.equal(isoOrNull(8.64e15 + 1), null);
  assert.equal(isoOrNull(-1e16), null);
  assert.equal(isoOrValue(1e16), '10000000000000000');
  assert.deepEqual(fieldsOf('{"a":1}'), { a: 1 });
  assert.deepEqual(fieldsOf('not json'), {});
  assert.deepEqual(fieldsOf('[1,2]'), {});
});
