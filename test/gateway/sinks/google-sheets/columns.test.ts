import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockRange, mapColumns, openRows, ownCells, span, spread } from '../../../../gateway/sinks/google-sheets/columns.js';
import { fromClientError } from '../../../../gateway/sinks/google-sheets/google-errors.js';

/** Pure parts of "people in the sheet": the column map, and how Google's refusals are read. */

const COLS = ['time', 'device', 'value'];

test('sheetlog\'s columns are found by header wherever a person put them; their columns are left out', () => {
  const map = mapColumns(['time', 'notes', 'value', 'device', ''], COLS);
  assert.deepEqual(map.positions, [0, 3, 2]);
  assert.deepEqual(map.newHeaders, []);
  assert.deepEqual(ownCells([['t', 'n', 1, 'd', 'x']], map), [['t', 'd', 1]]);
  assert.deepEqual(span(map), { first: 0, last: 3 });
  assert.deepEqual(spread(map, [['t', 'd', 1]]), [['t', null, 1, 'd']], 'null over the notes column: Sheets skips it');
});

test('trailing empty cells are not sent (Sheets leaves the rest of the range as it is); empty cells between filled ones are', () => {
  const map = mapColumns(['time', 'notes', 'value', 'device'], COLS);
  assert.deepEqual(spread(map, [['t', '', 1]]), [['t', null, 1]], 'no device: the row ends at value');
  assert.deepEqual(spread(map, [['t', 'd', '']]), [['t', null, '', 'd']], 'an empty value before the device is written as empty');
  assert.deepEqual(spread(mapColumns([], COLS), [['t', '', '']]), [['t']]);
});

test('a column without a header cell goes right of the header\'s last filled cell; an empty header is laid out in order', () => {
  const map = mapColumns(['time', 'value', '', 'notes'], COLS);
  assert.deepEqual(map.positions, [0, 4, 1]);
  assert.deepEqual(map.newHeaders, [{ column: 4, name: 'device' }]);
  assert.deepEqual(mapColumns([], COLS).positions, [0, 1, 2]);
  assert.deepEqual(mapColumns([' time ', 'device', 'value'], COLS).positions, [0, 1, 2], 'spaces around a header cell do not matter');
});

test('ranges for a block and for rows to the end of the grid', () => {
  assert.equal(blockRange('My log', 5, 9, 0, 3), "'My log'!A5:D9");
  assert.equal(openRows('readings', 12, 0, 7), "'readings'!A12:H");
});

function apiError(status: number, message: string, details?: unknown[]) {
  return { response: { status, data: { error: { code: status, message, details } } } };
}

/** A values write Google refused, as api.ts hands it on. */
const refusal = (e: unknown) => fromClientError(e, 'values-write');

test('a protected cell is PROTECTED, other 403s stay PERMISSION', () => {
  assert.equal(refusal(apiError(403, 'You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit.')).code, 'PROTECTED');
  assert.equal(refusal(apiError(403, 'The caller does not have permission')).code, 'PERMISSION');
});

test('a 429 names its limit: from ErrorInfo, or from the message alone', () => {
  const project = refusal(
    apiError(429, "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute' of service 'sheets.googleapis.com' for consumer 'project_number:1'.", [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', metadata: { quota_limit: 'WriteRequestsPerMinutePerProject', quota_limit_value: '300', quota_unit: '1/min/{project}' } },
    ]),
  );
  assert.deepEqual(project.quota, { limit: 'WriteRequestsPerMinutePerProject', scope: 'project', value: 300 });
  const user = refusal(apiError(429, "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com'."));
  assert.deepEqual(user.quota, { limit: 'Read requests per minute per user', scope: 'user' });
  assert.equal(refusal(apiError(429, 'Too many requests')).quota, undefined);
});
